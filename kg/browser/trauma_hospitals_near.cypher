// medkg: trauma-level hospitals near a place
// Open HIFLD hospitals with trauma designation $level (a hospital listed 'LEVEL I ADULT, LEVEL I PEDIATRIC' counts
// as 'LEVEL I') within $radius_km of ($lat, $lon), nearest first. Hospital properties carry the p_ prefix of
// ingested props. A latitude/longitude box narrows the scan before point.distance().
// :params {lat: 29.7604, lon: -95.3698, radius_km: 50.0, level: 'LEVEL I', limit: 25}
WITH $radius_km / 111.2 AS dlat, $radius_km / (111.2 * cos(radians($lat)) + 0.001) AS dlon
MATCH (h:Hospital)
WHERE h.p_latitude >= $lat - dlat AND h.p_latitude <= $lat + dlat
  AND h.p_longitude >= $lon - dlon AND h.p_longitude <= $lon + dlon
  AND any(t IN coalesce(h.p_trauma_levels, []) WHERE t = $level OR t STARTS WITH $level + ' ')
  AND coalesce(h.p_status, 'OPEN') = 'OPEN'
WITH h, point.distance(point({latitude: h.p_latitude, longitude: h.p_longitude}),
                       point({latitude: $lat, longitude: $lon})) / 1000.0 AS km
WHERE km <= $radius_km
RETURN h AS hospital, h.name AS name, h.p_city AS city, h.p_state AS state, h.p_trauma AS trauma,
       h.p_beds AS beds, round(km * 10.0) / 10.0 AS distance_km
ORDER BY distance_km, name
LIMIT $limit

// medkg: trauma-level hospitals near a place
// Open HIFLD hospitals whose trauma designation is $level (e.g. 'LEVEL I', also 'LEVEL I ADULT, ...') within
// $radius_km of ($lat, $lon), nearest first. A latitude/longitude box narrows the scan before point.distance().
// :params {lat: 29.7604, lon: -95.3698, radius_km: 50.0, level: 'LEVEL I', limit: 25}
WITH $radius_km / 111.2 AS dlat, $radius_km / (111.2 * cos(radians($lat)) + 0.001) AS dlon
MATCH (h:Hospital)
WHERE h.latitude >= $lat - dlat AND h.latitude <= $lat + dlat
  AND h.longitude >= $lon - dlon AND h.longitude <= $lon + dlon
  AND (h.trauma = $level OR h.trauma STARTS WITH $level + ' ' OR h.trauma STARTS WITH $level + ',')
  AND coalesce(h.status, 'OPEN') = 'OPEN'
WITH h, point.distance(point({latitude: h.latitude, longitude: h.longitude}),
                       point({latitude: $lat, longitude: $lon})) / 1000.0 AS km
WHERE km <= $radius_km
RETURN h AS hospital, h.name AS name, h.city AS city, h.state AS state, h.trauma AS trauma, h.beds AS beds,
       round(km * 10.0) / 10.0 AS distance_km
ORDER BY distance_km, name
LIMIT $limit

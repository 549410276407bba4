// medkg: shortest paths between two diseases
// All shortest paths of at most 4 hops through knowledge-graph facts (literature and patient records left out).
// The hop bound is a literal because Cypher does not take parameters there: edit 4 to widen the search.
// :params {from_id: 'DOID:9352', to_id: 'DOID:10763', limit: 10}
MATCH (a:Disease {id: $from_id}), (b:Disease {id: $to_id})
MATCH p = allShortestPaths((a)-[:HAS_SYMPTOM|TREATS|PALLIATES|COOCCURS_WITH|TREATED_IN|COMPLICATED_BY|NEEDS_CHECK|RELATED_TO*..4]-(b))
RETURN p AS path, length(p) AS hops, [n IN nodes(p) | n.name] AS names
LIMIT $limit

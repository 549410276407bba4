// medkg: a patient's history linked to the knowledge graph
// Encounters in time order, the conditions diagnosed in each, and the KG concepts (IS_A) those conditions instantiate.
// Records are de-identified on ingest; pick a patient id with the guide's "Pick a patient" query.
// :params {patient_id: 'medkg:patient:demo-1', limit: 100}
MATCH (p:Patient {id: $patient_id})-[:HAS_ENCOUNTER]->(e:Encounter)
OPTIONAL MATCH (e)-[:DIAGNOSED]->(c:Condition)
OPTIONAL MATCH (c)-[:IS_A]->(k)
WITH p, e, c, collect(DISTINCT k) AS concepts
ORDER BY e.start, e.id, c.name
RETURN p AS patient, e AS encounter, e.start AS start, c AS condition, concepts
LIMIT $limit

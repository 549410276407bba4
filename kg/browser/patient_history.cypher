// medkg: a patient's history linked to the knowledge graph
// Conditions diagnosed and medications prescribed in each encounter (time order), with the KG concepts they
// instantiate (IS_A → Disease, Symptom or Compound). Records are de-identified on ingest; pick a patient id
// with the guide's "Pick a patient" query.
// :params {patient_id: 'medkg:patient:demo-1', limit: 100}
MATCH (p:Patient {id: $patient_id})-[:HAS_ENCOUNTER]->(e:Encounter)-[:DIAGNOSED|PRESCRIBED]->(x)
OPTIONAL MATCH (x)-[:IS_A]->(k)
WITH p, e, x, collect(DISTINCT k) AS concepts
ORDER BY e.p_start, e.id, x.label, x.name
RETURN p AS patient, e AS encounter, e.p_start AS start, x.label AS kind, x AS entry, concepts
LIMIT $limit

// medkg: a disease's symptoms, drugs and departments
// Symptoms by HAS_SYMPTOM weight (strongest first), compounds that TREAT or PALLIATE it, departments it is TREATED_IN.
// Graph view shows the disease with its neighbours; Table view lists them. Find disease ids with the guide's search.
// :params {disease_id: 'DOID:9352', limit: 25}
MATCH (d:Disease {id: $disease_id})
OPTIONAL MATCH (d)-[hs:HAS_SYMPTOM]->(s:Symptom)
WITH d, s, hs
ORDER BY coalesce(hs.weight, 0.0) DESC, s.name
WITH d, collect(DISTINCT s)[..$limit] AS symptoms
OPTIONAL MATCH (c:Compound)-[:TREATS|PALLIATES]->(d)
WITH d, symptoms, collect(DISTINCT c)[..$limit] AS drugs
OPTIONAL MATCH (d)-[:TREATED_IN]->(dep:Department)
RETURN d AS disease, symptoms, drugs, collect(DISTINCT dep) AS departments

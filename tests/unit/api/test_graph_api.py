"""The graph endpoints against a real embedded store: shapes, citations, filters, 404/422 with clear messages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.api.conftest import SAMPLE_NODES, SAMPLE_RELS


def test_health_reports_store_kind_and_totals(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "store": "embedded",
        "nodes": len(SAMPLE_NODES),
        "relationships": len(SAMPLE_RELS),
    }


def test_stats_counts_per_label_and_type(client: TestClient) -> None:
    body = client.get("/graph/stats").json()
    assert body["nodes"]["Disease"] == 2
    assert body["nodes"]["Symptom"] == 2
    assert body["relationships"]["HAS_SYMPTOM"] == 3
    assert body["total_nodes"] == len(SAMPLE_NODES)
    assert body["total_relationships"] == len(SAMPLE_RELS)


def test_node_detail_has_citation_props_and_relationships(client: TestClient) -> None:
    r = client.get("/graph/nodes/DOID:9352")
    assert r.status_code == 200
    body = r.json()
    assert body["node"]["name"] == "type 2 diabetes mellitus"
    assert body["node"]["citation"] == "kg:node:DOID:9352"
    assert body["node"]["synonyms"] == ["T2DM"]
    types = sorted(rel["type"] for rel in body["relationships"])
    assert types == ["COOCCURS_WITH", "HAS_SYMPTOM", "HAS_SYMPTOM", "TREATED_IN", "TREATS"]
    assert body["truncated"] is False
    cites = {rel["citation"] for rel in body["relationships"]}
    assert "kg:rel:TREATS:DrugBank:DB00331->DOID:9352#pharmacotherapydb" in cites


def test_node_detail_truncates_relationships(client: TestClient) -> None:
    body = client.get("/graph/nodes/DOID:9352", params={"rel_limit": 2}).json()
    assert len(body["relationships"]) == 2
    assert body["truncated"] is True


def test_node_props_are_returned(client: TestClient) -> None:
    body = client.get("/graph/nodes/HIFLD:7630").json()
    assert body["node"]["props"]["trauma"] == "LEVEL I"
    assert body["node"]["props"]["beds"] == 444


def test_node_id_with_slash(client: TestClient) -> None:
    r = client.get("/graph/nodes/medkg:dept/endocrinology")
    assert r.status_code == 200
    assert r.json()["node"]["name"] == "Endocrinology"
    r = client.get("/graph/nodes/medkg:dept/endocrinology/neighbours")
    assert r.status_code == 200
    assert {n["id"] for n in r.json()["nodes"]} == {"medkg:dept/endocrinology", "DOID:9352"}


def test_unknown_node_is_404_with_clear_message(client: TestClient) -> None:
    r = client.get("/graph/nodes/DOID:0000000")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "NotFoundError"
    assert body["status"] == 404
    assert "DOID:0000000" in body["message"]
    assert "/v1/graph/lookup" in body["message"]
    assert client.get("/graph/nodes/DOID:0000000/neighbours").status_code == 404


def test_neighbours_one_hop(client: TestClient) -> None:
    body = client.get("/graph/nodes/DOID:10763/neighbours", params={"hops": 1}).json()
    assert body["seed"] == "DOID:10763"
    assert {n["id"] for n in body["nodes"]} == {"DOID:10763", "DOID:9352", "MESH:D005221"}
    assert {(r["type"], r["start"], r["end"]) for r in body["relationships"]} == {
        ("COOCCURS_WITH", "DOID:9352", "DOID:10763"),
        ("HAS_SYMPTOM", "DOID:10763", "MESH:D005221"),
    }


def test_neighbours_two_hops_reach_further(client: TestClient) -> None:
    one = client.get("/graph/nodes/DOID:10763/neighbours", params={"hops": 1}).json()
    two = client.get("/graph/nodes/DOID:10763/neighbours", params={"hops": 2}).json()
    ids_two = {n["id"] for n in two["nodes"]}
    assert {n["id"] for n in one["nodes"]} < ids_two
    assert "DrugBank:DB00331" in ids_two


def test_neighbours_rel_types_repeated_or_comma_separated(client: TestClient) -> None:
    url = "/graph/nodes/DOID:9352/neighbours"
    a = client.get(url, params=[("rel_types", "HAS_SYMPTOM"), ("rel_types", "TREATS")]).json()
    b = client.get(url, params={"rel_types": "HAS_SYMPTOM,TREATS"}).json()
    assert a["rel_types"] == ["HAS_SYMPTOM", "TREATS"]
    assert {n["id"] for n in a["nodes"]} == {n["id"] for n in b["nodes"]}
    assert {n["id"] for n in a["nodes"]} == {"DOID:9352", "MESH:D005221", "MESH:D010936", "DrugBank:DB00331"}


def test_neighbours_limit_and_min_weight(client: TestClient) -> None:
    body = client.get("/graph/nodes/DOID:9352/neighbours", params={"limit": 1}).json()
    assert len(body["nodes"]) == 2  # the seed plus at most `limit` others
    strong = client.get(
        "/graph/nodes/DOID:9352/neighbours", params={"rel_types": "HAS_SYMPTOM", "min_weight": 0.5}
    ).json()
    assert {n["id"] for n in strong["nodes"]} == {"DOID:9352", "MESH:D005221"}


def test_neighbours_bad_input_is_422(client: TestClient) -> None:
    r = client.get("/graph/nodes/DOID:9352/neighbours", params={"rel_types": "CURES"})
    assert r.status_code == 422
    assert r.json()["error"] == "InputValidationError"
    assert "CURES" in r.json()["message"]
    r = client.get("/graph/nodes/DOID:9352/neighbours", params={"hops": 0})
    assert r.status_code == 422
    assert r.json()["error"] == "RequestValidationError"
    assert "hops" in r.json()["message"]
    assert client.get("/graph/nodes/DOID:9352/neighbours", params={"hops": 9}).status_code == 422


def test_search_finds_by_name_and_synonym(client: TestClient) -> None:
    body = client.get("/graph/search", params={"q": "diabetes"}).json()
    assert body["results"][0]["id"] == "DOID:9352"
    body = client.get("/graph/search", params={"q": "t2dm", "exact": True}).json()
    assert [n["id"] for n in body["results"]] == ["DOID:9352"]


def test_search_label_filter_and_limit(client: TestClient) -> None:
    body = client.get("/graph/search", params={"q": "a", "label": "Symptom", "limit": 5}).json()
    assert body["label"] == "Symptom"
    assert body["results"]
    assert {n["label"] for n in body["results"]} == {"Symptom"}
    assert len(client.get("/graph/search", params={"q": "e", "limit": 1}).json()["results"]) == 1


def test_search_bad_input_is_422(client: TestClient) -> None:
    r = client.get("/graph/search", params={"q": "fatigue", "label": "Planet"})
    assert r.status_code == 422
    assert "Planet" in r.json()["message"]
    assert client.get("/graph/search", params={"q": "   "}).status_code == 422
    assert client.get("/graph/search").status_code == 422
    r = client.get("/graph/search", params={"q": "x" * 5000})
    assert r.status_code == 422
    assert "at most" in r.json()["message"]


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/healthz", "/readyz", "/v1/graph/stats", "/v1/graph/lookup", "/v1/graph/entity/{node_id}",
            "/v1/graph/entity/{node_id}/neighbourhood", "/v1/graph/path", "/browser/{name}"} <= paths
    assert not any(p.startswith("/graph/") for p in paths)  # 0.1's paths are undocumented aliases
    ok = spec["paths"]["/v1/graph/entity/{node_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/NodeDetailResponse")

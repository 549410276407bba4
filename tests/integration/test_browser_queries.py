"""Every saved Browser query and every Cypher block of the guide, run over Bolt on a small sample graph written
through :class:`kg.neo4j.Neo4jGraphStore` (so the property layout is the adapter's): each parses and returns the
expected rows. Also the API served from the Neo4j adapter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver, GraphDatabase

from api.app import create_app
from kg import GraphStore
from kg.browser import GUIDE_FILE, browser_dir, guide_blocks, load_saved_queries, parse_param_command
from kg.browser.params import ParamValue
from medkg.settings import Settings
from medkg.types import Node, Relationship
from tests.conftest import BoltServer

pytestmark = pytest.mark.bolt

PATIENT = "medkg:patient:demo-1"  # the example id in patient_history.cypher's header and the guide


def _n(id_: str, label: str, name: str, source: str, **props: Any) -> Node:
    return Node(id=id_, label=label, name=name, sources=(source,), props=props)


def _r(type_: str, start: str, end: str, source: str, weight: float | None = None) -> Relationship:
    return Relationship(type=type_, start=start, end=end, source=source, weight=weight)


NODES = [
    _n("DOID:9352", "Disease", "type 2 diabetes mellitus", "hetionet"),
    _n("DOID:10763", "Disease", "hypertension", "hetionet"),
    _n("DOID:1612", "Disease", "breast cancer", "hetionet"),
    _n("MESH:D005221", "Symptom", "Fatigue", "hsdn"),
    _n("MESH:D010936", "Symptom", "Polyuria", "hsdn"),
    _n("MESH:D006261", "Symptom", "Headache", "hsdn"),
    _n("DrugBank:DB00331", "Compound", "Metformin", "pharmacotherapydb"),
    _n("DrugBank:DB01016", "Compound", "Glyburide", "pharmacotherapydb"),
    _n("medkg:dept:endocrinology", "Department", "Endocrinology", "curated"),
    _n("pmid:1", "Document", "A paper", "pubmed"),
    _n("pmid:1#abstract", "Passage", "A paper (abstract)", "pubmed"),
    _n(PATIENT, "Patient", "Patient demo-1", "synthea", birth_year=1960),
    _n("medkg:encounter:1", "Encounter", "ambulatory: check-up (2020-01-01)", "synthea", start="2020-01-01T09:00:00Z"),
    _n("medkg:encounter:2", "Encounter", "ambulatory: follow-up (2021-05-02)", "synthea", start="2021-05-02T10:00:00Z"),
    _n("medkg:condition:1", "Condition", "Essential hypertension (disorder)", "synthea", code="59621000"),
    _n("medkg:condition:2", "Condition", "Diabetes mellitus type 2 (disorder)", "synthea", code="44054006"),
    _n("medkg:medication:1", "Medication", "24 HR metformin hydrochloride 500 MG", "synthea", code="860975"),
    _n("medkg:observation:1", "Observation", "Body Height", "synthea"),
    _n("HIFLD:1", "Hospital", "Ben Taub General Hospital", "hifld", latitude=29.7107, longitude=-95.3927,
       trauma="LEVEL I ADULT, LEVEL I PEDIATRIC", trauma_levels=["LEVEL I ADULT", "LEVEL I PEDIATRIC"],
       status="OPEN", city="HOUSTON", state="TX", beds=444),
    _n("HIFLD:2", "Hospital", "Memorial Hermann Texas Medical Center", "hifld", latitude=29.7130, longitude=-95.3990,
       trauma="LEVEL I", trauma_levels=["LEVEL I"], status="OPEN", city="HOUSTON", state="TX", beds=1000),
    _n("HIFLD:3", "Hospital", "Nearby Level Four", "hifld", latitude=29.76, longitude=-95.37,
       trauma="LEVEL IV", trauma_levels=["LEVEL IV"], status="OPEN", city="HOUSTON", state="TX"),
    _n("HIFLD:4", "Hospital", "Closed Level One", "hifld", latitude=29.75, longitude=-95.36,
       trauma="LEVEL I", trauma_levels=["LEVEL I"], status="CLOSED", city="HOUSTON", state="TX"),
    _n("HIFLD:5", "Hospital", "Parkland (Dallas)", "hifld", latitude=32.81, longitude=-96.84,
       trauma="LEVEL I", trauma_levels=["LEVEL I"], status="OPEN", city="DALLAS", state="TX"),
]
RELS = [
    _r("HAS_SYMPTOM", "DOID:9352", "MESH:D005221", "hsdn", 0.9),
    _r("HAS_SYMPTOM", "DOID:9352", "MESH:D010936", "hsdn", 0.4),
    _r("HAS_SYMPTOM", "DOID:10763", "MESH:D005221", "hsdn", 0.3),
    _r("HAS_SYMPTOM", "DOID:10763", "MESH:D010936", "hsdn", 0.1),
    _r("HAS_SYMPTOM", "DOID:10763", "MESH:D006261", "hsdn", 0.8),
    _r("TREATS", "DrugBank:DB00331", "DOID:9352", "pharmacotherapydb"),
    _r("PALLIATES", "DrugBank:DB01016", "DOID:9352", "pharmacotherapydb"),
    _r("TREATED_IN", "DOID:9352", "medkg:dept:endocrinology", "curated"),
    _r("HAS_PASSAGE", "pmid:1", "pmid:1#abstract", "pubmed"),
    _r("MENTIONS", "pmid:1#abstract", "DOID:9352", "pubmed"),  # a 2-hop shortcut the path query must ignore
    _r("MENTIONS", "pmid:1#abstract", "DOID:10763", "pubmed"),
    _r("HAS_ENCOUNTER", PATIENT, "medkg:encounter:1", "synthea"),
    _r("HAS_ENCOUNTER", PATIENT, "medkg:encounter:2", "synthea"),
    _r("DIAGNOSED", "medkg:encounter:1", "medkg:condition:1", "synthea"),
    _r("DIAGNOSED", "medkg:encounter:2", "medkg:condition:2", "synthea"),
    _r("DIAGNOSED", PATIENT, "medkg:condition:1", "synthea"),
    _r("DIAGNOSED", PATIENT, "medkg:condition:2", "synthea"),
    _r("PRESCRIBED", "medkg:encounter:2", "medkg:medication:1", "synthea"),
    _r("OBSERVED", "medkg:encounter:1", "medkg:observation:1", "synthea"),
    _r("IS_A", "medkg:condition:1", "DOID:10763", "synthea"),
    _r("IS_A", "medkg:condition:2", "DOID:9352", "synthea"),
    _r("IS_A", "medkg:medication:1", "DrugBank:DB00331", "synthea"),
]


@pytest.fixture
def sample(bolt_store: GraphStore, bolt_server: BoltServer) -> Iterator[Driver]:
    """The sample graph written through the adapter, and a raw driver as Neo4j Browser would use."""
    bolt_store.upsert_nodes(NODES)
    bolt_store.upsert_relationships(RELS)
    with GraphDatabase.driver(bolt_server.uri, auth=(bolt_server.user, bolt_server.password)) as driver:
        yield driver


def _run(driver: Driver, db: str, cypher: str, params: dict[str, ParamValue]) -> list[dict[str, Any]]:
    with driver.session(database=db) as session:
        return session.run(cypher, params).data()


def _saved(name: str) -> tuple[str, dict[str, ParamValue]]:
    q = next(q for q in load_saved_queries() if q.name == name)
    return q.body, dict(q.params)


def _names(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["name"] for n in nodes]


def test_disease_overview(sample: Driver, bolt_server: BoltServer) -> None:
    body, params = _saved("disease_overview")
    rows = _run(sample, bolt_server.database, body, params)
    assert len(rows) == 1
    row = rows[0]
    assert row["disease"]["id"] == "DOID:9352"
    assert _names(row["symptoms"]) == ["Fatigue", "Polyuria"]  # strongest HAS_SYMPTOM first
    assert sorted(_names(row["drugs"])) == ["Glyburide", "Metformin"]
    assert _names(row["departments"]) == ["Endocrinology"]
    one = _run(sample, bolt_server.database, body, {**params, "limit": 1})[0]
    assert _names(one["symptoms"]) == ["Fatigue"]
    other = _run(sample, bolt_server.database, body, {**params, "disease_id": "DOID:10763"})[0]
    assert _names(other["symptoms"]) == ["Headache", "Fatigue", "Polyuria"]
    assert other["drugs"] == [] and other["departments"] == []
    assert _run(sample, bolt_server.database, body, {**params, "disease_id": "DOID:0"}) == []


def test_disease_paths_skip_literature(sample: Driver, bolt_server: BoltServer) -> None:
    body, params = _saved("disease_paths")
    rows = _run(sample, bolt_server.database, body, params)
    assert {r["hops"] for r in rows} == {2}
    assert sorted(tuple(r["names"]) for r in rows) == [
        ("type 2 diabetes mellitus", "Fatigue", "hypertension"),
        ("type 2 diabetes mellitus", "Polyuria", "hypertension"),
    ]
    assert _run(sample, bolt_server.database, body, {**params, "to_id": "DOID:1612"}) == []


def test_patient_history(sample: Driver, bolt_server: BoltServer) -> None:
    body, params = _saved("patient_history")
    assert params["patient_id"] == PATIENT
    rows = _run(sample, bolt_server.database, body, params)
    got = [(r["encounter"]["id"], r["kind"], r["entry"]["name"], [c["id"] for c in r["concepts"]]) for r in rows]
    assert got == [
        ("medkg:encounter:1", "Condition", "Essential hypertension (disorder)", ["DOID:10763"]),
        ("medkg:encounter:2", "Condition", "Diabetes mellitus type 2 (disorder)", ["DOID:9352"]),
        ("medkg:encounter:2", "Medication", "24 HR metformin hydrochloride 500 MG", ["DrugBank:DB00331"]),
    ]
    assert rows[0]["start"] == "2020-01-01T09:00:00Z"
    assert all(r["patient"]["id"] == PATIENT for r in rows)


def test_trauma_hospitals_near(sample: Driver, bolt_server: BoltServer) -> None:
    body, params = _saved("trauma_hospitals_near")
    rows = _run(sample, bolt_server.database, body, params)
    assert [r["name"] for r in rows] == ["Ben Taub General Hospital", "Memorial Hermann Texas Medical Center"]
    assert rows[0]["distance_km"] <= rows[1]["distance_km"] < 10
    assert rows[0]["trauma"] == "LEVEL I ADULT, LEVEL I PEDIATRIC"
    assert rows[1]["beds"] == 1000
    wide = _run(sample, bolt_server.database, body, {**params, "radius_km": 400.0})
    assert [r["name"] for r in wide][-1] == "Parkland (Dallas)"
    level4 = _run(sample, bolt_server.database, body, {**params, "level": "LEVEL IV"})
    assert [r["name"] for r in level4] == ["Nearby Level Four"]


def test_every_guide_block_runs_and_returns_rows(sample: Driver, bolt_server: BoltServer) -> None:
    guide = (browser_dir() / GUIDE_FILE).read_text(encoding="utf-8")
    params: dict[str, ParamValue] = {}
    ran = 0
    for block in guide_blocks(guide):
        text = block.text.strip()
        if text.startswith(":params"):
            params = parse_param_command(text)  # :params {...} replaces every parameter
            continue
        if text.startswith(":param "):
            params = {**params, **parse_param_command(text)}
            continue
        if text.startswith(":"):
            continue  # other Browser commands (:style) are client-side
        rows = _run(sample, bolt_server.database, text, params)
        assert rows, f"guide block on slide {block.slide!r} returned no rows:\n{text}"
        ran += 1
    assert ran >= 8


def test_guide_counts_use_the_adapter_layout(sample: Driver, bolt_server: BoltServer) -> None:
    blocks = guide_blocks((browser_dir() / GUIDE_FILE).read_text(encoding="utf-8"))
    guide_counts = next(b.text for b in blocks if "n.label AS" in b.text)
    rows = {r["label"]: r["nodes"] for r in _run(sample, bolt_server.database, guide_counts, {})}
    assert rows["Hospital"] == 5
    assert rows["Disease"] == 3


def test_api_over_neo4j(sample: Driver, bolt_store: GraphStore, bolt_server: BoltServer) -> None:
    class Borrowed:
        """The fixture's store, not closed by the app (the fixture closes it)."""

        def __getattr__(self, name: str) -> Any:
            return getattr(bolt_store, name)

        def close(self) -> None:
            pass

    settings = Settings(store="neo4j", neo4j_uri=bolt_server.uri, _env_file=None)
    with TestClient(create_app(settings, store_factory=lambda s: Borrowed())) as c:
        health = c.get("/health").json()
        assert health["store"] == "neo4j"
        assert health["nodes"] == len(NODES)
        body = c.get("/graph/nodes/HIFLD:2").json()
        assert body["node"]["props"]["trauma_levels"] == ["LEVEL I"]
        nb = c.get("/graph/nodes/DOID:9352/neighbours", params={"rel_types": "HAS_SYMPTOM,TREATS"}).json()
        assert {n["id"] for n in nb["nodes"]} == {"DOID:9352", "MESH:D005221", "MESH:D010936", "DrugBank:DB00331"}
        assert c.get("/graph/nodes/DOID:0").status_code == 404
        assert c.get("/graph/search", params={"q": "metformin"}).json()["results"][0]["id"] == "DrugBank:DB00331"

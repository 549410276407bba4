"""Fixtures for the API tests: a small graph in a real embedded store under a temporary MEDKG_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import ApiLimits
from kg.embedded import EmbeddedGraphStore
from medkg.settings import Settings
from medkg.types import Node, Relationship

SAMPLE_NODES = [
    Node(id="DOID:9352", label="Disease", name="type 2 diabetes mellitus", synonyms=("T2DM",), sources=("hetionet",)),
    Node(id="DOID:10763", label="Disease", name="hypertension", sources=("hetionet",)),
    Node(id="MESH:D005221", label="Symptom", name="Fatigue", sources=("hsdn",)),
    Node(id="MESH:D010936", label="Symptom", name="Polyuria", sources=("hsdn",)),
    Node(id="DrugBank:DB00331", label="Compound", name="Metformin", sources=("pharmacotherapydb",)),
    Node(id="medkg:dept/endocrinology", label="Department", name="Endocrinology", sources=("curated",)),
    Node(
        id="HIFLD:7630",
        label="Hospital",
        name="BEN TAUB GENERAL HOSPITAL",
        sources=("hifld",),
        props={"trauma": "LEVEL I", "latitude": 29.71, "longitude": -95.39, "beds": 444, "city": "HOUSTON"},
    ),
]
SAMPLE_RELS = [
    Relationship(type="HAS_SYMPTOM", start="DOID:9352", end="MESH:D005221", source="hsdn", weight=0.9),
    Relationship(type="HAS_SYMPTOM", start="DOID:9352", end="MESH:D010936", source="hsdn", weight=0.4),
    Relationship(type="TREATS", start="DrugBank:DB00331", end="DOID:9352", source="pharmacotherapydb"),
    Relationship(type="TREATED_IN", start="DOID:9352", end="medkg:dept/endocrinology", source="curated"),
    Relationship(type="COOCCURS_WITH", start="DOID:9352", end="DOID:10763", source="medline", weight=0.7),
    Relationship(type="HAS_SYMPTOM", start="DOID:10763", end="MESH:D005221", source="hsdn", weight=0.2),
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded-store settings under a fresh home, with the sample graph already written."""
    s = Settings(home=tmp_path / "home", store="embedded", _env_file=None)
    store = EmbeddedGraphStore(s.store_dir / "graph.sqlite3")
    try:
        store.ensure_schema()
        store.upsert_nodes(SAMPLE_NODES)
        store.upsert_relationships(SAMPLE_RELS)
    finally:
        store.close()
    return s


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of an app whose lifespan opened the embedded store (the real ``kg.open_store``)."""
    with TestClient(create_app(settings)) as c:
        yield c


class Fakes:
    """The fake engines an app was built with (tests inspect what they were asked)."""

    def __init__(self) -> None:
        from tests.unit.api.fakes import FakeAnswerEngine, FakeConsultation, FakeRetriever

        self.answer = FakeAnswerEngine()
        self.consult = FakeConsultation()
        self.retriever = FakeRetriever()

    def kwargs(self) -> dict[str, object]:
        return {"answer_factory": lambda s, sv: self.answer, "consult_factory": lambda s, sv: self.consult,
                "retriever_factory": lambda s, sv: self.retriever}


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def v1(settings: Settings, fakes: Fakes) -> Iterator[TestClient]:
    """A client of an app with fake engines and generous rate limits."""
    limits = ApiLimits(key_rate=1000, key_burst=1000, anonymous_rate=1000, anonymous_burst=1000)
    with TestClient(create_app(settings, limits=limits, **fakes.kwargs())) as c:  # type: ignore[arg-type]
        yield c

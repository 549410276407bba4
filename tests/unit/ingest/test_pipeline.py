"""The pipeline on the bundled sample and the embedded store: idempotence, updates, one node per concept."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from ingest import run_ingest
from kg.store import GraphStore
from medkg.data import SAMPLE_DIR
from medkg.settings import Settings
from medkg.types import Node
from tests.unit.ingest.helpers import copy_sample

PARTS = ["kg", "records", "resources"]


def _snapshot(store: GraphStore) -> dict[str, Any]:
    ids = store.node_ids()
    nodes = {n.id: n.model_dump() for n in store.get_nodes(ids)}
    rels = {}
    for i in ids:
        for r in store.relationships_of(i, direction="out", limit=100_000):
            rels[r.key] = r.model_dump()
    return {"counts": store.counts().model_dump(), "nodes": nodes, "rels": rels}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", batch_size=500)


def test_ingest_twice_is_identical(embedded_store: GraphStore, settings: Settings) -> None:
    """Ingesting everything twice gives identical counts, nodes, properties and relationships."""
    first = run_ingest(embedded_store, SAMPLE_DIR, PARTS, settings=settings)
    assert first.rejected == 0
    snap = _snapshot(embedded_store)
    assert snap["counts"]["nodes"]["Patient"] == 7
    run_ingest(embedded_store, SAMPLE_DIR, PARTS, settings=settings)
    assert _snapshot(embedded_store) == snap


def test_one_node_per_concept_doid_canonical(embedded_store: GraphStore, settings: Settings) -> None:
    """A disease in Hetionet, MEDLINE, HSDN and PharmacotherapyDB is one node named by Hetionet (DOID canonical)."""
    report = run_ingest(embedded_store, SAMPLE_DIR, ["kg"], settings=settings)
    node = embedded_store.get_node("DOID:10763")
    assert node is not None
    assert node.name == "hypertension" and node.label == "Disease"
    assert {"hetionet", "medline", "hsdn", "pharmacotherapydb"} <= set(node.sources)
    assert "MESH:D006973" in node.props["xrefs"]  # type: ignore[operator]
    assert len([i for i in embedded_store.node_ids(label="Disease") if i == "DOID:10763"]) == 1
    notes = {s.source: s.notes for s in report.sources}
    assert notes["hsdn"]["duplicate_pairs_merged"] == 12  # the sample keeps HSDN's 3-MeSH coronary artery disease
    assert int(notes["pharmacotherapydb"]["nodes_merged_with_other_sources"]) > 0
    depts = {r.end for r in embedded_store.relationships_of("DOID:10763", rel_types=["TREATED_IN"])}
    assert depts == {"medkg:dept:cardiology"}


def test_changed_file_updates_instead_of_duplicating(embedded_store: GraphStore, tmp_path: Path,
                                                     settings: Settings) -> None:
    """Re-ingesting a changed file updates the node and relationship in place; counts do not grow."""
    data = copy_sample(tmp_path)
    run_ingest(embedded_store, data, ["kg"], settings=settings)
    before = embedded_store.counts()
    ind = data / "kg/pharmacotherapydb/indications.tsv"
    rows = list(csv.reader(ind.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
    rows[1][5] = "99"  # n_curators of the first indication
    with ind.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t", lineterminator="\n").writerows(rows)
    nodes = data / "kg/hetionet/hetionet-v1.0-nodes.tsv"
    nodes.write_bytes(nodes.read_bytes().replace(b"\thypertension\t", b"\thypertensive disease\t"))
    run_ingest(embedded_store, data, ["kg"], settings=settings)
    assert embedded_store.counts() == before
    node = embedded_store.get_node("DOID:10763")
    assert node is not None and node.name == "hypertensive disease"
    start, end = f"DrugBank:{rows[1][1]}", rows[1][0]
    rel = [r for r in embedded_store.relationships_of(end, direction="in") if r.start == start]
    assert [r.props["n_curators"] for r in rel] == [99]


def test_records_link_to_kg_concepts(embedded_store: GraphStore, settings: Settings) -> None:
    """Synthea conditions link (IS_A) to DOID diseases, medications to DrugBank compounds; rates are reported."""
    report = run_ingest(embedded_store, SAMPLE_DIR, ["kg", "records"], settings=settings)
    syn = next(s for s in report.sources if s.source == "synthea")
    assert float(syn.notes["condition_codes_to_doid_rate"]) > 0.1
    assert float(syn.notes["medication_rows_linked_rate"]) > 0.9
    is_a = embedded_store.relationships_of("DOID:10763", rel_types=["IS_A"], direction="in")
    assert is_a, "hypertension conditions should link to DOID:10763"
    cond = embedded_store.get_node(is_a[0].start)
    assert isinstance(cond, Node) and cond.label == "Condition" and cond.name == "Hypertension"

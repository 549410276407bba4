"""Ingest over Bolt (Neo4j adapter on the ArcadeDB/Neo4j test server): idempotent on a small sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest import run_ingest
from kg.store import GraphStore
from medkg.data import SAMPLE_DIR
from medkg.settings import Settings

pytestmark = pytest.mark.bolt


def _state(store: GraphStore) -> dict[str, Any]:
    ids = store.node_ids()
    return {
        "counts": store.counts().model_dump(),
        "nodes": {n.id: n.model_dump() for n in store.get_nodes(ids)},
        "rels": sorted(r.key for i in ids for r in store.relationships_of(i, direction="out", limit=10_000)),
    }


def test_ingest_twice_over_bolt_is_identical(bolt_store: GraphStore, tmp_path: Path) -> None:
    """kg + resources of the sample (limited) twice over Bolt: same counts, nodes and relationships."""
    settings = Settings(home=tmp_path, batch_size=200)
    report = run_ingest(bolt_store, SAMPLE_DIR, ["kg", "records", "resources"], settings=settings, limit=60)
    assert report.sources and sum(s.nodes_written for s in report.sources) > 300
    first = _state(bolt_store)
    assert first["counts"]["nodes"].get("Disease", 0) > 0
    run_ingest(bolt_store, SAMPLE_DIR, ["kg", "records", "resources"], settings=settings, limit=60)
    assert _state(bolt_store) == first
    node = bolt_store.get_node("DOID:10763")
    assert node is not None and node.name == "hypertension"

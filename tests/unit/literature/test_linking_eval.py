"""Linking evaluation: MeSH mapping of linked nodes and the micro precision/recall arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.literature.linking_eval import evaluate_linking, heading_keys, node_headings
from kg.embedded import EmbeddedGraphStore
from medkg.types import Node
from tests.unit.literature.helpers import KG_NODES, write_jsonl


def test_heading_keys_uninvert() -> None:
    assert heading_keys("Diabetes Mellitus, Type 2") == ["diabetes mellitus type 2", "type 2 diabetes mellitus"]


def test_node_headings_by_id_xref_and_name() -> None:
    vocab = {k: h for h in ("Headache", "Lung Neoplasms", "Metformin") for k in heading_keys(h)}
    names = {"MESH:D008175": "Lung Neoplasms"}
    by_id = Node(id="MESH:D006261", label="Symptom", name="Headache", sources=("t",))
    by_xref = Node(id="DOID:1324", label="Disease", name="lung cancer", sources=("t",),
                   props={"xrefs": ["MESH:D008175"]})
    unnamed = Node(id="DOID:1", label="Disease", name="x disease", sources=("t",), props={"xrefs": ["MESH:D000001"]})
    by_name = Node(id="DrugBank:DB00331", label="Compound", name="Metformin", sources=("t",))
    none = Node(id="UBERON:1", label="Anatomy", name="pancreas", sources=("t",))
    assert node_headings(by_id, names, vocab) == {"Headache"}
    assert node_headings(by_id, names, {}) == {"Headache"}  # a MeSH concept outside the vocabulary still counts
    assert node_headings(unnamed, names, vocab) == {"MESH:D000001"}
    assert node_headings(by_xref, names, vocab) == {"Lung Neoplasms"}
    assert node_headings(by_name, names, vocab) == {"Metformin"}
    assert node_headings(none, names, vocab) == set()


def test_evaluate_linking_micro_scores(embedded_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """Abstract 1 predicts {T2DM, Metformin, Fever}, gold {T2DM, Metformin, Apoptosis}; abstract 2 predicts
    {Headache} (a MeSH node, though no abstract is indexed with it), gold {Fever}: P = 2/4, R = 2/4 overall,
    restricted gold (reachable from the KG) = 3 → R = 2/3."""
    embedded_store.upsert_nodes(KG_NODES)
    abstracts = write_jsonl(tmp_path / "a.jsonl", [
        {"pmid": "1", "mesh": ["Diabetes Mellitus, Type 2", "Metformin", "Apoptosis"], "sections": [
            {"label": "RESULTS", "text": "Metformin in type 2 diabetes mellitus; no fever."}]},
        {"pmid": "2", "mesh": ["Fever"], "sections": [{"label": "RESULTS", "text": "Headache was common."}]},
    ])
    s = evaluate_linking(embedded_store, abstracts)
    assert (s.abstracts, s.predicted, s.correct, s.gold, s.gold_in_vocabulary) == (2, 4, 2, 4, 3)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    assert s.recall_in_vocabulary == pytest.approx(0.6667, abs=1e-4)

"""Literature through the one ingest pipeline (``run_ingest(..., ["literature"])``): graph shape, MENTIONS props,
idempotent re-ingest, passages a new file lacks kept (``replace``: removed and counted), graph/index agreement
(fake indexer and the real PassageIndexer), missing files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest import IngestReport, LiteratureSetup, run_ingest
from ingest.literature import LiteratureSource, PassageIndexerLike, has_literature
from kg.embedded import EmbeddedGraphStore
from medkg.errors import DataFileError
from medkg.settings import Settings
from medkg.types import Relationship
from tests.unit.literature.fakes import FakeIndexer
from tests.unit.literature.helpers import KG_NODES, PUBMED_XML, write_data_dir, write_jsonl


@pytest.fixture()
def kg_store(embedded_store: EmbeddedGraphStore) -> EmbeddedGraphStore:
    embedded_store.upsert_nodes(KG_NODES)
    return embedded_store


def _settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", batch_size=3)  # tiny batches exercise the batching


def ingest_literature(store: EmbeddedGraphStore, data: Path, settings: Settings, *, indexer: PassageIndexerLike,
                      sources: list[LiteratureSource] | None = None, **kw: object) -> IngestReport:
    setup = LiteratureSetup(indexer=indexer, sources=sources)
    return run_ingest(store, data, ["literature"], settings=settings, literature=setup, **kw)  # type: ignore[arg-type]


def _snapshot(store: EmbeddedGraphStore) -> tuple[list[str], list[str]]:
    ids = store.node_ids(label="Passage") + store.node_ids(label="Document")
    nodes = sorted(n.model_dump_json() for n in store.get_nodes(ids))
    rels: set[str] = set()
    for i in ids:
        rels.update(r.model_dump_json() for r in store.relationships_of(i))
    return nodes, sorted(rels)


def _mentions(store: EmbeddedGraphStore, cid: str) -> dict[str, Relationship]:
    return {r.end: r for r in store.relationships_of(cid, rel_types=["MENTIONS"], direction="out")}


def test_ingest_writes_documents_passages_and_mentions(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data")
    idx = FakeIndexer()
    report = ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx)
    assert [s.source for s in report.sources] == ["pubmed", "bioasq", "medquad", "zhdlg"]
    assert report.rejected == 0
    counts = kg_store.counts()
    passages = set(kg_store.node_ids(label="Passage"))
    assert {"pmid:101#background", "pmid:101#results", "bioasq:900#1", "bioasq:900#2", "bioasq:901#1",
            "medquad:0001_1-1", "medquad:0002_1-1", "zhdlg:1", "zhdlg:2"} <= passages
    assert counts.nodes["Passage"] == len(passages) == counts.relationships["HAS_PASSAGE"]
    assert counts.nodes["Document"] == 2 + 2 + 2 + 2
    node = kg_store.get_node("pmid:101#results")
    assert node is not None and node.props["text"] == "Metformin lowered glucose. Patients denied chest pain."
    assert node.props["pmid"] == "101" and node.props["section"] == "results" and node.props["source"] == "pubmed"
    doc = kg_store.get_node("pmid:101")
    assert doc is not None and doc.label == "Document"
    assert doc.props["mesh"] == ["Diabetes Mellitus, Type 2", "Metformin"]
    m = _mentions(kg_store, "pmid:101#results")
    assert set(m) == {"DrugBank:DB00331", "MESH:D002637"}
    chest = m["MESH:D002637"]
    assert chest.props["negated"] is True and chest.props["surface"] == "chest pain" and chest.source == "pubmed"
    text = str(node.props["text"])
    start, end = chest.props["start"], chest.props["end"]
    assert isinstance(start, int) and isinstance(end, int) and text[start:end] == "chest pain"
    zh = _mentions(kg_store, "zhdlg:1")
    assert zh["medkg:zh:disease:2型糖尿病"].props["negated"] is False
    assert zh["medkg:zh:symptom:头痛"].props["negated"] is True
    zh_node = kg_store.get_node("zhdlg:1")
    assert zh_node is not None and zh_node.lang == "zh" and zh_node.props["department"] == "内分泌科"
    assert idx.passage_ids() == passages
    notes = report.sources[0].notes
    assert notes["passages"] == 4 and float(notes["link_rate"]) > 0


def test_reingest_is_idempotent(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """Ingesting the same files twice leaves exactly the same graph and index."""
    data = write_data_dir(tmp_path / "data")
    idx = FakeIndexer()
    ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx)
    before = _snapshot(kg_store)
    changed = idx.changed
    ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx)
    assert _snapshot(kg_store) == before
    assert idx.changed == changed and idx.deleted == []
    assert kg_store.counts().nodes["Disease"] == sum(1 for n in KG_NODES if n.label == "Disease")


def test_reingest_keeps_what_the_new_file_lacks_unless_replace(kg_store: EmbeddedGraphStore,
                                                               tmp_path: Path) -> None:
    """A smaller file merges (the stored documents it lacks stay, counted as kept); ``replace`` removes them from
    graph and index and says how many."""
    data = write_data_dir(tmp_path / "data", pubmed_pmids=("101", "102"))
    idx = FakeIndexer()
    ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx)
    write_data_dir(tmp_path / "data", pubmed_pmids=("101", "103"))
    report = ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx)
    assert report.sources[0].notes["kept_not_in_file"] == 3  # pmid:102, its two passages
    assert {"pmid:102#results", "pmid:103#results"} <= set(kg_store.node_ids(label="Passage"))
    assert idx.passage_ids() == set(kg_store.node_ids(label="Passage"))
    report = ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx, replace=True)
    assert report.sources[0].notes["removed_not_in_file"] == 3
    graph = set(kg_store.node_ids(label="Passage"))
    assert "pmid:102#results" not in graph and "pmid:102" not in kg_store.node_ids(label="Document")
    assert "pmid:103#results" in graph
    assert not kg_store.relationships_of("pmid:102#results")
    assert idx.passage_ids() == graph
    assert "pmid:102#results" in idx.deleted
    assert "bioasq:900#1" in graph  # other sources untouched


def test_reconcile_repairs_an_index_that_drifted(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """Orphans in the index are removed and passages missing from it are re-added from the graph."""
    data = write_data_dir(tmp_path / "data")
    idx = FakeIndexer()
    ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx)
    lost = idx.records.pop("bioasq:901#1")
    idx.records["pmid:999#results"] = lost.model_copy(update={"citation_id": "pmid:999#results"})
    only_pubmed = [LiteratureSource(name="pubmed", path=data / "literature" / "pubmed_abstracts.jsonl",
                                    format="pubmed_jsonl")]
    ingest_literature(kg_store, data, _settings(tmp_path), indexer=idx, sources=only_pubmed)
    assert idx.passage_ids() == set(kg_store.node_ids(label="Passage"))
    assert idx.records["bioasq:901#1"].text == lost.text and idx.records["bioasq:901#1"].pmid == "901"


def test_limit_and_user_xml(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data", pubmed_pmids=("101", "102", "104"))
    (data / "literature" / "mine.xml").write_text(PUBMED_XML, encoding="utf-8")
    report = ingest_literature(kg_store, data, _settings(tmp_path), indexer=FakeIndexer(), limit=1)
    by = {s.source: s for s in report.sources}
    assert by["pubmed"].rows_read == 1 and by["pubmed-xml:mine"].rows_read == 1
    assert kg_store.get_node("pmid:111#results") is not None


def test_missing_files(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """A missing source file is reported as skipped, strict or not (the bundled sample has no BioASQ); no
    literature file at all is an error naming the expected paths."""
    data = write_data_dir(tmp_path / "data")
    (data / "literature" / "medquad.jsonl").unlink()
    for strict in (False, True):
        report = ingest_literature(kg_store, data, _settings(tmp_path), indexer=FakeIndexer(), strict=strict)
        mq = next(s for s in report.sources if s.source == "medquad")
        assert "medquad.jsonl" in str(mq.notes["skipped"]) and not mq.rejected
        assert next(s for s in report.sources if s.source == "pubmed").nodes_written > 0
    assert has_literature(data) and not has_literature(tmp_path / "empty")
    with pytest.raises(DataFileError, match=r"pubmed_abstracts\.jsonl"):
        ingest_literature(kg_store, tmp_path / "empty", _settings(tmp_path), indexer=FakeIndexer())


def test_bad_rows_reported(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data")
    write_jsonl(data / "literature" / "bioasq_snippets.jsonl", [{"document": "5", "text": "Fever."}, "{bad"])
    report = ingest_literature(kg_store, data, _settings(tmp_path), indexer=FakeIndexer())
    bio = next(s for s in report.sources if s.source == "bioasq")
    assert [(r.line, "malformed JSON" in r.reason) for r in bio.rejected] == [(2, True)]
    write_jsonl(data / "literature" / "pubmed_abstracts.jsonl", [
        {"pmid": "7", "sections": [{"label": "A", "text": "Fever."}]},
        {"pmid": "7", "sections": [{"label": "A", "text": "Again."}]}])
    report = ingest_literature(kg_store, data, _settings(tmp_path), indexer=FakeIndexer())
    pub = next(s for s in report.sources if s.source == "pubmed")
    assert [r.line for r in pub.rejected] == [2] and "duplicate document pmid:7" in pub.rejected[0].reason
    assert kg_store.get_node("pmid:7#a") is not None
    out = report.write_rejects(tmp_path / "rejects.jsonl")
    assert "bioasq" in out.read_text(encoding="utf-8")


class _HashEmbedder:
    """A deterministic 16-d embedder so the real indexer runs without loading a model."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    @property
    def model_id(self) -> str:
        return f"hash-{self.tag}"

    @property
    def dim(self) -> int:
        return 16

    def _vec(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], dtype=np.uint8).astype(np.float32) + 1
                for t in texts]
        arr = np.vstack(rows) if rows else np.zeros((0, 16), dtype=np.float32)
        out: np.ndarray = (arr / np.linalg.norm(arr, axis=1, keepdims=True)).astype(np.float32)  # type: ignore[type-arg]
        return out

    def embed_passages(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:  # type: ignore[type-arg]
        if progress is not None:
            progress(len(texts))
        return self._vec(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        return self._vec(texts)


def test_graph_and_real_index_agree(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """With the real PassageIndexer: after ingest and after a re-ingest of a changed file, the index holds
    exactly the graph's passages."""
    indexing = pytest.importorskip("retrieval.indexing")
    from retrieval.embedder import EmbedderConfig

    ix = indexing.PassageIndexer(tmp_path / "index", EmbedderConfig(),
                                 preloaded={"en": _HashEmbedder("en"), "zh": _HashEmbedder("zh")})
    try:
        data = write_data_dir(tmp_path / "data", pubmed_pmids=("101", "102"))
        ingest_literature(kg_store, data, _settings(tmp_path), indexer=ix)
        assert ix.passage_ids() == set(kg_store.node_ids(label="Passage"))
        write_data_dir(tmp_path / "data", pubmed_pmids=("101", "103"))
        ingest_literature(kg_store, data, _settings(tmp_path), indexer=ix, replace=True)
        graph = set(kg_store.node_ids(label="Passage"))
        assert ix.passage_ids() == graph and "pmid:102#results" not in graph
        assert ix.records(["zhdlg:1"])["zhdlg:1"].lang == "zh"
    finally:
        ix.close()

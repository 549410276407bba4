"""Issue 18, items 1, 2 and 16: an empty file is refused and destroys nothing; a strict run checks every file before
writing; an abort leaves the store as it was; the graph and the index agree on the passages after every failure
mode we can produce; missing optional sources are reported, not fatal, also under strict."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from ingest import IngestReport, LiteratureSetup, run_ingest
from kg.embedded import EmbeddedGraphStore
from medkg.data import SAMPLE_DIR
from medkg.errors import DataFileError, RowError
from medkg.settings import Settings
from medkg.types import Node
from retrieval import PassageRecord
from tests.unit.literature.fakes import FakeIndexer
from tests.unit.literature.helpers import KG_NODES, PUBMED_XML, write_data_dir, write_jsonl

PUBMED = "literature/pubmed_abstracts.jsonl"
ZH = "dialogue/zh_consultations.jsonl"


@pytest.fixture()
def kg_store(embedded_store: EmbeddedGraphStore) -> EmbeddedGraphStore:
    embedded_store.upsert_nodes(KG_NODES)
    return embedded_store


def _ingest(store: Any, data: Path, tmp_path: Path, indexer: Any, parts: Sequence[str] = ("literature",),
            **kw: Any) -> IngestReport:
    return run_ingest(store, data, list(parts), settings=Settings(home=tmp_path / "home", batch_size=3),
                      literature=LiteratureSetup(indexer=indexer), **kw)


def _state(store: EmbeddedGraphStore, idx: FakeIndexer) -> tuple[object, ...]:
    """What must not change: the store's counts, a name search, and the passages (graph and index)."""
    found = [n.id for n in store.find_nodes("diabetes", limit=50)]
    return (store.counts().model_dump(), found, sorted(store.node_ids(label="Passage")), sorted(idx.passage_ids()))


def _agree(store: EmbeddedGraphStore, idx: FakeIndexer) -> None:
    assert idx.passage_ids() == set(store.node_ids(label="Passage"))


@pytest.mark.parametrize("rel", [PUBMED, ZH])
@pytest.mark.parametrize("content", [b"", b"\n\n  \n"], ids=["0-byte", "blank-lines"])
def test_empty_literature_file_is_refused_and_deletes_nothing(kg_store: EmbeddedGraphStore, tmp_path: Path,
                                                            rel: str, content: bytes) -> None:
    """Old code: exit 0 and every stored document of the source deleted. Now: 'file is empty', nothing changes."""
    data = write_data_dir(tmp_path / "data")
    idx = FakeIndexer()
    _ingest(kg_store, data, tmp_path, idx)
    before = _state(kg_store, idx)
    (data / rel).write_bytes(content)
    with pytest.raises(DataFileError, match="file is empty") as e:
        _ingest(kg_store, data, tmp_path, idx)
    assert rel.rsplit("/", maxsplit=1)[-1] in str(e.value)
    assert _state(kg_store, idx) == before


def test_header_only_csv_is_refused(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data")
    (data / "literature" / "mine.csv").write_text("id,question,answer\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="file is empty"):
        _ingest(kg_store, data, tmp_path, FakeIndexer())
    assert not kg_store.node_ids(label="Passage")


def test_smaller_file_keeps_the_documents_it_lacks(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """Old code: a 1-row file left 1 document (the source was replaced wholesale). Now it merges."""
    data = write_data_dir(tmp_path / "data", pubmed_pmids=("101", "102", "103"))
    idx = FakeIndexer()
    _ingest(kg_store, data, tmp_path, idx)
    write_data_dir(tmp_path / "data", pubmed_pmids=("101",))
    report = _ingest(kg_store, data, tmp_path, idx)
    assert {"pmid:101", "pmid:102", "pmid:103"} <= set(kg_store.node_ids(label="Document"))
    assert report.sources[0].notes["kept_not_in_file"] == 6
    _agree(kg_store, idx)


def test_strict_checks_every_file_before_writing(kg_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """Old code: PubMed was replaced, then the strict abort on a later source left graph and index disagreeing.
    Now a bad row in the LAST source stops the run before the first write."""
    data = write_data_dir(tmp_path / "data")
    idx = FakeIndexer()
    _ingest(kg_store, data, tmp_path, idx)
    before = _state(kg_store, idx)
    write_data_dir(tmp_path / "data", pubmed_pmids=("555",))  # a new document in the first source ...
    with (data / ZH).open("a", encoding="utf-8") as f:
        f.write("{broken\n")  # ... and a malformed row in the last one
    with pytest.raises(RowError) as e:
        _ingest(kg_store, data, tmp_path, idx, strict=True)
    assert e.value.line == 3 and "zh_consultations.jsonl" in str(e.value)
    assert kg_store.get_node("pmid:555") is None
    assert _state(kg_store, idx) == before


def test_strict_abort_in_literature_leaves_the_kg_part_unwritten(embedded_store: EmbeddedGraphStore,
                                                                tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data")
    shutil.copytree(SAMPLE_DIR / "kg", data / "kg")
    write_jsonl(data / "literature" / "bioasq_snippets.jsonl", [{"document": "x", "text": "no pmid"}])
    with pytest.raises(RowError, match="bioasq_snippets"):
        _ingest(embedded_store, data, tmp_path, FakeIndexer(), parts=("kg", "literature"), strict=True)
    assert sum(embedded_store.counts().nodes.values()) == 0


class _FailingIndexer(FakeIndexer):
    """Fails its ``fail_on``-th upsert once (a full disk, a killed embedder)."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.fail_on, self.calls = fail_on, 0

    def upsert(self, passages: Sequence[PassageRecord], *, progress: Callable[[int], None] | None = None) -> int:
        self.calls += 1
        if self.calls == self.fail_on:
            raise OSError("no space left on device")
        return super().upsert(passages, progress=progress)


class _FailingStore:
    """The embedded store, whose ``fail_on``-th ``upsert_nodes`` fails (a transaction that could not commit)."""

    def __init__(self, inner: EmbeddedGraphStore, fail_on: int) -> None:
        self._inner, self.fail_on, self.calls = inner, fail_on, 0

    def upsert_nodes(self, nodes: Sequence[Node]) -> object:
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("database is locked")
        return self._inner.upsert_nodes(nodes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _break(data: Path, mode: str) -> None:
    if mode == "empty":
        (data / ZH).write_bytes(b"")
    elif mode == "wrong-encoding":
        (data / ZH).write_bytes("糖尿病".encode("gb18030") + b"\n")
    elif mode == "utf-16":
        (data / PUBMED).write_bytes((data / PUBMED).read_text(encoding="utf-8").encode("utf-16"))
    elif mode == "truncated-xml":
        (data / "literature" / "mine.xml").write_text(PUBMED_XML[: len(PUBMED_XML) // 2], encoding="utf-8")
    elif mode == "strict-bad-row":
        with (data / "literature" / "medquad.jsonl").open("a", encoding="utf-8") as f:
            f.write('{"id": "9", "question": "q"}\n')


@pytest.mark.parametrize("mode", ["empty", "wrong-encoding", "utf-16", "truncated-xml", "strict-bad-row",
                                  "index-fails", "store-fails", "replace-then-store-fails"])
def test_graph_and_index_agree_after_every_failure(kg_store: EmbeddedGraphStore, tmp_path: Path, mode: str) -> None:
    """After a refused input the store is as it was; after a failed write the index holds exactly the graph's
    passages (reconciled when the run stops), and a re-run converges to the full ingest."""
    data = write_data_dir(tmp_path / "data", pubmed_pmids=("101", "102"))
    idx: FakeIndexer = FakeIndexer()
    _ingest(kg_store, data, tmp_path, idx)
    full = _state(kg_store, idx)
    write_data_dir(tmp_path / "data", pubmed_pmids=("101", "103"))
    store: Any = kg_store
    kw: dict[str, Any] = {}
    if mode == "index-fails":  # the same index, whose second upsert (BioASQ's, after PubMed's) fails
        failing = _FailingIndexer(fail_on=2)
        failing.records = dict(idx.records)
        idx = failing
    if mode in ("store-fails", "replace-then-store-fails"):
        store = _FailingStore(kg_store, fail_on=2)
        kw["replace"] = mode.startswith("replace")
    if mode == "strict-bad-row":
        kw["strict"] = True
    _break(data, mode)
    with pytest.raises((DataFileError, OSError, RuntimeError)):
        _ingest(store, data, tmp_path, idx, **kw)
    _agree(kg_store, idx)
    if mode in ("empty", "wrong-encoding", "utf-16", "truncated-xml", "strict-bad-row"):
        assert _state(kg_store, idx) == full  # refused before the first write
    write_data_dir(tmp_path / "data", pubmed_pmids=("101", "103"))
    (data / "literature" / "mine.xml").unlink(missing_ok=True)
    _ingest(kg_store, data, tmp_path, idx)  # the re-run converges
    _agree(kg_store, idx)
    assert kg_store.get_node("pmid:103#results") is not None


def test_strict_on_a_data_dir_without_optional_sources(embedded_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """Old code: --strict on the bundled sample always failed on its missing BioASQ/MedQuAD after writing PubMed.
    Missing optional sources are reported as skipped; strict is about malformed rows."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    (data / "literature" / "bioasq_snippets.jsonl").unlink(missing_ok=True)
    report = _ingest(embedded_store, data, tmp_path, FakeIndexer(), parts=("all",), strict=True, limit=10)
    by = {s.source: s for s in report.sources}
    assert "skipped" in by["bioasq"].notes
    assert by["pubmed"].nodes_written > 0 and by["hetionet"].nodes_written > 0

"""The embedded store survives ``kill -9`` mid-load: every batch the writer reported is fully there, none half; a
literature ingest killed mid-source leaves a store and indexes that open, and its re-run converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from kg.embedded import EmbeddedGraphStore

BATCH = 400

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kg.embedded import EmbeddedGraphStore
    from medkg.types import Node, Relationship

    store = EmbeddedGraphStore(Path(sys.argv[1]))
    store.ensure_schema()
    size = int(sys.argv[2])
    for b in range(100000):
        src = f"batch{b}"
        ids = [f"medkg:b{b}-{j}" for j in range(size)]
        store.upsert_nodes([Node(id=i, label="Symptom", name=f"symptom {i}", sources=(src,)) for i in ids])
        store.upsert_relationships([Relationship(type="RELATED_TO", start=a, end=z, source=src, weight=0.5)
                                    for a, z in zip(ids, ids[1:])])
        print(b, flush=True)
    """
)


def test_kill_9_keeps_every_committed_batch_and_no_partial_one(tmp_path: Path) -> None:
    """After SIGKILL the store opens, every reported batch is complete and the in-flight one is all or nothing."""
    db = tmp_path / "graph.sqlite3"
    errors = tmp_path / "child.err"
    reported: list[int] = []
    with errors.open("w") as err, subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(BATCH)],
                                                   stdout=subprocess.PIPE, stderr=err, text=True) as child:
        assert child.stdout is not None
        try:
            while len(reported) < 8:
                line = child.stdout.readline()
                if not line:
                    break
                reported.append(int(line))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    assert len(reported) == 8, errors.read_text()[-2000:]
    assert child.returncode == -signal.SIGKILL

    store = EmbeddedGraphStore(db)
    try:
        for b in range(reported[-1] + 1):
            assert len(store.node_ids(source=f"batch{b}")) == BATCH
            assert len(store.relationships_of(f"medkg:b{b}-0", direction="out")) == 1
        in_flight = reported[-1] + 1
        nodes_after = {len(store.node_ids(source=f"batch{b}")) for b in range(in_flight, in_flight + 3)}
        assert nodes_after <= {0, BATCH}
        counts = store.counts()
        total_nodes = counts.nodes.get("Symptom", 0)
        total_rels = counts.relationships.get("RELATED_TO", 0)
        assert total_nodes % BATCH == 0 and total_nodes >= len(reported) * BATCH
        assert total_rels % (BATCH - 1) == 0 and total_rels >= len(reported) * (BATCH - 1)
        assert total_nodes // BATCH - total_rels // (BATCH - 1) in (0, 1)
    finally:
        store.close()


LITERATURE_CHILD = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    from ingest import LiteratureSetup, run_ingest
    from kg.embedded import EmbeddedGraphStore
    from medkg.settings import Settings
    from retrieval import EmbedderConfig, PassageIndexer
    from tests.unit.literature.test_ingest import _HashEmbedder

    root, data = Path(sys.argv[1]), Path(sys.argv[2])
    store = EmbeddedGraphStore(root / "graph.sqlite3")
    inner = store.upsert_nodes
    def upsert_nodes(nodes):
        out = inner(nodes)
        print(len(nodes), flush=True)
        time.sleep(0.2)  # the parent kills while this process is between two batches of one source
        return out
    if len(sys.argv) > 3:  # the run to kill reports each committed node batch
        store.upsert_nodes = upsert_nodes
    index = PassageIndexer(root / "index", EmbedderConfig(), preloaded={"en": _HashEmbedder("en"),
                                                                         "zh": _HashEmbedder("zh")})
    report = run_ingest(store, data, ["literature"], settings=Settings(home=root / "home", batch_size=40),
                        literature=LiteratureSetup(indexer=index))
    print("done", sum(int(s.notes.get("index_added", 0)) for s in report.sources), flush=True)
    index.close()
    store.close()
    """
)


def _literature_data(root: Path) -> Path:
    from tests.unit.literature.helpers import write_data_dir, write_jsonl

    data = write_data_dir(root / "data", pubmed_pmids=tuple(str(100 + i) for i in range(60)))
    write_jsonl(data / "literature" / "bioasq_snippets.jsonl",
                [{"document": str(5000 + i // 2), "text": f"Snippet {i} about fever and headache."}
                 for i in range(80)])
    (data / "dialogue" / "zh_consultations.jsonl").unlink()  # jieba's dictionary takes seconds to load
    return data


def _run_child(args: list[str], kill_after: int | None, errors: Path) -> tuple[list[str], int]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out: list[str] = []
    cmd = [sys.executable, "-c", LITERATURE_CHILD, *args]
    with errors.open("w") as err, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                                   env=env) as child:
        assert child.stdout is not None
        try:
            for line in child.stdout:
                out.append(line.strip())
                if kill_after is not None and len(out) >= kill_after:
                    os.kill(child.pid, signal.SIGKILL)
                    break
        finally:
            child.wait(timeout=120)
    return out, child.returncode


def test_kill_9_during_literature_ingest_then_rerun_converges(tmp_path: Path) -> None:
    """kill -9 while the second literature source is being written: the store and the indexes open, the first
    source is whole in graph and index, and a re-run leaves graph and index holding exactly the same passages, the
    same as an ingest that was never killed."""
    from ingest import LiteratureSetup, run_ingest
    from medkg.settings import Settings
    from retrieval import EmbedderConfig, PassageIndexer
    from tests.unit.literature.test_ingest import _HashEmbedder

    data = _literature_data(tmp_path)
    errors = tmp_path / "child.err"
    # PubMed: 60 documents + 120 passages = 5 node batches of 40; BioASQ's 3 follow PubMed's index step.
    out, code = _run_child([str(tmp_path), str(data), "report"], kill_after=6, errors=errors)
    assert code == -signal.SIGKILL, errors.read_text()[-2000:]
    store = EmbeddedGraphStore(tmp_path / "graph.sqlite3")
    index = PassageIndexer(tmp_path / "index", EmbedderConfig(),
                           preloaded={"en": _HashEmbedder("en"), "zh": _HashEmbedder("zh")})
    try:
        pubmed = set(store.node_ids(label="Passage", source="pubmed"))
        assert len(pubmed) == 120 and pubmed <= index.passage_ids()
        bioasq_in_graph = set(store.node_ids(label="Passage", source="bioasq"))
        assert 0 < len(bioasq_in_graph) < 80  # killed mid-source
    finally:
        index.close()
        store.close()
    out, code = _run_child([str(tmp_path), str(data)], kill_after=None, errors=errors)
    assert code == 0 and out[-1].startswith("done"), errors.read_text()[-2000:]

    fresh = tmp_path / "fresh"  # the same ingest, never killed (in this process)
    fresh_store = EmbeddedGraphStore(fresh / "graph.sqlite3")
    fresh_index = PassageIndexer(fresh / "index", EmbedderConfig(),
                                 preloaded={"en": _HashEmbedder("en"), "zh": _HashEmbedder("zh")})
    try:
        run_ingest(fresh_store, data, ["literature"], settings=Settings(home=fresh / "home", batch_size=40),
                   literature=LiteratureSetup(indexer=fresh_index))
    finally:
        fresh_index.close()
        fresh_store.close()
    stores = [EmbeddedGraphStore(r / "graph.sqlite3") for r in (tmp_path, fresh)]
    hashed = {"en": _HashEmbedder("en"), "zh": _HashEmbedder("zh")}
    indexes = [PassageIndexer(r / "index", EmbedderConfig(), preloaded=hashed) for r in (tmp_path, fresh)]
    try:
        for s, ix in zip(stores, indexes, strict=True):
            assert ix.passage_ids() == set(s.node_ids(label="Passage"))
        assert stores[0].counts() == stores[1].counts()
        assert indexes[0].passage_ids() == indexes[1].passage_ids()
        assert len(stores[0].node_ids(label="Passage", source="bioasq")) == 80
    finally:
        for ix in indexes:
            ix.close()
        for s in stores:
            s.close()

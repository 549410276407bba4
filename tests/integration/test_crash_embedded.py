"""The embedded store survives ``kill -9`` mid-load: every batch the writer reported is fully there, none half."""

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

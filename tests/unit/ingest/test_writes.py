"""Background writes: same graph as writing at once, order kept, reads wait, and a failed write is raised, not lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from ingest import run_ingest
from ingest.pipeline import IngestOptions, ingest_source
from ingest.readers.base import Item, ReadContext
from ingest.writes import BackgroundWrites, DirectWrites, writes_for
from kg.store import GraphStore, WriteReport, store_waits_on_server
from medkg.data import SAMPLE_DIR
from medkg.errors import MissingEndpointError
from medkg.settings import Settings
from medkg.types import Node, Relationship
from tests.unit.ingest.memstore import MemStore

PARTS = ["kg", "records", "resources"]


class ServerStore(MemStore):
    """A MemStore that says its writes wait on a server; each write may be held until ``gate`` opens, and the
    thread every write ran on is recorded."""

    waits_on_server = True

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.order: list[str] = []
        self.threads: set[str] = set()
        self.delay = 0.0  # seconds each write takes, so that writes lag behind the reading

    def upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport:
        self.gate.wait(5)
        time.sleep(self.delay)
        self.threads.add(threading.current_thread().name)
        self.order.extend(n.id for n in nodes)
        return super().upsert_nodes(nodes)

    def upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport:
        self.gate.wait(5)
        time.sleep(self.delay)
        self.threads.add(threading.current_thread().name)
        self.order.extend(f"{r.start}->{r.end}" for r in rels)
        return super().upsert_relationships(rels)


def _node(i: str) -> Node:
    return Node(id=i, label="Disease", name=f"disease {i}", sources=("test",))


def test_store_opt_in() -> None:
    """Only a store that declares waits_on_server gets background writes."""
    assert store_waits_on_server(ServerStore()) and not store_waits_on_server(MemStore())
    assert isinstance(writes_for(MemStore(), background=False), DirectWrites)
    bg = writes_for(ServerStore(), background=True)
    assert isinstance(bg, BackgroundWrites)
    bg.close()


def test_writes_run_in_order_after_submit_returns() -> None:
    """submit returns before the write ran; wait() returns after every write ran, in submission order."""
    st = ServerStore()
    st.gate.clear()
    w = BackgroundWrites(st)
    w.nodes("a", [_node("D:1"), _node("D:2")])
    w.relationships("a", [Relationship(type="RELATED_TO", start="D:1", end="D:2", source="test")])
    w.nodes("b", [_node("D:3")])
    assert st.nodes == {}  # nothing written while the gate is closed
    st.gate.set()
    w.wait()
    assert st.order == ["D:1", "D:2", "D:1->D:2", "D:3"]
    assert w.finished_at("a") is not None and w.finished_at("b") is not None and w.finished_at("c") is None
    assert st.threads == {"medkg-ingest-writes"}
    w.close()


def test_failed_write_is_raised_and_later_writes_dropped() -> None:
    """A failing upsert is raised again (as itself) in the caller; nothing queued after it is written."""
    st = ServerStore()
    st.gate.clear()
    w = BackgroundWrites(st)
    w.relationships("a", [Relationship(type="RELATED_TO", start="D:1", end="D:404", source="test")])
    w.nodes("b", [_node("D:1")])
    st.gate.set()
    with pytest.raises(MissingEndpointError):
        w.wait()
    assert st.nodes == {}
    with pytest.raises(MissingEndpointError):
        w.nodes("c", [_node("D:2")])
    with pytest.raises(MissingEndpointError):
        w.close()
    assert st.nodes == {}


def test_close_waits_for_queued_writes() -> None:
    """close() returns only after every queued write committed; submitting after close is an error."""
    st = ServerStore()
    st.gate.clear()
    w = BackgroundWrites(st)
    w.nodes("a", [_node("D:1")])
    threading.Timer(0.05, st.gate.set).start()
    w.close()
    assert set(st.nodes) == {"D:1"}
    with pytest.raises(RuntimeError, match="after close"):
        w.nodes("a", [_node("D:2")])


class _Emit:
    """A reader that emits fixed nodes and records what its look-ups of ``look`` found in the store."""

    root: Path | None = None

    def __init__(self, source: str, nodes: list[Node], look: list[str]) -> None:
        self.source, self.nodes, self.look, self.seen = source, nodes, look, ["unset"]

    def files(self, data_dir: Path) -> list[Path]:
        return []

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        if self.look:
            assert ctx.lookup_nodes is not None and ctx.ids_of_label is not None
            self.seen = [n.id for n in ctx.lookup_nodes(self.look)] + ctx.ids_of_label("Symptom")
        yield from self.nodes


def test_reader_lookups_see_writes_still_queued(tmp_path: Path) -> None:
    """A reader's store look-ups wait for the previous source's writes, even while they are still queued."""
    st = ServerStore()
    st.gate.clear()
    w = BackgroundWrites(st)
    first = _Emit("first", [_node("D:1"), Node(id="S:1", label="Symptom", name="s", sources=("first",))], [])
    second = _Emit("second", [_node("D:2")], ["D:1"])
    ingest_source(st, first, tmp_path, IngestOptions(), writes=w)
    assert st.nodes == {}  # queued behind the gate
    threading.Timer(0.1, st.gate.set).start()
    ingest_source(st, second, tmp_path, IngestOptions(), writes=w)
    assert second.seen == ["D:1", "S:1"]
    w.close()
    assert set(st.nodes) == {"D:1", "S:1", "D:2"}


def _graph(store: MemStore) -> tuple[dict[str, Node], dict[tuple[str, str, str, str], Relationship]]:
    return dict(store.nodes), dict(store.rels)


def test_ingest_with_background_writes_equals_direct(tmp_path: Path) -> None:
    """The whole sample through background writes gives exactly the graph and report figures of direct writes
    (readers that look the store up wait for the writes before them)."""
    direct, background = MemStore(), ServerStore()
    background.delay = 0.002
    settings = Settings(home=tmp_path / "home", batch_size=50)
    a = run_ingest(direct, SAMPLE_DIR, PARTS, settings=settings)
    b = run_ingest(background, SAMPLE_DIR, PARTS, settings=settings)
    assert background.threads == {"medkg-ingest-writes"}
    assert _graph(background) == _graph(direct)
    strip = {"seconds"}
    assert [s.model_dump(exclude=strip) for s in b.sources] == [s.model_dump(exclude=strip) for s in a.sources]
    assert all(s.seconds > 0 for s in b.sources if "skipped" not in s.notes)


def test_ingest_write_error_surfaces(tmp_path: Path) -> None:
    """A store failing mid-ingest on the background thread fails run_ingest with that error."""

    class Failing(ServerStore):
        def upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport:
            raise MissingEndpointError(["X:1"])

    store: GraphStore = Failing()
    with pytest.raises(MissingEndpointError):
        run_ingest(store, SAMPLE_DIR, ["kg"], settings=Settings(home=tmp_path / "home", batch_size=50))

"""How the pipeline sends its upserts: at once (:class:`DirectWrites`), or on one background thread
(:class:`BackgroundWrites`) for a store whose writes mostly wait on a server, so that reading and merging the next
batch or source overlaps the server's work on the last one.

Both keep the synchronous guarantees the pipeline relies on:

- writes reach the store one at a time, in the order they were submitted (each upsert is still its own
  transaction, so a failed batch leaves nothing half-written and loses nothing stored before it);
- :meth:`Writes.wait` returns once every submitted write is committed; the pipeline calls it before each read
  that must see earlier writes (a reader's store lookups, the endpoint check of a source);
- the first failed write is raised again, as itself, by the next ``submit``/``wait``/``close``; nothing
  submitted after it is written (as when a synchronous ingest stops at a failed batch).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from kg import GraphStore
from medkg.types import Node, Relationship

__all__ = ["BackgroundWrites", "DirectWrites", "Writes", "writes_for"]

log = logging.getLogger(__name__)

_Job = Callable[[], object]


class Writes(Protocol):
    """Where the pipeline submits its upserts; ``tag`` names the source for :meth:`finished_at`."""

    def nodes(self, tag: str, nodes: Sequence[Node]) -> None: ...

    def relationships(self, tag: str, rels: Sequence[Relationship]) -> None: ...

    def wait(self) -> None: ...

    def finished_at(self, tag: str) -> float | None:
        """``time.perf_counter()`` when the last write of ``tag`` committed (None: it wrote nothing)."""
        ...

    def close(self) -> None: ...


class DirectWrites:
    """Each upsert runs in the caller's thread before the call returns."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._done: dict[str, float] = {}

    def nodes(self, tag: str, nodes: Sequence[Node]) -> None:
        self._store.upsert_nodes(nodes)
        self._done[tag] = time.perf_counter()

    def relationships(self, tag: str, rels: Sequence[Relationship]) -> None:
        self._store.upsert_relationships(rels)
        self._done[tag] = time.perf_counter()

    def wait(self) -> None:
        return None

    def finished_at(self, tag: str) -> float | None:
        return self._done.get(tag)

    def close(self) -> None:
        return None


class BackgroundWrites:
    """Upserts run on one daemon thread in submission order; at most ``depth`` wait in the queue (the caller
    blocks beyond that, which bounds the memory held by batches not yet written)."""

    def __init__(self, store: GraphStore, depth: int = 4) -> None:
        self._store = store
        self._jobs: queue.Queue[tuple[str, _Job] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._done: dict[str, float] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="medkg-ingest-writes", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            item = self._jobs.get()
            try:
                if item is None:
                    return
                tag, job = item
                if self._error is None:  # after a failure the rest is dropped, never written
                    try:
                        job()
                        self._done[tag] = time.perf_counter()
                    except BaseException as e:  # noqa: BLE001 - handed to the caller by _raise, never swallowed
                        self._error = e
                        log.debug("background write of %s failed: %s", tag, type(e).__name__)
            finally:
                self._jobs.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _submit(self, tag: str, job: _Job) -> None:
        if self._closed:
            raise RuntimeError("writes submitted after close()")
        self._raise()
        self._jobs.put((tag, job))

    def nodes(self, tag: str, nodes: Sequence[Node]) -> None:
        batch = list(nodes)
        self._submit(tag, lambda: self._store.upsert_nodes(batch))

    def relationships(self, tag: str, rels: Sequence[Relationship]) -> None:
        batch = list(rels)
        self._submit(tag, lambda: self._store.upsert_relationships(batch))

    def wait(self) -> None:
        self._jobs.join()
        self._raise()

    def finished_at(self, tag: str) -> float | None:
        return self._done.get(tag)

    def close(self) -> None:
        """Wait for every queued write, stop the thread, and raise the first write error if there was one."""
        if not self._closed:
            self._closed = True
            self._jobs.put(None)
            self._thread.join()
        self._raise()


def writes_for(store: GraphStore, background: bool) -> Writes:
    """:class:`BackgroundWrites` when ``background``, else :class:`DirectWrites`."""
    return BackgroundWrites(store) if background else DirectWrites(store)

"""``TempStore``: the real embedded store in a private temporary folder, for tests that need a graph store but no
``tmp_path`` (it replaces the hand-written in-memory fakes, which could drift from the protocol).

It is an :class:`~kg.embedded.EmbeddedGraphStore` (so it runs the contract suite unchanged, see ``test_stores.py``)
with two read-only views for assertions, ``nodes`` and ``rels``, and without fsync (nothing here must survive a
crash). The folder is removed on :meth:`close` or when the store is garbage-collected.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from kg.embedded import EmbeddedGraphStore
from medkg.types import Node, Relationship

__all__ = ["TempStore"]


class TempStore(EmbeddedGraphStore):
    """An empty embedded store (schema ensured) in a fresh temporary folder."""

    def __init__(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="medkg-test-store-"))
        super().__init__(folder / "graph.sqlite3")
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True)
        self._conn.execute("PRAGMA synchronous=OFF")
        self.ensure_schema()

    @property
    def nodes(self) -> dict[str, Node]:
        """Every stored node by id (a snapshot)."""
        return {n.id: n for n in self.get_nodes(self.node_ids())}

    @property
    def rels(self) -> dict[tuple[str, str, str, str], Relationship]:
        """Every stored relationship by its key ``(type, start, end, source)`` (a snapshot)."""
        return {r.key: r for i in self.node_ids() for r in self.relationships_of(i, direction="out", limit=1 << 62)}

    def close(self) -> None:
        super().close()
        self._cleanup()

"""The graph store ingest tests write to: the real embedded store in a temporary folder (no fake that could drift
from the GraphStore protocol), with ``nodes``/``rels`` views for assertions. See :mod:`tests.contract.temp_store`."""

from __future__ import annotations

from tests.contract.temp_store import TempStore as MemStore

__all__ = ["MemStore"]

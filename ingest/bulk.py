"""Process settings for a bulk load."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["fewer_gc_passes"]


@contextmanager
def fewer_gc_passes(young: int = 100_000, middle: int = 50, old: int = 100) -> Iterator[None]:
    """Run the block with CPython's cyclic collector triggered less often, then restore its thresholds.

    An ingest keeps hundreds of thousands of rows, nodes and property maps alive at once; with the default thresholds
    (700, 10, 10) the collector walks all of them again and again, about 10% of an embedded ingest's CPU and 60% of
    encoding nodes for Neo4j (measured on the full KG). Cycles are still collected, only in larger steps."""
    before = gc.get_threshold()
    gc.set_threshold(young, middle, old)
    try:
        yield
    finally:
        gc.set_threshold(*before)

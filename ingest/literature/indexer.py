"""What the literature index step needs from a passage indexer (``retrieval.PassageIndexer`` satisfies it;
tests inject a small in-memory one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from retrieval import PassageRecord

__all__ = ["PassageIndexerLike"]


@runtime_checkable
class PassageIndexerLike(Protocol):
    """Add/replace passages by citation id, delete by citation id, list the ids held."""

    def upsert(self, passages: Sequence[PassageRecord], *, progress: Callable[[int], None] | None = None) -> Any: ...

    def delete(self, citation_ids: Sequence[str]) -> int: ...

    def passage_ids(self) -> set[str]: ...

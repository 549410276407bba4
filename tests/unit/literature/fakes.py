"""An in-memory passage indexer standing in for ``retrieval.indexing.PassageIndexer`` in literature tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from retrieval.types import PassageRecord

__all__ = ["FakeIndexer"]


class FakeIndexer:
    """Keeps records by citation id; counts what it was asked to do."""

    def __init__(self) -> None:
        self.records: dict[str, PassageRecord] = {}
        self.upserts = 0
        self.changed = 0
        self.deleted: list[str] = []

    def upsert(self, passages: Sequence[PassageRecord], *, progress: Callable[[int], None] | None = None) -> int:
        self.upserts += 1
        for p in passages:
            if self.records.get(p.citation_id) != p:
                self.changed += 1
            self.records[p.citation_id] = p
        if progress is not None:
            progress(len(passages))
        return len(passages)

    def delete(self, citation_ids: Sequence[str]) -> int:
        n = 0
        for cid in citation_ids:
            if self.records.pop(cid, None) is not None:
                n += 1
                self.deleted.append(cid)
        return n

    def passage_ids(self) -> set[str]:
        return set(self.records)

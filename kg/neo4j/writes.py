"""Write helpers the Neo4j store runs inside its transactions: batching, one-record ``collect()`` results, and the
relationship upsert (ends resolved to element ids once, then one statement per type and batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from neo4j import ManagedTransaction

from kg.neo4j import cypher
from kg.neo4j.codec import rel_props
from medkg.errors import MissingEndpointError, StoreError
from medkg.types import Relationship

__all__ = ["chunks", "collected", "write_rels"]

T = TypeVar("T")


def chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``rows`` in slices of at most ``size``."""
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def collected(result: Any, key: str) -> list[Any]:
    """The list in column ``key`` of a one-record ``collect(...)`` result (no record: nothing matched)."""
    rec = result.single()
    return [] if rec is None else list(rec[key])


def write_rels(tx: ManagedTransaction, rels: Sequence[Relationship], batch_size: int, uri: str) -> int:
    """Upsert ``rels`` (distinct keys) in ``tx``, one statement per type and batch; returns how many were created.

    Every end is resolved to its element id first (:data:`~kg.neo4j.cypher.ELEMENT_IDS`): a missing one raises
    :class:`MissingEndpointError` naming them before anything is written (the caller's transaction rolls back)."""
    ends = list(dict.fromkeys(e for r in rels for e in (r.start, r.end)))
    eid: dict[str, str] = {}
    for ids in chunks(ends, batch_size):
        eid.update(collected(tx.run(cypher.ELEMENT_IDS, ids=list(ids)), "pairs"))
    missing = [e for e in ends if e not in eid]
    if missing:
        raise MissingEndpointError(missing)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rels:
        groups[r.type].append({"a": eid[r.start], "b": eid[r.end], "source": r.source, "props": rel_props(r)})
    created = 0
    for rel_type, rows in groups.items():
        for batch in chunks(rows, batch_size):
            rec = tx.run(cypher.UPSERT_RELS[rel_type], rows=list(batch)).single(strict=True)
            matched = int(rec["n"])
            if matched < len(batch):  # an end resolved a moment ago is gone: refuse rather than write part
                raise StoreError(f"Neo4j at {uri}: {len(batch) - matched} {rel_type} relationship(s) lost an "
                                 "endpoint during the transaction; rolled back")
            created += matched - int(rec["existed"])
    return created

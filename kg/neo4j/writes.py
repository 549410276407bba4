"""Write helpers the Neo4j store runs inside its transactions: batching, one-record ``collect()`` results, and the
relationship upsert (ends resolved to element ids once, then one statement per type and batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from neo4j import ManagedTransaction

from kg.neo4j import cypher
from kg.neo4j.codec import rel_props
from kg.schema import REL_TYPES
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


def _sole_labels(rels: Sequence[Relationship]) -> dict[str, str]:
    """The end ids whose every relationship here allows one label only (per :data:`kg.schema.REL_TYPES`)."""
    sole: dict[str, str | None] = {}
    for r in rels:
        spec = REL_TYPES[r.type]
        for end, labels in ((r.start, spec.start), (r.end, spec.end)):
            label = labels[0] if len(labels) == 1 else None
            sole[end] = label if sole.get(end, label) == label else None
    return {end: label for end, label in sole.items() if label is not None}


def write_rels(tx: ManagedTransaction, rels: Sequence[Relationship], batch_size: int, uri: str, *,
               by_label: bool = False) -> int:
    """Upsert ``rels`` (distinct keys) in ``tx``, one statement per type and batch; returns how many were created.

    Every end is resolved to its element id first (:data:`~kg.neo4j.cypher.ELEMENT_IDS`; with ``by_label``, ends
    the schema gives one label are tried under it first): a missing one raises :class:`MissingEndpointError`
    naming them before anything is written (the caller's transaction rolls back)."""
    ends = list(dict.fromkeys(e for r in rels for e in (r.start, r.end)))
    eid: dict[str, str] = {}
    if by_label:
        groups: dict[str, list[str]] = defaultdict(list)
        for end, label in _sole_labels(rels).items():
            groups[label].append(end)
        for label, members in groups.items():
            for ids in chunks(members, batch_size):
                eid.update(collected(tx.run(cypher.ELEMENT_IDS_OF_LABEL[label], ids=list(ids)), "pairs"))
    for ids in chunks([e for e in ends if e not in eid], batch_size):
        eid.update(collected(tx.run(cypher.ELEMENT_IDS, ids=list(ids)), "pairs"))
    missing = [e for e in ends if e not in eid]
    if missing:
        raise MissingEndpointError(missing)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rels:
        rows[r.type].append({"a": eid[r.start], "b": eid[r.end], "source": r.source, "props": rel_props(r)})
    created = 0
    for rel_type, typed in rows.items():
        for batch in chunks(typed, batch_size):
            rec = tx.run(cypher.UPSERT_RELS[rel_type], rows=list(batch)).single(strict=True)
            matched = int(rec["n"])
            if matched < len(batch):  # an end resolved a moment ago is gone: refuse rather than write part
                raise StoreError(f"Neo4j at {uri}: {len(batch) - matched} {rel_type} relationship(s) lost an "
                                 "endpoint during the transaction; rolled back")
            created += matched - int(rec["existed"])
    return created

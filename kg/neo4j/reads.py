"""Reads the Neo4j store runs inside its transactions: the neighbourhood walk's edge fetchers (see
:func:`kg.algo.select_neighbourhood`).

Walk levels are ranked on keys and weights only (:data:`~kg.neo4j.cypher.EDGE_KEYS_TOUCHING`); the full relationships
are read once, among the kept nodes (:data:`~kg.neo4j.cypher.EDGES_AMONG`), into the caller's ``full`` map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from kg.algo import Edge, EdgeFetcher
from kg.neo4j import cypher
from kg.neo4j.codec import rel_from_record
from medkg.types import Relationship

__all__ = ["Key", "walk_fetchers"]

Key = tuple[str, str, str, str]


def walk_fetchers(
    tx: ManagedTransaction, params: dict[str, Any], batch_size: int, full: dict[Key, Relationship]
) -> tuple[EdgeFetcher, EdgeFetcher]:
    """``(fetch, among)`` running in ``tx`` with the ``types``/``min_weight`` filter in ``params``; ``among``
    stores the relationships it reads in ``full`` (edge ``ref`` is the relationship key)."""

    def fetch(frontier: Sequence[str]) -> list[Edge]:
        found: dict[Key, Edge] = {}
        for i in range(0, len(frontier), batch_size):
            for rec in tx.run(cypher.EDGE_KEYS_TOUCHING, params, ids=list(frontier[i : i + batch_size])):
                for rel_type, start, end, source, w in rec["edges"]:
                    key = (rel_type, start, end, source)
                    found[key] = Edge(*key, None if w is None else float(w), key)
        return list(found.values())

    def among(ids: Sequence[str]) -> list[Edge]:
        for rec in tx.run(cypher.EDGES_AMONG, params, ids=list(ids)):
            start = rec["start"]
            for rel_type, end, p in rec["edges"]:
                r = rel_from_record(rel_type, start, end, p)
                full[r.key] = r
        return [Edge(r.type, r.start, r.end, r.source, r.weight, k) for k, r in full.items()]

    return fetch, among

"""An in-memory copy of the embedded store's adjacency for walks (neighbourhood, paths).

SQLite round-trips and re-parsing relationship documents dominated 2-hop walks on dense areas of the graph
(MEDLINE ``COOCCURS_WITH`` links most DOID diseases to each other, so a 100-node neighbourhood has ~5,000
relationships among its nodes). :class:`GraphCache` holds every relationship's key and weight by endpoint and
neighbour, plus the parsed nodes and relationships a walk returned, so repeated walks touch no SQL for edges.

It is a snapshot: the store drops it after its own writes and when ``PRAGMA data_version`` says another
connection committed (see :meth:`kg.embedded.EmbeddedGraphStore._graph`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from itertools import chain

from kg.algo import Edge, EdgeFetcher
from kg.embedded import sql
from medkg.types import Node, Relationship

__all__ = ["GraphCache", "RelRow", "materialise", "sql_fetcher", "walk_nodes"]

log = logging.getLogger(__name__)

RelRow = tuple[int, str, str, str, str, float | None]
"""``(rowid, type, start_id, end_id, source, weight)`` as read from the ``rels`` table."""

_MAX_PARSED = 200_000  # parsed nodes/relationships kept; past this the parsed maps are cleared (adjacency stays)


class GraphCache:
    """Adjacency of one committed state: node id -> neighbour id -> edges joining them (either direction)."""

    def __init__(self, rows: Iterable[RelRow], token: tuple[int, int]) -> None:
        self.token = token
        self.adj: dict[str, dict[str, list[Edge]]] = {}
        self.up: dict[str, dict[str, list[Edge]]] = {}  # each edge once, under its smaller endpoint id
        self.n_edges = 0
        intern = sys.intern  # shared, interned strings: less memory and identity-fast comparisons when sorting
        for rowid, rel_type, start_id, end_id, source, weight in rows:
            start, end = intern(start_id), intern(end_id)
            e = Edge(intern(rel_type), start, end, intern(source), weight, rowid)
            self.adj.setdefault(start, {}).setdefault(end, []).append(e)
            if start != end:
                self.adj.setdefault(end, {}).setdefault(start, []).append(e)
            lo, hi = (start, end) if start <= end else (end, start)
            self.up.setdefault(lo, {}).setdefault(hi, []).append(e)
            self.n_edges += 1
        self.rels: dict[object, Relationship] = {}
        self.nodes: dict[str, Node] = {}

    def remember(self, nodes: Iterable[Node] = (), rels: Iterable[tuple[object, Relationship]] = ()) -> None:
        """Keep parsed nodes/relationships for later walks (bounded)."""
        if len(self.rels) + len(self.nodes) > _MAX_PARSED:
            self.rels.clear()
            self.nodes.clear()
        self.nodes.update((n.id, n) for n in nodes)
        self.rels.update(rels)

    def fetchers(self, rel_types: Sequence[str] | None, min_weight: float | None) -> tuple[EdgeFetcher, EdgeFetcher]:
        """``(fetch, among)`` for :func:`kg.algo.select_neighbourhood`, filtered like the SQL ones."""
        types = None if rel_types is None else frozenset(rel_types)
        adj, up = self.adj, self.up
        unfiltered = types is None and min_weight is None

        def keep(e: Edge) -> bool:
            return ((types is None or e.type in types)
                    and (min_weight is None or e.weight is None or e.weight >= min_weight))

        def fetch(ids: Sequence[str]) -> list[Edge]:
            seen: dict[object, Edge] = {}
            for i in dict.fromkeys(ids):
                for edges in adj.get(i, {}).values():
                    for e in edges:
                        if keep(e):
                            seen[e.ref] = e
            return list(seen.values())

        def among(ids: Sequence[str]) -> list[Edge]:
            wanted = set(ids)
            lists: list[list[Edge]] = []
            for a in wanted:
                near = up.get(a)
                if near:
                    lists.extend(map(near.__getitem__, near.keys() & wanted))  # CPython iterates the smaller side
            found = chain.from_iterable(lists)
            return list(found) if unfiltered else [e for e in found if keep(e)]

        return fetch, among


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def sql_fetcher(conn: sqlite3.Connection, rel_types: Sequence[str] | None, min_weight: float | None) -> EdgeFetcher:
    """An edge fetcher reading ``rels`` directly (for graphs too big to cache)."""
    types = None if rel_types is None else _dumps(list(rel_types))

    def fetch(ids: Sequence[str]) -> list[Edge]:
        params = {"ids": _dumps(list(ids)), "types": types, "min_weight": min_weight}
        seen: dict[int, Edge] = {}
        for statement in (sql.RELS_TOUCHING_OUT, sql.RELS_TOUCHING_IN):
            for row in conn.execute(statement, params):
                seen[row[0]] = Edge(row[1], row[2], row[3], row[4], row[5], row[0])
        return list(seen.values())

    return fetch


def walk_nodes(conn: sqlite3.Connection, cache: GraphCache | None, ids: Sequence[str]) -> dict[str, Node]:
    """The nodes ``ids`` that exist, by id (parsed ones come from ``cache``, which keeps the new ones)."""
    found = {} if cache is None else {i: cache.nodes[i] for i in ids if i in cache.nodes}
    todo = [i for i in dict.fromkeys(ids) if i not in found]
    if todo:
        fresh = [Node.model_validate_json(doc) for (doc,) in conn.execute(sql.NODES_BY_IDS, {"ids": _dumps(todo)})]
        found.update((n.id, n) for n in fresh)
        if cache is not None:
            cache.remember(nodes=fresh)
    return found


def materialise(conn: sqlite3.Connection, cache: GraphCache | None, edges: Sequence[Edge]) -> list[Relationship]:
    """The relationships of ``edges`` (whose ``ref`` is the rowid), in order; parsed ones come from ``cache``."""
    parsed = {} if cache is None else cache.rels
    refs = [e.ref for e in edges]
    try:
        return list(map(parsed.__getitem__, refs))
    except KeyError:  # some not parsed yet: read those below
        todo = [r for r in refs if r not in parsed]
    fresh = {rowid: Relationship.model_validate_json(doc)
             for rowid, doc in conn.execute(sql.RELS_BY_ROWIDS, {"ids": _dumps(todo)})}
    out = [fresh[r] if r in fresh else parsed[r] for r in refs]
    if cache is not None:
        cache.remember(rels=fresh.items())
    return out

"""The embedded store's walk cache: same results as the uncached walk, and never stale after a write."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from kg.algo import Edge, select_neighbourhood
from kg.embedded import EmbeddedGraphStore
from kg.embedded.cache import GraphCache
from medkg.types import Node, Relationship
from tests.contract import fixtures as fx


def _edges(seed: int, n: int = 30, m: int = 120) -> list[Edge]:
    rng = random.Random(seed)
    out: dict[tuple[str, str, str, str], float | None] = {}
    while len(out) < m:
        a, b = f"n:{rng.randrange(n):02d}", f"n:{rng.randrange(n):02d}"
        out[(rng.choice(["RELATED_TO", "HAS_SYMPTOM"]), a, b, "s")] = rng.choice([None, 0.1, 0.5, 0.9])
    return [Edge(*key, w, ref) for ref, (key, w) in enumerate(out.items())]


def _fetcher(edges: list[Edge], types: set[str] | None, min_weight: float | None):  # type: ignore[no-untyped-def]
    def fetch(ids: Sequence[str]) -> list[Edge]:
        wanted = set(ids)
        return [e for e in edges if (e.start in wanted or e.end in wanted) and (types is None or e.type in types)
                and (min_weight is None or e.weight is None or e.weight >= min_weight)]

    return fetch


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("types", "min_weight"), [(None, None), (["HAS_SYMPTOM"], None), (None, 0.5)])
def test_cached_walk_equals_plain_walk(seed: int, types: list[str] | None, min_weight: float | None) -> None:
    """Cache fetchers (with ``among``) give exactly the nodes and edges of the plain fetch-only walk."""
    edges = _edges(seed)
    cache = GraphCache(((int(str(e.ref)), e.type, e.start, e.end, e.source, e.weight) for e in edges), (0, 0))
    fetch, among = cache.fetchers(types, min_weight)
    plain = _fetcher(edges, None if types is None else set(types), min_weight)
    for hops in (0, 1, 2, 3):
        for limit in (0, 3, 10, 100):
            want = select_neighbourhood(["n:00", "n:07"], hops, limit, plain)
            got = select_neighbourhood(["n:00", "n:07"], hops, limit, fetch, among)
            assert got.node_ids == want.node_ids
            assert [e[:4] for e in got.edges] == [e[:4] for e in want.edges]


def _rel(rel_type: str, start: str, end: str) -> Relationship:
    return Relationship(type=rel_type, start=start, end=end, source="test", weight=1.0)


def test_cache_sees_own_writes_and_deletes(tmp_path: Path) -> None:
    """A neighbourhood after an upsert or delete reflects it (the cached adjacency is dropped on write)."""
    store = EmbeddedGraphStore(tmp_path / "graph.sqlite3")
    try:
        fx.load(store)
        before = store.neighbourhood([fx.ATORVASTATIN], hops=2)
        assert [n.id for n in before.nodes] == [fx.ATORVASTATIN]
        store.upsert_relationships([_rel("TREATS", fx.ATORVASTATIN, fx.HTN)])
        after = store.neighbourhood([fx.ATORVASTATIN])
        assert [n.id for n in after.nodes] == [fx.ATORVASTATIN, fx.HTN]
        assert [r.key for r in after.relationships] == [("TREATS", fx.ATORVASTATIN, fx.HTN, "test")]
        store.upsert_nodes([Node(id=fx.HTN, label="Disease", name="high blood pressure", sources=("test",))])
        assert store.neighbourhood([fx.ATORVASTATIN]).nodes[1].name == "high blood pressure"
        store.delete_source("test")
        assert [n.id for n in store.neighbourhood([fx.ATORVASTATIN]).nodes] == [fx.ATORVASTATIN]
    finally:
        store.close()


def test_cache_sees_other_connections_writes(tmp_path: Path) -> None:
    """A write committed through another store object on the same file is seen by the next walk."""
    path = tmp_path / "graph.sqlite3"
    reader, writer = EmbeddedGraphStore(path), EmbeddedGraphStore(path)
    try:
        fx.load(writer)
        assert len(reader.neighbourhood([fx.ATORVASTATIN]).nodes) == 1
        assert reader.paths(fx.ATORVASTATIN, fx.HTN) == []
        writer.upsert_relationships([_rel("TREATS", fx.ATORVASTATIN, fx.HTN)])
        assert [n.id for n in reader.neighbourhood([fx.ATORVASTATIN]).nodes] == [fx.ATORVASTATIN, fx.HTN]
        (path_found,) = reader.paths(fx.ATORVASTATIN, fx.HTN)
        assert [r.key for r in path_found.relationships] == [("TREATS", fx.ATORVASTATIN, fx.HTN, "test")]
    finally:
        reader.close()
        writer.close()


def test_uncached_store_gives_the_same_walks(tmp_path: Path) -> None:
    """With the cache turned off (graph above ``max_cached_relationships``) walks read SQL and agree."""
    cached = EmbeddedGraphStore(tmp_path / "a.sqlite3")
    plain = EmbeddedGraphStore(tmp_path / "b.sqlite3", max_cached_relationships=0)
    try:
        fx.load(cached)
        fx.load(plain)
        for hops, limit in ((1, 100), (2, 100), (2, 3), (3, 9)):
            assert cached.neighbourhood([fx.T2DM], hops=hops, limit=limit) == plain.neighbourhood(
                [fx.T2DM], hops=hops, limit=limit)
        assert cached.paths(fx.METFORMIN, fx.HEADACHE) == plain.paths(fx.METFORMIN, fx.HEADACHE)
    finally:
        cached.close()
        plain.close()

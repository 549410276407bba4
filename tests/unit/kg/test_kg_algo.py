"""The backend-neutral walk and merge logic, checked against NetworkX on random graphs."""

from __future__ import annotations

import random
from collections.abc import Sequence

import networkx as nx
import pytest

from kg.algo import Edge, match_rank, merge_node, select_neighbourhood, shortest_paths
from tests.contract.fixtures import node


def _fetcher(edges: list[Edge]):  # type: ignore[no-untyped-def]
    def fetch(ids: Sequence[str]) -> list[Edge]:
        wanted = set(ids)
        return [e for e in edges if e.start in wanted or e.end in wanted]

    return fetch


def _random_graph(seed: int, n: int = 40, m: int = 70) -> tuple[nx.Graph, list[Edge]]:
    rng = random.Random(seed)
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(f"n:{i:02d}" for i in range(n))
    edges: list[Edge] = []
    while g.number_of_edges() < m:
        a, b = rng.sample(sorted(g.nodes), 2)
        if not g.has_edge(a, b):
            g.add_edge(a, b)
            edges.append(Edge("RELATED_TO", a, b, "s", rng.choice([None, 0.1, 0.5, 0.9]), (a, b)))
    return g, edges


@pytest.mark.parametrize("seed", range(8))
def test_shortest_paths_match_networkx(seed: int) -> None:
    """Bidirectional BFS finds exactly NetworkX's all shortest paths (within max_hops)."""
    g, edges = _random_graph(seed)
    rng = random.Random(seed + 100)
    for _ in range(15):
        a, b = rng.sample(sorted(g.nodes), 2)
        got = shortest_paths(a, b, 6, 10_000, _fetcher(edges))
        try:
            want = sorted(nx.all_shortest_paths(g, a, b))
        except nx.NetworkXNoPath:
            want = []
        want = [p for p in want if len(p) - 1 <= 6]
        assert [nodes for nodes, _ in got] == want
        for nodes, es in got:
            assert all({e.start, e.end} == {x, y} for e, x, y in zip(es, nodes, nodes[1:], strict=False))


@pytest.mark.parametrize("seed", range(8))
def test_neighbourhood_distances_match_networkx(seed: int) -> None:
    """Without a limit the walk keeps exactly the nodes within ``hops``, seeds first, nearer before farther."""
    g, edges = _random_graph(seed)
    seed_id = sorted(g.nodes)[seed]
    dist = nx.single_source_shortest_path_length(g, seed_id, cutoff=3)
    result = select_neighbourhood([seed_id], 3, 10_000, _fetcher(edges))
    assert set(result.node_ids) == set(dist)
    assert result.node_ids[0] == seed_id
    assert [dist[i] for i in result.node_ids] == sorted(dist[i] for i in result.node_ids)
    for e in result.edges:
        assert min(dist[e.start], dist[e.end]) < 3


def test_neighbourhood_limit_ranks_by_weight_then_id() -> None:
    """Within a level, heavier connecting relationships first, None weights last, then id."""
    edges = [Edge("RELATED_TO", "s:0", f"n:{i}", "x", w, i) for i, w in enumerate([None, 0.2, 0.9, 0.2, None])]
    result = select_neighbourhood(["s:0"], 1, 4, _fetcher(edges))
    assert result.node_ids == ["s:0", "n:2", "n:1", "n:3", "n:0"]
    assert {e.end for e in result.edges} == {"n:2", "n:1", "n:3", "n:0"}


def test_match_rank() -> None:
    """0 exact, 1 prefix, 2 substring, None otherwise; the best over all keys."""
    assert match_rank(["abc", "xab"], "ab") == 1
    assert match_rank(["xab", "ab"], "ab") == 0
    assert match_rank(["xaby"], "ab") == 2
    assert match_rank(["xyz"], "ab") is None


def test_merge_node_unions_and_overwrites() -> None:
    """Merging keeps old props keys, overwrites given ones and unions synonyms/sources sorted."""
    old = node("medkg:a", "Symptom", "A", "s2", synonyms=("b",), props={"x": 1, "y": 2})
    new = node("medkg:a", "Symptom", "A2", "s1", synonyms=("a", "b"), lang="zh", props={"y": 3})
    merged = merge_node(old, new)
    assert (merged.name, merged.lang, merged.synonyms, merged.sources) == ("A2", "zh", ("a", "b"), ("s1", "s2"))
    assert merged.props == {"x": 1, "y": 3}

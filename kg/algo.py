"""Backend-neutral graph logic shared by both stores: vocabulary checks, node merging, name-match ranking,
the neighbourhood walk and shortest paths.

Both :class:`~kg.embedded.EmbeddedGraphStore` and :class:`~kg.neo4j.Neo4jGraphStore` fetch edges their own way
and hand them to the functions here, so the two return identical results for the contract suite.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from kg.normalize import normalize_name
from kg.schema import LABELS, REL_TYPES
from medkg.errors import EmptyInputError, InputValidationError
from medkg.types import Node

__all__ = [
    "Edge",
    "EdgeFetcher",
    "NeighbourhoodResult",
    "check_labels",
    "check_non_negative",
    "check_rel_types",
    "match_rank",
    "merge_node",
    "merge_nodes",
    "name_keys",
    "normalized_query",
    "select_neighbourhood",
    "shortest_paths",
]

log = logging.getLogger(__name__)

_LABEL_SET = frozenset(LABELS)


class Edge(NamedTuple):
    """A relationship as the walks see it; ``ref`` lets the store materialise the full relationship later."""

    type: str
    start: str
    end: str
    source: str
    weight: float | None
    ref: object


EdgeFetcher = Callable[[Sequence[str]], list[Edge]]
"""Given node ids, every (already filtered) edge touching any of them, in either direction."""


def check_non_negative(name: str, value: int) -> None:
    """Raise :class:`InputValidationError` when a count argument (hops, limit, ...) is negative."""
    if value < 0:
        raise InputValidationError(f"{name} must be >= 0, got {value}")


def check_labels(labels: Iterable[str]) -> None:
    """Raise :class:`InputValidationError` naming every label not in :data:`kg.schema.LABELS`."""
    bad = sorted({lb for lb in labels if lb not in _LABEL_SET})
    if bad:
        raise InputValidationError(f"unknown node label(s) {', '.join(map(repr, bad))}; known: {', '.join(LABELS)}")


def check_rel_types(types: Iterable[str]) -> None:
    """Raise :class:`InputValidationError` naming every type not in :data:`kg.schema.REL_TYPES`."""
    bad = sorted({t for t in types if t not in REL_TYPES})
    if bad:
        raise InputValidationError(
            f"unknown relationship type(s) {', '.join(map(repr, bad))}; known: {', '.join(sorted(REL_TYPES))}"
        )


def _sorted_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def merge_node(old: Node | None, new: Node) -> Node:
    """The stored form of ``new`` merged into ``old``: scalars and each props key overwritten, synonyms and
    sources the sorted union (sorted and de-duplicated even for a new node, so a second upsert changes nothing)."""
    if old is None:
        return Node.model_construct(
            id=new.id, label=new.label, name=new.name, synonyms=_sorted_unique(new.synonyms), lang=new.lang,
            sources=_sorted_unique(new.sources), props=dict(new.props),
        )
    return Node.model_construct(
        id=new.id, label=new.label, name=new.name, synonyms=_sorted_unique((*old.synonyms, *new.synonyms)),
        lang=new.lang, sources=_sorted_unique((*old.sources, *new.sources)), props={**old.props, **new.props},
    )


def merge_nodes(nodes: Sequence[Node], existing: dict[str, Node]) -> tuple[dict[str, Node], int, int]:
    """Fold ``nodes`` (in order; an id may repeat) into ``existing``.

    Returns the merged node per distinct id, the number of ids that were new and the number that existed.
    """
    merged: dict[str, Node] = {}
    for node in nodes:
        prev = merged.get(node.id, existing.get(node.id))
        merged[node.id] = merge_node(prev, node)
    created = sum(1 for i in merged if i not in existing)
    return merged, created, len(merged) - created


def name_keys(node: Node) -> set[str]:
    """The normalised lookup keys of a node: its name and every synonym (empty keys dropped)."""
    keys = {normalize_name(node.name), *(normalize_name(s) for s in node.synonyms)}
    keys.discard("")
    return keys


def normalized_query(text: str) -> str:
    """The normalised form of a search text. A control character (NUL, ESC, ...; tabs and newlines are spaces)
    raises :class:`InputValidationError`; a text without a letter or digit ('', '_', '%', '*') raises
    :class:`EmptyInputError`, whatever the punctuation, so both stores give every such name one answer."""
    bad = next((c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r"), None)
    if bad is not None:
        raise InputValidationError(f"the name to look up contains the control character U+{ord(bad):04X}; "
                                   "give plain text")
    q = normalize_name(text)
    if not any(c.isalnum() for c in q):
        raise EmptyInputError("the name to look up has no letter or digit; give a name or synonym, e.g. asthma")
    return q


def match_rank(keys: Iterable[str], q: str) -> int | None:
    """0 exact, 1 prefix, 2 substring, ``None`` no match: the best over a node's lookup keys."""
    best: int | None = None
    for k in keys:
        r = 0 if k == q else 1 if k.startswith(q) else 2 if q in k else None
        if r is not None and (best is None or r < best):
            best = r
    return best


class NeighbourhoodResult(NamedTuple):
    """Ids chosen by the walk (seeds first, then by distance, weight, id) and the edges among them."""

    node_ids: list[str]
    edges: list[Edge]


def _better(w: float | None, than: float | None) -> bool:
    return w is not None and (than is None or w > than)


def select_neighbourhood(
    seeds: Sequence[str], hops: int, limit: int, fetch: EdgeFetcher, among: EdgeFetcher | None = None
) -> NeighbourhoodResult:
    """Breadth-first walk from ``seeds`` (which must exist) following the protocol's ranking.

    Nodes besides the seeds are ranked by distance, then by the highest weight of a relationship joining
    them to the previous level (``None`` last), then by id; the first ``limit`` are kept. Edges returned
    join two kept nodes and touch at least one node nearer than ``hops`` (so they lie on a walk of at most
    ``hops`` steps from a seed).

    A level is only expanded while fewer than ``limit`` nodes are kept (a farther level cannot displace a
    nearer one). ``among``, given the kept ids, returns every edge joining two of them, each once; without it
    the edges of the kept nodes nearer than ``hops`` are fetched and filtered, which is the same set but
    can be far more rows on a dense graph. ``fetch`` must also return each edge once per call.
    """
    dist: dict[str, int] = {s: 0 for s in seeds}
    chosen: list[str] = list(dict.fromkeys(seeds))
    n_seeds = len(chosen)
    frontier = list(chosen)
    for level in range(1, hops + 1):
        if not frontier or len(chosen) - n_seeds >= limit:
            break
        best: dict[str, float | None] = {}
        for e in fetch(frontier):
            for near, far in ((e.start, e.end), (e.end, e.start)):
                if (near in dist and dist[near] == level - 1 and far not in dist
                        and (far not in best or _better(e.weight, best[far]))):
                    best[far] = e.weight
        ranked = sorted(best, key=lambda i: (best[i] is None, -(best[i] or 0.0), i))
        room = limit - (len(chosen) - n_seeds)
        for i in ranked:
            dist[i] = level
        frontier = ranked
        chosen.extend(ranked[: max(room, 0)])
    if hops < 1:
        return NeighbourhoodResult(chosen, [])
    kept = set(chosen)
    outer = {i for i in chosen if dist[i] >= hops}  # an edge between two of these is on no walk of <= hops steps
    if among is not None:
        candidates = among(chosen)
    else:
        candidates = [e for e in fetch([i for i in chosen if dist[i] < hops]) if e.start in kept and e.end in kept]
    picked = [e for e in candidates if not (e.start in outer and e.end in outer)] if outer else list(candidates)
    picked.sort()  # by (type, start, end, source): keys are unique, so the tuples never compare further
    return NeighbourhoodResult(chosen, picked)


def _bfs_level(
    frontier: list[str], dist: dict[str, int], pred: dict[str, list[tuple[Edge, str]]], fetch: EdgeFetcher
) -> list[str]:
    """Expand one full level of a BFS; records every edge from the previous level as a predecessor."""
    level = dist[frontier[0]] + 1
    found: list[str] = []
    in_frontier = set(frontier)
    for e in fetch(frontier):
        for near, far in ((e.start, e.end), (e.end, e.start)):
            if near in in_frontier and (far not in dist or dist[far] == level) and near != far:
                if far not in dist:
                    dist[far] = level
                    found.append(far)
                if (e, near) not in pred.setdefault(far, []):
                    pred[far].append((e, near))
    return sorted(found)


def _walks(node: str, pred: dict[str, list[tuple[Edge, str]]], cap: int) -> list[tuple[list[str], list[Edge]]]:
    """Every shortest walk from the BFS root to ``node`` (nodes root-first, edges in order), at most ``cap``."""
    if node not in pred:
        return [([node], [])]
    out: list[tuple[list[str], list[Edge]]] = []
    for e, prev in sorted(pred[node], key=lambda p: (p[1], p[0].type, p[0].start, p[0].end, p[0].source)):
        for nodes, es in _walks(prev, pred, cap):
            out.append(([*nodes, node], [*es, e]))
            if len(out) >= cap:
                return out
    return out


def shortest_paths(
    start: str, end: str, max_hops: int, limit: int, fetch: EdgeFetcher
) -> list[tuple[list[str], list[Edge]]]:
    """All shortest undirected paths (at most ``limit``, at most ``max_hops`` long) between two existing ids.

    Bidirectional BFS expanding the smaller frontier; paths are distinct relationship sequences, ordered by
    their node ids then relationship keys.
    """
    if start == end:
        return [([start], [])]
    ds: dict[str, int] = {start: 0}
    dt: dict[str, int] = {end: 0}
    ps: dict[str, list[tuple[Edge, str]]] = {}
    pt: dict[str, list[tuple[Edge, str]]] = {}
    fs, ft = [start], [end]
    a = b = 0
    meet: list[str] = []
    while a + b < max_hops and fs and ft:
        if len(fs) <= len(ft):
            fs = _bfs_level(fs, ds, ps, fetch)
            a += 1
        else:
            ft = _bfs_level(ft, dt, pt, fetch)
            b += 1
        meet = sorted(i for i in ds if ds[i] == a and dt.get(i) == b)
        if meet:
            break
    if not meet:
        return []
    cap = max(limit, 1)
    found: list[tuple[list[str], list[Edge]]] = []
    for mid in meet:
        for left_nodes, left_edges in _walks(mid, ps, cap):
            for right_nodes, right_edges in _walks(mid, pt, cap):
                found.append(([*left_nodes, *reversed(right_nodes[:-1])], [*left_edges, *reversed(right_edges)]))
    found.sort(key=lambda p: (p[0], [(e.type, e.start, e.end, e.source) for e in p[1]]))
    return found[:limit]

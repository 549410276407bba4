"""BaseGraphStore: the public methods check their arguments before any backend hook runs, and pass the hooks
normalised arguments (distinct ids, the normalised query, lists), so a backend never repeats a check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from kg import BaseGraphStore, DeleteReport, WriteReport
from medkg.errors import EmptyInputError, InputValidationError
from medkg.types import GraphCounts, Node, Path, Relationship, Subgraph
from tests.contract.fixtures import node, rel


class Recording(BaseGraphStore):
    """Records each hook call and its arguments; holds nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _note(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def ensure_schema(self) -> None:
        self._note("ensure_schema")

    def close(self) -> None:
        self._note("close")

    def counts(self) -> GraphCounts:
        return GraphCounts()

    def _upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport:
        self._note("upsert_nodes", len(nodes))
        return WriteReport(rows=len(nodes), created=len(nodes), updated=0)

    def _upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport:
        self._note("upsert_relationships", len(rels))
        return WriteReport(rows=len(rels), created=len(rels), updated=0)

    def _delete_source(self, source: str) -> DeleteReport:
        self._note("delete_source", source)
        return DeleteReport(source=source, nodes_deleted=0, nodes_detached=0, relationships_deleted=0)

    def _nodes_by_id(self, ids: list[str]) -> dict[str, Node]:
        self._note("nodes_by_id", ids)
        return {i: node(i, "Disease", i) for i in ids if i.startswith("DOID:")}

    def _existing_ids(self, ids: list[str]) -> set[str]:
        self._note("existing_ids", ids)
        return set()

    def _find_nodes(self, q: str, labels: list[str] | None, limit: int, exact: bool) -> list[Node]:
        self._note("find_nodes", q, labels, limit, exact)
        return []

    def _relationships_of(self, node_id: str, rel_types: list[str] | None, direction: str,
                          limit: int) -> list[Relationship]:
        self._note("relationships_of", node_id, rel_types, direction, limit)
        return []

    def _neighbourhood(self, node_ids: list[str], hops: int, rel_types: list[str] | None, limit: int,
                       min_weight: float | None) -> Subgraph:
        self._note("neighbourhood", node_ids, hops, rel_types, limit, min_weight)
        return Subgraph()

    def _paths(self, start: str, end: str, max_hops: int, rel_types: list[str] | None, limit: int) -> list[Path]:
        self._note("paths", start, end, max_hops, rel_types, limit)
        return []

    def _node_ids(self, label: str | None, source: str | None) -> list[str]:
        self._note("node_ids", label, source)
        return []


def test_bad_arguments_never_reach_a_hook() -> None:
    """Unknown labels and types, negative counts, a bad direction, an empty query or source: refused up front."""
    s = Recording()
    bad: list[Callable[[], object]] = [
        lambda: s.upsert_nodes([node("X:1", "Wizard", "x")]),
        lambda: s.upsert_relationships([rel("CURES", "A:1", "B:1")]),
        lambda: s.find_nodes("  ...  "),
        lambda: s.find_nodes("diabetes", limit=-1),
        lambda: s.find_nodes("diabetes", labels=["Wizard"]),
        lambda: s.relationships_of("A:1", direction="up"),
        lambda: s.relationships_of("A:1", rel_types=["CURES"]),
        lambda: s.neighbourhood(["A:1"], hops=-1),
        lambda: s.paths("A:1", "B:1", max_hops=-2),
        lambda: s.node_ids(label="Wizard"),
        lambda: s.delete_source(""),
    ]
    for call in bad:
        with pytest.raises(InputValidationError):
            call()
    assert s.calls == []
    with pytest.raises(EmptyInputError):
        s.find_nodes("")


def test_hooks_get_normalised_arguments() -> None:
    """Trivial inputs are answered without a hook; the hooks get distinct ids, the normalised query and lists."""
    s = Recording()
    assert s.upsert_nodes([]).rows == 0 and s.get_nodes([]) == [] and s.existing_ids([]) == set()
    assert s.calls == []
    got = s.get_nodes(["DOID:2", "X:9", "DOID:1", "DOID:2"])
    assert [n.id for n in got] == ["DOID:2", "DOID:1", "DOID:2"]  # the order (and repeats) asked for
    s.find_nodes("  Type-2 DIABETES ", labels=("Disease",), limit=3)
    s.neighbourhood(["A:1", "B:1", "A:1"], rel_types=("TREATS",))
    s.relationships_of("A:1", rel_types=("TREATS",), direction="out")
    assert s.calls == [
        ("nodes_by_id", (["DOID:2", "X:9", "DOID:1"],)),
        ("find_nodes", ("type 2 diabetes", ["Disease"], 3, False)),
        ("neighbourhood", (["A:1", "B:1"], 1, ["TREATS"], 100, None)),
        ("relationships_of", ("A:1", ["TREATS"], "out", 1000)),
    ]

"""``BaseGraphStore``: the argument checks of every :class:`~kg.store.GraphStore`, written once.

Each public method checks its arguments (known labels and relationship types, non-negative counts, a known
direction, a non-empty search text), answers the trivial cases (an empty batch, no ids) itself, and only then
calls the backend's hook of the same name with a leading underscore. A backend implements the hooks and never
repeats a check, so the embedded and the Neo4j stores refuse the same inputs with the same messages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from kg.algo import check_labels, check_non_negative, check_rel_types, normalized_query
from kg.store import DeleteReport, WriteReport
from medkg.errors import InputValidationError
from medkg.types import GraphCounts, Node, Path, Relationship, Subgraph

__all__ = ["DIRECTIONS", "BaseGraphStore"]

DIRECTIONS = ("out", "in", "both")


class BaseGraphStore(ABC):
    """A :class:`~kg.store.GraphStore` whose public methods validate, then delegate to ``_``-prefixed hooks.

    Hooks receive checked arguments: ``_find_nodes`` gets the normalised query, ``_get_nodes`` and
    ``_existing_ids`` a non-empty list, the upserts a non-empty batch of known labels or types.
    """

    waits_on_server: ClassVar[bool] = False
    """Whether writes mostly wait on a database server (see :func:`kg.store.store_waits_on_server`)."""

    # -- lifecycle --------------------------------------------------------------------------------

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create constraints/indexes if absent (idempotent)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""

    # -- writes -----------------------------------------------------------------------------------

    def upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport:
        if not nodes:
            return WriteReport(rows=0, created=0, updated=0)
        check_labels(n.label for n in nodes)
        return self._upsert_nodes(nodes)

    def upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport:
        if not rels:
            return WriteReport(rows=0, created=0, updated=0)
        check_rel_types(r.type for r in rels)
        return self._upsert_relationships(rels)

    def delete_source(self, source: str) -> DeleteReport:
        if not source:
            raise InputValidationError("delete_source needs a non-empty source name")
        return self._delete_source(source)

    # -- reads ------------------------------------------------------------------------------------

    def get_node(self, node_id: str) -> Node | None:
        found = self.get_nodes([node_id])
        return found[0] if found else None

    def get_nodes(self, node_ids: Sequence[str]) -> list[Node]:
        """Nodes that exist, in the order of ``node_ids``; missing ids are skipped."""
        if not node_ids:
            return []
        by_id = self._nodes_by_id(list(dict.fromkeys(node_ids)))
        return [by_id[i] for i in node_ids if i in by_id]

    def existing_ids(self, node_ids: Sequence[str]) -> set[str]:
        """The subset of ``node_ids`` present in the store."""
        if not node_ids:
            return set()
        return self._existing_ids(list(dict.fromkeys(node_ids)))

    def find_nodes(
        self, text: str, *, labels: Sequence[str] | None = None, limit: int = 10, exact: bool = False
    ) -> list[Node]:
        q = normalized_query(text)
        check_non_negative("limit", limit)
        if labels is not None:
            check_labels(labels)
        return self._find_nodes(q, None if labels is None else list(labels), limit, exact)

    def relationships_of(
        self, node_id: str, *, rel_types: Sequence[str] | None = None, direction: str = "both", limit: int = 1000
    ) -> list[Relationship]:
        """Relationships touching one node; ``direction`` is 'out', 'in' or 'both'."""
        if direction not in DIRECTIONS:
            raise InputValidationError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
        check_non_negative("limit", limit)
        return self._relationships_of(node_id, _types(rel_types), direction, limit)

    def neighbourhood(
        self,
        node_ids: Sequence[str],
        *,
        hops: int = 1,
        rel_types: Sequence[str] | None = None,
        limit: int = 100,
        min_weight: float | None = None,
    ) -> Subgraph:
        check_non_negative("hops", hops)
        check_non_negative("limit", limit)
        return self._neighbourhood(list(dict.fromkeys(node_ids)), hops, _types(rel_types), limit, min_weight)

    def paths(
        self, start: str, end: str, *, max_hops: int = 4, rel_types: Sequence[str] | None = None, limit: int = 5
    ) -> list[Path]:
        check_non_negative("max_hops", max_hops)
        check_non_negative("limit", limit)
        return self._paths(start, end, max_hops, _types(rel_types), limit)

    @abstractmethod
    def counts(self) -> GraphCounts: ...

    def node_ids(self, *, label: str | None = None, source: str | None = None) -> list[str]:
        """Ids of all nodes (optionally of one label and/or vouched for by one source), sorted."""
        if label is not None:
            check_labels([label])
        return self._node_ids(label, source)

    # -- hooks: checked arguments in, results out -------------------------------------------------

    @abstractmethod
    def _upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport: ...

    @abstractmethod
    def _upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport: ...

    @abstractmethod
    def _delete_source(self, source: str) -> DeleteReport: ...

    @abstractmethod
    def _nodes_by_id(self, ids: list[str]) -> dict[str, Node]:
        """The stored nodes among the distinct ``ids``, by id."""

    @abstractmethod
    def _existing_ids(self, ids: list[str]) -> set[str]: ...

    @abstractmethod
    def _find_nodes(self, q: str, labels: list[str] | None, limit: int, exact: bool) -> list[Node]:
        """Matches of the normalised query ``q``."""

    @abstractmethod
    def _relationships_of(
        self, node_id: str, rel_types: list[str] | None, direction: str, limit: int
    ) -> list[Relationship]: ...

    @abstractmethod
    def _neighbourhood(
        self, node_ids: list[str], hops: int, rel_types: list[str] | None, limit: int, min_weight: float | None
    ) -> Subgraph:
        """The walk from the distinct ``node_ids`` (in the order first given)."""

    @abstractmethod
    def _paths(self, start: str, end: str, max_hops: int, rel_types: list[str] | None, limit: int) -> list[Path]: ...

    @abstractmethod
    def _node_ids(self, label: str | None, source: str | None) -> list[str]: ...


def _types(rel_types: Sequence[str] | None) -> list[str] | None:
    """``rel_types`` as a list after checking every type is known (``None``: all types)."""
    if rel_types is None:
        return None
    check_rel_types(rel_types)
    return list(rel_types)

"""The ``GraphStore`` protocol: what every graph backend (embedded, Neo4j) must do.

The contract test suite in ``tests/contract/`` pins each behaviour; an implementation is done when it
passes that suite unchanged. Implementations subclass :class:`kg.base.BaseGraphStore`, which owns the argument
checks of the public methods, and implement its hooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from medkg.types import GraphCounts, Node, Path, Relationship, Subgraph

__all__ = ["DeleteReport", "GraphStore", "WriteReport", "store_waits_on_server"]


class WriteReport(BaseModel):
    """What an upsert did: rows sent, and how many were new vs. updated."""

    rows: int
    created: int
    updated: int


class DeleteReport(BaseModel):
    """What :meth:`GraphStore.delete_source` removed."""

    source: str
    nodes_deleted: int
    nodes_detached: (
        int  # nodes kept because other sources still vouch for them (the source was removed from ``sources``)
    )
    relationships_deleted: int


@runtime_checkable
class GraphStore(Protocol):
    """A transactional property graph keyed by stable node ids.

    Semantics every implementation shares:

    - ``upsert_nodes``: one transaction per call. A node with a new id is created; an existing id is
      merged: ``name``/``label``/``lang`` and each key of ``props`` are overwritten by the new value,
      ``synonyms`` and ``sources`` become the sorted union. Upserting the same nodes twice changes nothing.
    - ``upsert_relationships``: one transaction per call, keyed by ``(type, start, end, source)``;
      ``weight`` and ``props`` are overwritten. If any endpoint id is missing the whole call raises
      :class:`~medkg.errors.MissingEndpointError` and writes nothing.
    - Reads never see a half-written batch; a failed call leaves the store as it was.
    - ``find_nodes`` matches the normalised name or any synonym (see :func:`kg.normalize.normalize_name`):
      exact matches first, then prefix, then substring (when ``exact`` is False), ties by name.
    - ``neighbourhood`` returns the seed nodes, every node within ``hops`` (both directions), and the
      relationships among them on the walked paths; ``rel_types`` restricts the walk; ``min_weight``
      skips relationships whose weight is below it (``None`` weights are kept); at most ``limit`` nodes
      besides the seeds, nearest first, then by highest weight of the connecting relationship, then id.
    - ``paths``: shortest paths (ignoring direction) of at most ``max_hops`` between two ids.
    - ``delete_source``: removes every relationship of that source and that source from every node's
      ``sources``; nodes left with no source are deleted together with their remaining relationships.
    - Errors: unknown label or relationship type → ``ValueError``-derived
      :class:`~medkg.errors.InputValidationError`; unreachable backend →
      :class:`~medkg.errors.StoreUnavailableError`; any other backend failure → :class:`~medkg.errors.StoreError`.
    """

    def ensure_schema(self) -> None:
        """Create constraints/indexes if absent (idempotent)."""
        ...

    def upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport: ...

    def upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport: ...

    def get_node(self, node_id: str) -> Node | None: ...

    def get_nodes(self, node_ids: Sequence[str]) -> list[Node]:
        """Nodes that exist, in the order of ``node_ids``; missing ids are skipped."""
        ...

    def existing_ids(self, node_ids: Sequence[str]) -> set[str]:
        """The subset of ``node_ids`` present in the store (used to pre-check relationship endpoints)."""
        ...

    def find_nodes(
        self, text: str, *, labels: Sequence[str] | None = None, limit: int = 10, exact: bool = False
    ) -> list[Node]: ...

    def relationships_of(
        self, node_id: str, *, rel_types: Sequence[str] | None = None, direction: str = "both", limit: int = 1000
    ) -> list[Relationship]:
        """Relationships touching one node; ``direction`` is 'out', 'in' or 'both'."""
        ...

    def neighbourhood(
        self,
        node_ids: Sequence[str],
        *,
        hops: int = 1,
        rel_types: Sequence[str] | None = None,
        limit: int = 100,
        min_weight: float | None = None,
    ) -> Subgraph: ...

    def paths(
        self, start: str, end: str, *, max_hops: int = 4, rel_types: Sequence[str] | None = None, limit: int = 5
    ) -> list[Path]: ...

    def counts(self) -> GraphCounts: ...

    def node_ids(self, *, label: str | None = None, source: str | None = None) -> list[str]:
        """Ids of all nodes (optionally of one label and/or vouched for by one source), sorted."""
        ...

    def delete_source(self, source: str) -> DeleteReport: ...

    def close(self) -> None: ...


def store_waits_on_server(store: GraphStore) -> bool:
    """Whether ``store``'s writes mostly wait on a database server (ingest then overlaps them with its own work on
    a background thread). A store says so with a class attribute ``waits_on_server = True``; the default is no,
    which keeps every write in the caller's thread."""
    return getattr(store, "waits_on_server", False) is True

"""A minimal in-memory GraphStore with the protocol's write semantics, for ingest tests that need no real store."""

from __future__ import annotations

from collections.abc import Sequence

from kg.store import DeleteReport, WriteReport
from medkg.errors import MissingEndpointError
from medkg.types import GraphCounts, Node, Path, Relationship, Subgraph

__all__ = ["MemStore"]


class MemStore:
    """Upserts merge like the protocol says (synonyms/sources union, name/label/props overwritten per key)."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.rels: dict[tuple[str, str, str, str], Relationship] = {}
        self.fail_on_call: int | None = None
        self.calls = 0

    def ensure_schema(self) -> None:
        return None

    def upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport:
        created = 0
        staged = dict(self.nodes)
        for n in nodes:
            old = staged.get(n.id)
            if old is None:
                created += 1
                staged[n.id] = n
            else:
                staged[n.id] = n.model_copy(update={
                    "synonyms": tuple(sorted(set(old.synonyms) | set(n.synonyms))),
                    "sources": tuple(sorted(set(old.sources) | set(n.sources))),
                    "props": {**old.props, **n.props},
                })
        self.nodes = staged
        return WriteReport(rows=len(nodes), created=created, updated=len(nodes) - created)

    def upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport:
        missing = sorted({e for r in rels for e in (r.start, r.end) if e not in self.nodes})
        if missing:
            raise MissingEndpointError(missing)
        created = sum(1 for r in rels if r.key not in self.rels)
        for r in rels:
            self.rels[r.key] = r
        return WriteReport(rows=len(rels), created=created, updated=len(rels) - created)

    def get_node(self, node_id: str) -> Node | None:
        return self.nodes.get(node_id)

    def get_nodes(self, node_ids: Sequence[str]) -> list[Node]:
        return [self.nodes[i] for i in node_ids if i in self.nodes]

    def existing_ids(self, node_ids: Sequence[str]) -> set[str]:
        return {i for i in node_ids if i in self.nodes}

    def find_nodes(self, text: str, *, labels: Sequence[str] | None = None, limit: int = 10,
                   exact: bool = False) -> list[Node]:
        raise NotImplementedError

    def relationships_of(self, node_id: str, *, rel_types: Sequence[str] | None = None, direction: str = "both",
                         limit: int = 1000) -> list[Relationship]:
        return [r for r in self.rels.values() if node_id in (r.start, r.end)][:limit]

    def neighbourhood(self, node_ids: Sequence[str], *, hops: int = 1, rel_types: Sequence[str] | None = None,
                      limit: int = 100, min_weight: float | None = None) -> Subgraph:
        raise NotImplementedError

    def paths(self, start: str, end: str, *, max_hops: int = 4, rel_types: Sequence[str] | None = None,
              limit: int = 5) -> list[Path]:
        raise NotImplementedError

    def counts(self) -> GraphCounts:
        nodes: dict[str, int] = {}
        for n in self.nodes.values():
            nodes[n.label] = nodes.get(n.label, 0) + 1
        rels: dict[str, int] = {}
        for r in self.rels.values():
            rels[r.type] = rels.get(r.type, 0) + 1
        return GraphCounts(nodes=nodes, relationships=rels)

    def node_ids(self, *, label: str | None = None, source: str | None = None) -> list[str]:
        return sorted(i for i, n in self.nodes.items()
                      if (label is None or n.label == label) and (source is None or source in n.sources))

    def delete_source(self, source: str) -> DeleteReport:
        raise NotImplementedError

    def close(self) -> None:
        return None

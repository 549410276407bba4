"""Read-only graph exploration: statistics, one node, its neighbourhood, and name search."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import SettingsDep, StoreDep
from api.models import (
    ErrorResponse,
    GraphStatsResponse,
    NeighbourhoodResponse,
    NodeDetailResponse,
    SearchResponse,
    node_out,
    relationship_out,
)
from kg import LABELS, REL_TYPES
from medkg.errors import InputValidationError, NotFoundError

__all__ = ["MAX_HOPS", "MAX_LIMIT", "router"]

log = logging.getLogger(__name__)

MAX_HOPS = 3
MAX_LIMIT = 500

router = APIRouter(prefix="/graph", tags=["graph"])

_ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
    503: {"model": ErrorResponse},
}

NodeIdPath = Annotated[str, Path(description="Node id with its prefix, e.g. DOID:9352 or DrugBank:DB00331.")]


def _rel_types(values: list[str] | None) -> list[str] | None:
    """Repeated and/or comma-separated ``rel_types``, checked against the schema (unknown → 422)."""
    if not values:
        return None
    types = [t.strip() for v in values for t in v.split(",") if t.strip()]
    unknown = sorted({t for t in types if t not in REL_TYPES})
    if unknown:
        raise InputValidationError(
            f"unknown relationship type(s) {', '.join(unknown)}; known: {', '.join(sorted(REL_TYPES))}"
        )
    return types or None


def _not_found(node_id: str) -> NotFoundError:
    return NotFoundError(f"no node with id {node_id!r} in the graph; find ids by name with GET /graph/search?q=...")


@router.get("/stats", response_model=GraphStatsResponse, responses=_ERRORS)
def stats(store: StoreDep) -> GraphStatsResponse:
    """Counts per node label and relationship type."""
    c = store.counts()
    return GraphStatsResponse(
        nodes=dict(c.nodes),
        relationships=dict(c.relationships),
        total_nodes=sum(c.nodes.values()),
        total_relationships=sum(c.relationships.values()),
    )


@router.get("/search", response_model=SearchResponse, responses=_ERRORS)
def search(
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, description="Name or synonym (case/accent-insensitive).")],
    label: Annotated[str | None, Query(description="Only nodes of this label, e.g. Disease.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    exact: Annotated[bool, Query(description="Only exact name/synonym matches.")] = False,
) -> SearchResponse:
    """Nodes whose normalised name or a synonym matches ``q``: exact matches first, then prefix, then substring."""
    if len(q) > settings.max_query_chars:
        raise InputValidationError(f"q is {len(q)} characters; at most {settings.max_query_chars} are allowed")
    if not q.strip():
        raise InputValidationError("q is blank; give a name or synonym to search for")
    if label is not None and label not in LABELS:
        raise InputValidationError(f"unknown label {label!r}; known: {', '.join(LABELS)}")
    nodes = store.find_nodes(q, labels=[label] if label else None, limit=limit, exact=exact)
    log.info("search (%d chars, label=%s) -> %d nodes", len(q), label, len(nodes))
    return SearchResponse(query=q, label=label, exact=exact, results=[node_out(n) for n in nodes])


# Registered before /nodes/{node_id:path} so that ".../neighbours" is not read as part of an id.
@router.get("/nodes/{node_id:path}/neighbours", response_model=NeighbourhoodResponse, responses=_ERRORS)
def neighbours(
    store: StoreDep,
    node_id: NodeIdPath,
    hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="Walk depth (both directions).")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Most nodes besides the seed.")] = 50,
    rel_types: Annotated[
        list[str] | None, Query(description="Only these relationship types (repeat or comma-separate).")
    ] = None,
    min_weight: Annotated[float | None, Query(ge=0.0, le=1.0, description="Skip weaker relationships.")] = None,
) -> NeighbourhoodResponse:
    """The node, every node within ``hops`` (nearest first, then strongest link), and the relationships walked."""
    types = _rel_types(rel_types)
    if store.get_node(node_id) is None:
        raise _not_found(node_id)
    sub = store.neighbourhood([node_id], hops=hops, rel_types=types, limit=limit, min_weight=min_weight)
    return NeighbourhoodResponse(
        seed=node_id,
        hops=hops,
        limit=limit,
        rel_types=types,
        nodes=[node_out(n) for n in sub.nodes],
        relationships=[relationship_out(r) for r in sub.relationships],
    )


@router.get("/nodes/{node_id:path}", response_model=NodeDetailResponse, responses=_ERRORS)
def node(
    store: StoreDep,
    node_id: NodeIdPath,
    rel_limit: Annotated[int, Query(ge=0, le=1000, description="Most relationships to list.")] = 50,
) -> NodeDetailResponse:
    """One node and the relationships touching it; 404 when the id is unknown."""
    found = store.get_node(node_id)
    if found is None:
        raise _not_found(node_id)
    rels = store.relationships_of(node_id, limit=rel_limit + 1)
    return NodeDetailResponse(
        node=node_out(found),
        relationships=[relationship_out(r) for r in rels[:rel_limit]],
        rel_limit=rel_limit,
        truncated=len(rels) > rel_limit,
    )

"""Read-only graph exploration: statistics, one entity, its neighbourhood, paths between two, and name lookup.

``/v1/graph/lookup`` finds nodes by name or synonym (it is *not* the evidence search, which is ``/v1/search``);
the unversioned ``/graph/search``, ``/graph/nodes/{id}`` and ``/graph/nodes/{id}/neighbours`` of 0.1 stay as
undocumented aliases. Patient-record nodes (patients, encounters and their entries) are shown to clinicians only:
a reader asking for one gets 403 before any lookup, and never sees them in neighbourhoods, lookups or paths.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import ReaderDep, SettingsDep, StoreDep
from api.errors import PermissionDeniedError
from api.models import (
    GraphStatsResponse,
    NeighbourhoodResponse,
    NodeDetailResponse,
    NodeOut,
    PathOut,
    PathsResponse,
    RelationshipOut,
    SearchResponse,
    node_out,
    relationship_out,
)
from api.security import Principal, role_at_least
from kg import LABELS, REL_TYPES
from medkg.errors import InputValidationError, NotFoundError

__all__ = ["MAX_HOPS", "MAX_LIMIT", "RECORD_LABELS", "is_record_id", "legacy", "router"]

log = logging.getLogger(__name__)

MAX_HOPS = 3
MAX_LIMIT = 500
MAX_PATH_HOPS = 5

RECORD_LABELS = frozenset({"Patient", "Encounter", "Observation", "Procedure", "Medication", "Allergy", "Condition"})
_RECORD_PREFIXES = tuple(f"medkg:{p}:" for p in
                         ("patient", "encounter", "observation", "procedure", "medication", "allergy", "condition"))

router = APIRouter(prefix="/graph", tags=["graph"])
legacy = APIRouter(prefix="/graph", tags=["graph (0.1 aliases)"])

NodeIdPath = Annotated[str, Path(description="Node id with its prefix, e.g. DOID:9352 or DrugBank:DB00331.")]


def is_record_id(node_id: str) -> bool:
    """True for the id of a patient-record node (``medkg:patient:...``, ``medkg:encounter:...``, ...)."""
    return node_id.startswith(_RECORD_PREFIXES)


def _clinician(p: Principal) -> bool:
    return role_at_least(p.role, "clinician")


def _guard(p: Principal, node_id: str) -> None:
    if is_record_id(node_id) and not _clinician(p):
        raise PermissionDeniedError("patient-record nodes need a clinician key")


def _visible_nodes(p: Principal, nodes: list[NodeOut]) -> list[NodeOut]:
    return nodes if _clinician(p) else [n for n in nodes if n.label not in RECORD_LABELS]


def _visible_rels(p: Principal, rels: list[RelationshipOut]) -> list[RelationshipOut]:
    if _clinician(p):
        return rels
    return [r for r in rels if not is_record_id(r.start) and not is_record_id(r.end)]


def _rel_types(values: list[str] | None) -> list[str] | None:
    """Repeated and/or comma-separated ``rel_types``, checked against the schema (unknown → 422)."""
    if not values:
        return None
    types = [t.strip() for v in values for t in v.split(",") if t.strip()]
    unknown = sorted({t for t in types if t not in REL_TYPES})
    if unknown:
        raise InputValidationError(
            f"unknown relationship type(s) {', '.join(unknown)[:300]}; known: {', '.join(sorted(REL_TYPES))}"
        )
    return types or None


def _not_found(node_id: str) -> NotFoundError:
    return NotFoundError(f"no node with id {node_id[:200]!r} in the graph; "
                         "find ids by name with GET /v1/graph/lookup?q=...")


def _check_text(name: str, value: str, max_chars: int) -> None:
    if len(value) > max_chars:
        raise InputValidationError(f"{name} is {len(value)} characters; at most {max_chars} are allowed")
    if "\x00" in value:
        raise InputValidationError(f"{name} contains a NUL character")


def stats(store: StoreDep, caller: ReaderDep) -> GraphStatsResponse:
    """Counts per node label and relationship type."""
    c = store.counts()
    return GraphStatsResponse(
        nodes=dict(c.nodes),
        relationships=dict(c.relationships),
        total_nodes=sum(c.nodes.values()),
        total_relationships=sum(c.relationships.values()),
    )


def lookup(
    store: StoreDep,
    settings: SettingsDep,
    caller: ReaderDep,
    q: Annotated[str, Query(min_length=1, description="Name or synonym (case/accent-insensitive).")],
    label: Annotated[str | None, Query(description="Only nodes of this label, e.g. Disease.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    exact: Annotated[bool, Query(description="Only exact name/synonym matches.")] = False,
) -> SearchResponse:
    """Nodes whose normalised name or a synonym matches ``q``: exact matches first, then prefix, then substring."""
    _check_text("q", q, settings.max_query_chars)
    if not q.strip():
        raise InputValidationError("q is blank; give a name or synonym to look up")
    if label is not None and label not in LABELS:
        raise InputValidationError(f"unknown label {label[:100]!r}; known: {', '.join(LABELS)}")
    if label in RECORD_LABELS and not _clinician(caller):
        raise PermissionDeniedError("patient-record labels need a clinician key")
    nodes = store.find_nodes(q, labels=[label] if label else None, limit=limit, exact=exact)
    log.info("lookup (%d chars, label=%s) -> %d nodes", len(q), label, len(nodes))
    return SearchResponse(query=q, label=label, exact=exact,
                          results=_visible_nodes(caller, [node_out(n) for n in nodes]))


def neighbourhood(
    store: StoreDep,
    caller: ReaderDep,
    node_id: NodeIdPath,
    hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="Walk depth (both directions).")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Most nodes besides the seed.")] = 50,
    rel_types: Annotated[
        list[str] | None, Query(description="Only these relationship types (repeat or comma-separate).")
    ] = None,
    min_weight: Annotated[float | None, Query(ge=0.0, le=1.0, description="Skip weaker relationships.")] = None,
) -> NeighbourhoodResponse:
    """The node, every node within ``hops`` (nearest first, then strongest link), and the relationships walked."""
    _guard(caller, node_id)
    types = _rel_types(rel_types)
    if store.get_node(node_id) is None:
        raise _not_found(node_id)
    sub = store.neighbourhood([node_id], hops=hops, rel_types=types, limit=limit, min_weight=min_weight)
    return NeighbourhoodResponse(
        seed=node_id,
        hops=hops,
        limit=limit,
        rel_types=types,
        nodes=_visible_nodes(caller, [node_out(n) for n in sub.nodes]),
        relationships=_visible_rels(caller, [relationship_out(r) for r in sub.relationships]),
    )


def entity(
    store: StoreDep,
    caller: ReaderDep,
    node_id: NodeIdPath,
    rel_limit: Annotated[int, Query(ge=0, le=1000, description="Most relationships to list.")] = 50,
) -> NodeDetailResponse:
    """One node and the relationships touching it; 404 when the id is unknown."""
    _guard(caller, node_id)
    found = store.get_node(node_id)
    if found is None:
        raise _not_found(node_id)
    rels = store.relationships_of(node_id, limit=rel_limit + 1)
    return NodeDetailResponse(
        node=node_out(found),
        relationships=_visible_rels(caller, [relationship_out(r) for r in rels[:rel_limit]]),
        rel_limit=rel_limit,
        truncated=len(rels) > rel_limit,
    )


def paths(
    store: StoreDep,
    caller: ReaderDep,
    start: Annotated[str, Query(alias="from", min_length=1, description="Start node id.")],
    end: Annotated[str, Query(alias="to", min_length=1, description="End node id.")],
    max_hops: Annotated[int, Query(ge=1, le=MAX_PATH_HOPS)] = 3,
    limit: Annotated[int, Query(ge=1, le=20, description="Most paths.")] = 5,
    rel_types: Annotated[list[str] | None, Query(description="Only these relationship types.")] = None,
) -> PathsResponse:
    """Shortest paths between two nodes (each as its nodes and relationships, with citation ids)."""
    _guard(caller, start)
    _guard(caller, end)
    types = _rel_types(rel_types)
    for node_id in (start, end):
        if store.get_node(node_id) is None:
            raise _not_found(node_id)
    found = store.paths(start, end, max_hops=max_hops, rel_types=types, limit=limit)
    out: list[PathOut] = []
    for p in found:
        nodes = [node_out(n) for n in p.nodes]
        if not _clinician(caller) and any(n.label in RECORD_LABELS for n in nodes):
            continue
        out.append(PathOut(nodes=nodes, relationships=[relationship_out(r) for r in p.relationships]))
    return PathsResponse(start=start, end=end, max_hops=max_hops, paths=out)


router.add_api_route("/stats", stats, methods=["GET"], response_model=GraphStatsResponse)
router.add_api_route("/lookup", lookup, methods=["GET"], response_model=SearchResponse,
                     summary="Look nodes up by name or synonym (not the evidence search: see /v1/search)")
router.add_api_route("/path", paths, methods=["GET"], response_model=PathsResponse)
# Registered before /entity/{node_id:path} so that ".../neighbourhood" is not read as part of an id.
router.add_api_route("/entity/{node_id:path}/neighbourhood", neighbourhood, methods=["GET"],
                     response_model=NeighbourhoodResponse)
router.add_api_route("/entity/{node_id:path}", entity, methods=["GET"], response_model=NodeDetailResponse)

legacy.add_api_route("/stats", stats, methods=["GET"], response_model=GraphStatsResponse)
legacy.add_api_route("/search", lookup, methods=["GET"], response_model=SearchResponse)
legacy.add_api_route("/nodes/{node_id:path}/neighbours", neighbourhood, methods=["GET"],
                     response_model=NeighbourhoodResponse)
legacy.add_api_route("/nodes/{node_id:path}", entity, methods=["GET"], response_model=NodeDetailResponse)

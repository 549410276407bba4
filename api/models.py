"""Response models of the HTTP API: every endpoint returns one of these (pydantic), never a bare dict."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medkg.types import Node, PropValue, Relationship, node_citation
from reasoning.allocation.service import AllocationRequest, Assignment, PatientRequest, check_plan

__all__ = [
    "EmergencyIntakeRequest",
    "ErrorResponse",
    "GraphStatsResponse",
    "HealthResponse",
    "NeighbourhoodResponse",
    "NodeDetailResponse",
    "NodeOut",
    "RelationshipOut",
    "SearchResponse",
    "node_out",
    "relationship_out",
]


class ErrorResponse(BaseModel):
    """The body of every error response: the error class, a message that says what is wrong, the HTTP status."""

    error: str = Field(description="Error class, e.g. NotFoundError, InputValidationError, StoreUnavailableError.")
    message: str
    status: int


class NodeOut(BaseModel):
    """A graph node as the API shows it, with its citation id (``kg:node:<id>``)."""

    id: str
    label: str
    name: str
    synonyms: list[str] = Field(default_factory=list)
    lang: str | None = None
    sources: list[str] = Field(default_factory=list)
    props: dict[str, PropValue] = Field(default_factory=dict)
    citation: str


class RelationshipOut(BaseModel):
    """A relationship as the API shows it, with its citation id (``kg:rel:<TYPE>:<start>-><end>#<source>``)."""

    type: str
    start: str
    end: str
    source: str
    weight: float | None = None
    props: dict[str, PropValue] = Field(default_factory=dict)
    citation: str


class HealthResponse(BaseModel):
    """``GET /health``: the store answered; its kind and total counts."""

    status: str = "ok"
    store: str = Field(description="'embedded' or 'neo4j'.")
    nodes: int
    relationships: int


class GraphStatsResponse(BaseModel):
    """``GET /graph/stats``: counts per node label and relationship type, and their totals."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    total_nodes: int
    total_relationships: int


class NodeDetailResponse(BaseModel):
    """``GET /graph/nodes/{id}``: one node and the relationships touching it (at most ``rel_limit``)."""

    node: NodeOut
    relationships: list[RelationshipOut]
    rel_limit: int
    truncated: bool = Field(description="True when the node has more relationships than ``rel_limit``.")


class NeighbourhoodResponse(BaseModel):
    """``GET /graph/nodes/{id}/neighbours``: the seed, the nodes within ``hops``, and the relationships walked."""

    seed: str
    hops: int
    limit: int
    rel_types: list[str] | None = None
    nodes: list[NodeOut]
    relationships: list[RelationshipOut]


class SearchResponse(BaseModel):
    """``GET /graph/search``: nodes whose name or synonym matches, best first."""

    query: str
    label: str | None = None
    exact: bool
    results: list[NodeOut]


def node_out(node: Node) -> NodeOut:
    """The API view of a :class:`~medkg.types.Node`."""
    return NodeOut(
        id=node.id,
        label=node.label,
        name=node.name,
        synonyms=list(node.synonyms),
        lang=node.lang,
        sources=list(node.sources),
        props=dict(node.props),
        citation=node_citation(node.id),
    )


def relationship_out(rel: Relationship) -> RelationshipOut:
    """The API view of a :class:`~medkg.types.Relationship`."""
    return RelationshipOut(
        type=rel.type,
        start=rel.start,
        end=rel.end,
        source=rel.source,
        weight=rel.weight,
        props=dict(rel.props),
        citation=rel.citation,
    )


class EmergencyIntakeRequest(BaseModel):
    """``POST /allocate/emergency``: the hospital and its patients, the plan now in force, and the urgent patient."""

    model_config = ConfigDict(extra="forbid")
    request: AllocationRequest = Field(description="The request the current plan was made for (hospital, patients).")
    current_plan: list[Assignment] | None = Field(
        default=None,
        description="The plan in force, e.g. the ``assignments`` of the last POST /allocate response "
        "(default: ``request.current_plan``).",
    )
    patient: PatientRequest = Field(description="The urgent patient (treated as emergency, priority 5).")

    @model_validator(mode="after")
    def _check(self) -> EmergencyIntakeRequest:
        if any(p.id == self.patient.id for p in self.request.patients):
            raise ValueError(f"emergency patient {self.patient.id!r} is already in request.patients")
        if self.current_plan is not None and self.request.current_plan:
            raise ValueError("give the plan in force once: as current_plan or as request.current_plan, not both")
        check_plan(self.plan, self.request.patients, self.request.wards)
        return self

    @property
    def plan(self) -> list[Assignment]:
        """The plan in force."""
        return self.current_plan if self.current_plan is not None else self.request.current_plan

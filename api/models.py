"""Response models of the HTTP API: every endpoint returns one of these (pydantic), never a bare dict."""

from __future__ import annotations

from pydantic import BaseModel, Field

from medkg.types import Node, PropValue, Relationship, node_citation

__all__ = [
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

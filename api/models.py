"""Response models of the HTTP API: every endpoint returns one of these (pydantic), never a bare dict."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.errors import Problem
from medkg.types import Node, PropValue, Relationship, node_citation
from reasoning.allocation.service import AllocationRequest, Assignment, PatientRequest, check_plan

__all__ = [
    "AskRequest",
    "ChatCompletionRequest",
    "ChatMessage",
    "ConsultRequest",
    "EmergencyIntakeRequest",
    "ErrorResponse",
    "GraphStatsResponse",
    "HealthResponse",
    "LivenessResponse",
    "ModelCard",
    "ModelList",
    "NeighbourhoodResponse",
    "NodeDetailResponse",
    "NodeOut",
    "PathOut",
    "PathsResponse",
    "PatientRecordResponse",
    "ReadinessResponse",
    "RelationshipOut",
    "SearchRequest",
    "SearchResponse",
    "node_out",
    "relationship_out",
]


ErrorResponse = Problem  # the 0.1 name of the error body


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
        # The patient joins the request: check them against it now (department known, days in range, ...), so an
        # unknown or empty department is a 422 naming it, not a failure inside the solve.
        AllocationRequest.model_validate(
            {**self.request.model_dump(), "patients": [*self.request.model_dump()["patients"],
                                                       self.patient.model_dump()]}
        )
        if self.current_plan is not None and self.request.current_plan:
            raise ValueError("give the plan in force once: as current_plan or as request.current_plan, not both")
        check_plan(self.plan, self.request.patients, self.request.wards, days=self.request.days)
        return self

    @property
    def plan(self) -> list[Assignment]:
        """The plan in force."""
        return self.current_plan if self.current_plan is not None else self.request.current_plan


class PathOut(BaseModel):
    """One path: its nodes in order and the relationships between them."""

    nodes: list[NodeOut]
    relationships: list[RelationshipOut]


class PathsResponse(BaseModel):
    """``GET /v1/graph/path``: shortest paths between two nodes."""

    start: str
    end: str
    max_hops: int
    paths: list[PathOut]


class LivenessResponse(BaseModel):
    """``GET /healthz``: the process answers."""

    status: Literal["ok"] = "ok"
    uptime_s: float


class ReadinessResponse(BaseModel):
    """``GET /readyz``: each component and whether it is ready (200 when the store answers, else 503)."""

    status: Literal["ready", "not ready"]
    store: str = Field(description="'embedded' or 'neo4j'.")
    checks: dict[str, str] = Field(description="store / indexes / answer_engine / consultation: 'ok', "
                                               "'not loaded yet' or the reason it is down.")


class SearchRequest(BaseModel):
    """``POST /v1/search``: a question or keywords (English or Chinese)."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, examples=["metformin for type 2 diabetes"])
    k: int = Field(default=10, ge=1, le=100, description="Passages to return.")


class AskRequest(BaseModel):
    """``POST /v1/ask``: a research or patient question answered from the evidence, every sentence cited."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, examples=["Does metformin reduce cardiovascular events in type 2 diabetes?"])
    k: int | None = Field(default=None, ge=1, le=50, description="Evidence items to retrieve.")
    max_tokens: int | None = Field(default=None, ge=1, description="Generation budget (capped by the server).")


class ConsultRequest(BaseModel):
    """``POST /v1/consult``: symptoms in free text; ``patient`` (a pseudonym) needs a clinician key."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, examples=["I have had chest pain and shortness of breath since this morning"])
    patient: str | None = Field(default=None, description="Patient pseudonym for record-aware advice (clinicians).")
    narrate: bool = Field(default=False, description="Add the answer engine's checked narrative (its sentences, "
                          "each cited). Off by default: on CPU it takes seconds to minutes; the structured answer "
                          "(red flags, differential, department, tests, drugs) does not need it.")


class PatientRecordResponse(BaseModel):
    """``GET /v1/patients/{pseudonym}``: the patient node and the record entries linked to it."""

    pseudonym: str
    patient: NodeOut
    relationships: list[RelationshipOut]
    entries: list[NodeOut]
    truncated: bool


class ChatMessage(BaseModel):
    """One chat turn (OpenAI shape; ``content`` may be a string or a list of text parts)."""

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if not self.content:
            return ""
        return "".join(str(p.get("text", "")) for p in self.content if p.get("type", "text") == "text")


class ChatCompletionRequest(BaseModel):
    """``POST /v1/chat/completions`` (OpenAI-compatible; unknown OpenAI fields are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(default="medkg", examples=["medkg"])
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    user: str | None = None


class ModelCard(BaseModel):
    """One entry of ``GET /v1/models``."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "medkg"


class ModelList(BaseModel):
    """``GET /v1/models`` (OpenAI shape)."""

    object: Literal["list"] = "list"
    data: list[ModelCard]

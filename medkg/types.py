"""Domain types shared by every layer: graph nodes and relationships, provenance, citation ids."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "GraphCounts",
    "Node",
    "Path",
    "PropValue",
    "Relationship",
    "Subgraph",
    "node_citation",
    "parse_citation",
    "rel_citation",
]

# Property values must be storable as Neo4j properties: scalars or homogeneous lists of scalars.
Scalar = str | int | float | bool
PropValue = Scalar | list[str] | list[int] | list[float] | list[bool]

_LABEL = re.compile(r"^[A-Z][A-Za-z]*$")
_RELTYPE = re.compile(r"^[A-Z][A-Z_]*$")
NodeId = Annotated[str, Field(min_length=3, max_length=300, pattern=r"^[A-Za-z][\w.-]*:\S+$")]


class Node(BaseModel):
    """A concept or record in the knowledge graph, keyed by a stable prefixed id (``DOID:9352``, ``medkg:...``)."""

    model_config = ConfigDict(frozen=True)

    id: NodeId
    label: str = Field(description="Kind of node, e.g. Disease, Symptom, Compound, Patient, Hospital.")
    name: str
    synonyms: tuple[str, ...] = ()
    lang: str | None = Field(default=None, description="ISO code where the name is not English, e.g. 'zh'.")
    sources: tuple[str, ...] = Field(min_length=1)
    props: dict[str, PropValue] = Field(default_factory=dict)

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        if not _LABEL.match(v):
            raise ValueError(f"label must be CamelCase letters, got {v!r}")
        return v


class Relationship(BaseModel):
    """A directed, typed fact between two nodes, from one source, with its evidence in ``props``.

    Identity is ``(type, start, end, source)``: the same fact from two sources is two relationships, so
    one source can be deleted and re-ingested without touching the other.
    """

    model_config = ConfigDict(frozen=True)

    type: str
    start: NodeId
    end: NodeId
    source: str = Field(min_length=1)
    weight: float | None = Field(default=None, description="Normalised evidence strength in [0, 1] used to rank walks.")
    props: dict[str, PropValue] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if not _RELTYPE.match(v):
            raise ValueError(f"relationship type must be UPPER_SNAKE, got {v!r}")
        return v

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.type, self.start, self.end, self.source)

    @property
    def citation(self) -> str:
        return rel_citation(self.type, self.start, self.end, self.source)


class Path(BaseModel):
    """A path through the graph: nodes in order and the relationships between them."""

    nodes: list[Node]
    relationships: list[Relationship]


class Subgraph(BaseModel):
    """Nodes and relationships returned by a neighbourhood query."""

    nodes: list[Node] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)


class GraphCounts(BaseModel):
    """Counts per node label and relationship type (the shape of ``medkg graph stats --json``)."""

    nodes: dict[str, int] = Field(default_factory=dict)
    relationships: dict[str, int] = Field(default_factory=dict)


def node_citation(node_id: str) -> str:
    """``kg:node:<id>``."""
    return f"kg:node:{node_id}"


def rel_citation(rel_type: str, start: str, end: str, source: str | None = None) -> str:
    """``kg:rel:<TYPE>:<start>-><end>[#<source>]``."""
    base = f"kg:rel:{rel_type}:{start}->{end}"
    return f"{base}#{source}" if source else base


def parse_citation(cid: str) -> tuple[str, str, str | None]:
    """Split a citation id into ``(scheme, local id, part)``; ``kg:`` ids keep ``node:``/``rel:`` in the local id."""
    head, _, part = cid.partition("#")
    scheme, sep, local = head.partition(":")
    if not sep or not scheme or not local:
        raise ValueError(f"not a citation id: {cid!r}")
    return scheme, local, part or None

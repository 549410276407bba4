"""``EvidenceBundle``: the one thing later stages read. Every passage, node and relationship carries a citation id."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from medkg.types import Node, PropValue, Relationship, node_citation
from retrieval.types import Mention, PassageRecord

__all__ = ["EvidenceBundle", "EvidenceNode", "EvidencePassage", "EvidenceRelationship", "EvidenceSubgraph"]


class EvidencePassage(BaseModel):
    """A retrieved passage with where it came from and how each retriever scored it."""

    model_config = ConfigDict(frozen=True)

    citation_id: str
    doc_id: str
    text: str
    source: str
    lang: str = "en"
    section: str | None = None
    url: str | None = None
    pmid: str | None = None
    title: str | None = None
    meta: dict[str, str | int | float | list[str]] = Field(default_factory=dict)
    scores: dict[str, float] = Field(
        default_factory=dict, description="Raw score per retriever (dense, sparse, graph)."
    )
    ranks: dict[str, int] = Field(default_factory=dict, description="1-based rank per retriever.")
    fused_score: float = 0.0
    rank: int = 0

    @classmethod
    def from_record(
        cls, rec: PassageRecord, *, scores: dict[str, float], ranks: dict[str, int], fused: float, rank: int
    ) -> EvidencePassage:
        return cls(
            citation_id=rec.citation_id,
            doc_id=rec.doc_id,
            text=rec.text,
            source=rec.source,
            lang=rec.lang,
            section=rec.section,
            url=rec.url,
            pmid=rec.pmid,
            title=rec.title,
            meta=dict(rec.meta),
            scores=scores,
            ranks=ranks,
            fused_score=fused,
            rank=rank,
        )


class EvidenceNode(BaseModel):
    """A KG concept in the evidence subgraph; ``score`` is its walk score (seeds from the query score highest)."""

    model_config = ConfigDict(frozen=True)

    citation_id: str
    id: str
    label: str
    name: str
    sources: list[str] = Field(default_factory=list)
    props: dict[str, PropValue] = Field(default_factory=dict)
    seed: bool = False
    score: float = 0.0

    @classmethod
    def from_node(cls, node: Node, *, seed: bool = False, score: float = 0.0) -> EvidenceNode:
        return cls(
            citation_id=node_citation(node.id),
            id=node.id,
            label=node.label,
            name=node.name,
            sources=list(node.sources),
            props=dict(node.props),
            seed=seed,
            score=score,
        )


class EvidenceRelationship(BaseModel):
    """A KG fact with its provenance: the source that asserts it and its evidence properties."""

    model_config = ConfigDict(frozen=True)

    citation_id: str
    type: str
    start: str
    end: str
    source: str
    weight: float | None = None
    props: dict[str, PropValue] = Field(default_factory=dict)

    @classmethod
    def from_rel(cls, rel: Relationship) -> EvidenceRelationship:
        return cls(
            citation_id=rel.citation,
            type=rel.type,
            start=rel.start,
            end=rel.end,
            source=rel.source,
            weight=rel.weight,
            props=dict(rel.props),
        )


class EvidenceSubgraph(BaseModel):
    nodes: list[EvidenceNode] = Field(default_factory=list)
    relationships: list[EvidenceRelationship] = Field(default_factory=list)


class EvidenceBundle(BaseModel):
    """Query, language, fused passages (best first), the KG subgraph around the query's concepts, and a ``reason``
    whenever the bundle is empty."""

    query: str
    lang: str | None
    passages: list[EvidencePassage] = Field(default_factory=list)
    subgraph: EvidenceSubgraph = Field(default_factory=EvidenceSubgraph)
    mentions: list[Mention] = Field(default_factory=list)
    reason: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.passages and not self.subgraph.nodes

    def citation_ids(self) -> list[str]:
        """Every citation id in the bundle: passages, then nodes, then relationships."""
        return (
            [p.citation_id for p in self.passages]
            + [n.citation_id for n in self.subgraph.nodes]
            + [r.citation_id for r in self.subgraph.relationships]
        )

    def get(self, citation_id: str) -> EvidencePassage | EvidenceNode | EvidenceRelationship | None:
        items: list[EvidencePassage | EvidenceNode | EvidenceRelationship] = [
            *self.passages,
            *self.subgraph.nodes,
            *self.subgraph.relationships,
        ]
        return next((item for item in items if item.citation_id == citation_id), None)

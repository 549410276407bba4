"""Graph retrieval: query → linked concepts → weighted k-hop walk over KG facts → passages that mention them.

Scoring (deterministic, documented):

- a seed concept (linked in the query) scores its mention score, times ``negated_weight`` when negated;
- a walked neighbour scores ``max(parent score × decay × weight)``, relationship weight ``None`` = 1;
- a passage scores ``Σ concept score × m / log2(2 + df)`` over the concepts it MENTIONS, where ``df`` is the
  concept's number of mentioning passages (rare concepts say more) and ``m`` is ``negated_weight`` for a
  negated mention, else 1.

The walk follows only concept-to-concept relationship types (never patient records, never MENTIONS), and
the bundle's subgraph holds the seeds, the top walked concepts and the facts that reached them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kg import REL_TYPES, GraphStore
from medkg.errors import StoreError
from retrieval.bundle import EvidenceNode, EvidenceRelationship, EvidenceSubgraph
from retrieval.types import Mention

__all__ = ["WALK_REL_TYPES", "GraphConfig", "GraphResult", "GraphRetriever", "Linker"]

log = logging.getLogger(__name__)

_CONCEPT_LABELS = frozenset(REL_TYPES["MENTIONS"].end) | {"Precaution", "Food"}
WALK_REL_TYPES: tuple[str, ...] = tuple(
    sorted(
        t
        for t, s in REL_TYPES.items()
        if t != "MENTIONS" and set(s.start) <= _CONCEPT_LABELS and set(s.end) <= _CONCEPT_LABELS
    )
)


class Linker(Protocol):
    """What the graph retriever needs from an entity linker (``retrieval.linker.DictionaryLinker``)."""

    def link(self, text: str, *, lang: str | None = None) -> list[Mention]: ...


class GraphConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    hops: int = Field(default=1, ge=0, le=3)
    decay: float = Field(default=0.5, gt=0, le=1)
    negated_weight: float = Field(default=0.5, ge=0, le=1)
    max_seeds: int = Field(default=10, ge=1)
    neighbour_limit: int = Field(default=40, ge=0)
    max_concepts: int = Field(default=15, ge=1)
    mentions_per_concept: int = Field(default=1000, ge=1)
    subgraph_relationships: int = Field(default=50, ge=0)


class GraphResult(BaseModel):
    hits: list[tuple[str, float]] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    subgraph: EvidenceSubgraph = Field(default_factory=EvidenceSubgraph)


class GraphRetriever:
    """Passages reached from the query's concepts through the KG."""

    name = "graph"

    def __init__(self, store: GraphStore, linker: Linker, config: GraphConfig | None = None) -> None:
        self.store = store
        self.linker = linker
        self.config = config or GraphConfig()

    def link(self, query: str, lang: str) -> list[Mention]:
        return self.linker.link(query, lang=lang)

    def seed_scores(self, mentions: Sequence[Mention]) -> dict[str, float]:
        seeds: dict[str, float] = {}
        for m in mentions:
            s = m.score * (self.config.negated_weight if m.negated else 1.0)
            seeds[m.node_id] = max(seeds.get(m.node_id, 0.0), s)
        top = sorted(seeds.items(), key=lambda kv: (-kv[1], kv[0]))[: self.config.max_seeds]
        return dict(top)

    def walk(self, seeds: dict[str, float]) -> tuple[dict[str, float], list[EvidenceRelationship], list[EvidenceNode]]:
        """Concept scores after ``hops`` rounds of decayed propagation, the facts used, and the nodes."""
        cfg = self.config
        scores = dict(seeds)
        rels: list[EvidenceRelationship] = []
        sub = (
            self.store.neighbourhood(
                list(seeds), hops=cfg.hops, rel_types=list(WALK_REL_TYPES), limit=cfg.neighbour_limit
            )
            if cfg.hops
            else None
        )
        nodes = (
            {n.id: n for n in sub.nodes} if sub is not None else {n.id: n for n in self.store.get_nodes(list(seeds))}
        )
        if sub is not None:
            for _ in range(cfg.hops):
                for r in sub.relationships:
                    w = cfg.decay * (1.0 if r.weight is None else max(0.0, min(1.0, r.weight)))
                    for a, b in ((r.start, r.end), (r.end, r.start)):
                        if a in scores and scores[a] * w > scores.get(b, 0.0):
                            scores[b] = scores[a] * w
        top = dict(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg.max_concepts])
        top.update({s: scores[s] for s in seeds})
        if sub is not None:
            used = [r for r in sub.relationships if r.start in top and r.end in top]
            used.sort(key=lambda r: (-(top[r.start] + top[r.end]), r.type, r.start, r.end))
            rels = [EvidenceRelationship.from_rel(r) for r in used[: cfg.subgraph_relationships]]
        ev_nodes = [
            EvidenceNode.from_node(nodes[i], seed=i in seeds, score=top[i])
            for i in sorted(top, key=lambda i: (-top[i], i))
            if i in nodes
        ]
        return top, rels, ev_nodes

    def passages(self, concepts: dict[str, float], k: int) -> list[tuple[str, float]]:
        cfg = self.config
        acc: dict[str, float] = {}
        for cid, cscore in concepts.items():
            rels = self.store.relationships_of(
                cid, rel_types=["MENTIONS"], direction="in", limit=cfg.mentions_per_concept
            )
            if not rels:
                continue
            idf = 1.0 / math.log2(2 + len(rels))
            best: dict[str, float] = {}
            for r in rels:
                m = cfg.negated_weight if r.props.get("negated") is True else 1.0
                best[r.start] = max(best.get(r.start, 0.0), m)
            for pid, m in best.items():
                acc[pid] = acc.get(pid, 0.0) + cscore * m * idf
        return sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))[:k]

    def search(self, query: str, lang: str, k: int) -> GraphResult:
        mentions = self.link(query, lang)
        seeds = self.seed_scores(mentions)
        if not seeds:
            return GraphResult(mentions=mentions)
        try:
            concepts, rels, nodes = self.walk(seeds)
            hits = self.passages(concepts, k)
        except ValidationError as e:  # a store returned a node/relationship its own types reject
            raise StoreError(f"the graph store returned an invalid record during the walk: {e}") from e
        return GraphResult(hits=hits, mentions=mentions, subgraph=EvidenceSubgraph(nodes=nodes, relationships=rels))

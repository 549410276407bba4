"""Fusion of the per-retriever hit lists: weighted score fusion of z-normalised scores (English, the default),
weighted reciprocal rank fusion (Cormack et al. 2009; Chinese), and duplicate removal."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FusedHit", "FusionSetting", "dedup", "fuse", "rrf", "zscore_fusion"]

Hits = Sequence[tuple[str, float]]


class FusedHit(BaseModel):
    """One fused result: the fused (RRF or z-score) score plus each retriever's raw score and 1-based rank."""

    id: str
    score: float
    scores: dict[str, float] = Field(default_factory=dict)
    ranks: dict[str, int] = Field(default_factory=dict)


class FusionSetting(BaseModel):
    """One way to fuse: ``method`` (weighted RRF, or weighted z-scores), per-retriever weights, and RRF k (unused
    by z-score fusion)."""

    model_config = ConfigDict(frozen=True)

    weights: dict[str, float]
    k: float = Field(default=5.0, ge=0)
    method: Literal["rrf", "zscore"] = "rrf"


def fuse(results: Mapping[str, Hits], setting: FusionSetting) -> list[FusedHit]:
    """Fuse ``results`` the way ``setting`` says."""
    if setting.method == "zscore":
        return zscore_fusion(results, weights=setting.weights)
    return rrf(results, k=setting.k, weights=setting.weights)


def rrf(results: Mapping[str, Hits], *, k: float = 60.0, weights: Mapping[str, float] | None = None) -> list[FusedHit]:
    """``score(d) = Σ_r w_r / (k + rank_r(d))`` over the retrievers that returned ``d`` (ranks start at 1).

    Each result list must be best first. Ties are broken by the best single rank, then by id, so the order
    is deterministic.
    """
    if k < 0:
        raise ValueError("RRF k must be >= 0")
    fused: dict[str, FusedHit] = {}
    for name, hits in results.items():
        w = 1.0 if weights is None else float(weights.get(name, 1.0))
        seen: set[str] = set()
        for rank, (doc, score) in enumerate(hits, start=1):
            if doc in seen:
                continue
            seen.add(doc)
            hit = fused.setdefault(doc, FusedHit(id=doc, score=0.0))
            hit.score += w / (k + rank)
            hit.scores[name] = score
            hit.ranks[name] = rank
    return sorted(fused.values(), key=lambda h: (-h.score, min(h.ranks.values(), default=0), h.id))


def zscore_fusion(results: Mapping[str, Hits], *, weights: Mapping[str, float] | None = None) -> list[FusedHit]:
    """``score(d) = Σ_r w_r · (s_r(d) − mean_r) / std_r`` over the retrievers that returned ``d``, the mean and
    (population) standard deviation taken over retriever r's own list (a list of one, or of equal scores, has
    std 1). Unlike RRF it keeps how far a hit stands out: a BM25 list whose top hit towers over the rest weighs
    more than a flat one. Repeats in a list keep their first score; ties as in :func:`rrf`. A retriever of weight
    0 only annotates hits the others found (its scores and ranks), it adds none: z-scores can be negative, so its
    own hits at 0 would outrank below-average hits of the weighted retrievers.

    The English default (``RetrieverConfig``): on ``medkg bench retrieval``'s PubMedQA set it lets a towering BM25
    hit win where RRF must trade PubMedQA (wants BM25 weighted high) against MedQuAD (wants it low). Chinese keeps
    RRF: there z-scores lowered department precision (``RetrieverConfig.per_lang``).
    """
    fused: dict[str, FusedHit] = {}
    w_of = {name: 1.0 if weights is None else float(weights.get(name, 1.0)) for name in results}
    for name in sorted(results, key=lambda n: w_of[n] == 0):  # weighted retrievers first
        hits, w = results[name], w_of[name]
        first: dict[str, tuple[int, float]] = {}
        for rank, (doc, score) in enumerate(hits, start=1):
            first.setdefault(doc, (rank, float(score)))
        if not first:
            continue
        values = [sc for _, sc in first.values()]
        mean = sum(values) / len(values)
        std = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or 1.0
        for doc, (rank, score) in first.items():
            if w == 0 and doc not in fused:
                continue
            hit = fused.setdefault(doc, FusedHit(id=doc, score=0.0))
            hit.score += w * (score - mean) / std
            hit.scores[name] = score
            hit.ranks[name] = rank
    return sorted(fused.values(), key=lambda h: (-h.score, min(h.ranks.values(), default=0), h.id))


def dedup(hits: Sequence[FusedHit], key: Callable[[str], str | None]) -> list[FusedHit]:
    """Keep the first (best) hit per ``key(id)``; hits whose key is None are kept as they are."""
    seen: set[str] = set()
    out: list[FusedHit] = []
    for h in hits:
        kk = key(h.id)
        if kk is not None:
            if kk in seen:
                continue
            seen.add(kk)
        out.append(h)
    return out

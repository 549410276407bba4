"""Reciprocal rank fusion (Cormack et al. 2009) with per-retriever weights, score fusion of z-normalised scores,
and duplicate removal."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, Field

__all__ = ["FusedHit", "dedup", "rrf", "zscore_fusion"]

Hits = Sequence[tuple[str, float]]


class FusedHit(BaseModel):
    """One fused result: RRF score plus each retriever's raw score and 1-based rank."""

    id: str
    score: float
    scores: dict[str, float] = Field(default_factory=dict)
    ranks: dict[str, int] = Field(default_factory=dict)


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

    Not the default (``RetrieverConfig.fusion``): on ``medkg bench retrieval``'s English sets (document level,
    100 passages per retriever) it scored PubMedQA R@1 0.976 out of fold (5-fold CV over 18 round settings, offline)
    and, with dense 1, BM25 1, doc BM25 0.5 (chosen on all of PubMedQA), R@1 0.978 there and MedQuAD R@1 0.602 /
    R@10 0.968 (RRF as shipped: 0.954; 0.599 / 0.971), but Chinese department P@5 fell to 0.923 (RRF 0.942, dense
    0.939; first 2,000 consultations). Per-language weights may fix that; not tried yet.
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

"""Reciprocal rank fusion (Cormack et al. 2009) with per-retriever weights, and duplicate removal."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, Field

__all__ = ["FusedHit", "dedup", "rrf"]

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

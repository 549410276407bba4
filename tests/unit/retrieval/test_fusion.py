"""Reciprocal rank fusion maths and duplicate removal."""

from __future__ import annotations

import pytest

from retrieval.fusion import FusedHit, dedup, rrf


def test_rrf_scores_are_the_sum_of_reciprocal_ranks() -> None:
    fused = rrf({"dense": [("a", 0.9), ("b", 0.8)], "sparse": [("b", 12.0), ("c", 3.0)]}, k=60)
    by = {h.id: h for h in fused}
    assert by["b"].score == pytest.approx(1 / 62 + 1 / 61)
    assert by["a"].score == pytest.approx(1 / 61)
    assert by["c"].score == pytest.approx(1 / 62)
    assert [h.id for h in fused] == ["b", "a", "c"]
    assert by["b"].ranks == {"dense": 2, "sparse": 1} and by["b"].scores == {"dense": 0.8, "sparse": 12.0}


def test_rrf_weights_and_k() -> None:
    fused = rrf({"dense": [("a", 1.0)], "graph": [("g", 1.0)]}, k=0, weights={"dense": 1.0, "graph": 0.25})
    assert [(h.id, h.score) for h in fused] == [("a", 1.0), ("g", 0.25)]
    with pytest.raises(ValueError):
        rrf({}, k=-1)


def test_rrf_ties_are_deterministic_and_repeats_ignored() -> None:
    fused = rrf({"x": [("b", 1.0), ("b", 0.5)], "y": [("a", 1.0)]})
    assert [h.id for h in fused] == ["a", "b"]
    assert fused[1].score == pytest.approx(1 / 61)


def test_dedup_keeps_best_per_key() -> None:
    hits = [FusedHit(id=i, score=s) for i, s in (("a", 3.0), ("b", 2.0), ("c", 1.0))]
    out = dedup(hits, key=lambda i: "same" if i in ("a", "b") else None)
    assert [h.id for h in out] == ["a", "c"]

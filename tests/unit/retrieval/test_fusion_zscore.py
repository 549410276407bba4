"""Score fusion of z-normalised retriever scores."""

from __future__ import annotations

import pytest

from retrieval.fusion import zscore_fusion


def test_scores_are_weighted_sums_of_z_scores() -> None:
    fused = zscore_fusion(
        {"dense": [("a", 3.0), ("b", 1.0)], "sparse": [("b", 10.0), ("c", 4.0), ("b", 0.0)]},
        weights={"dense": 1.0, "sparse": 0.5},
    )
    by = {h.id: h for h in fused}
    assert by["a"].score == pytest.approx(1.0)  # dense: mean 2, std 1
    assert by["b"].score == pytest.approx(-1.0 + 0.5 * 1.0)  # sparse: mean 7, std 3 (repeat of b ignored)
    assert by["c"].score == pytest.approx(0.5 * -1.0)
    assert [h.id for h in fused] == ["a", "b", "c"]
    assert by["b"].ranks == {"dense": 2, "sparse": 1} and by["b"].scores == {"dense": 1.0, "sparse": 10.0}


def test_a_standing_out_hit_beats_a_flat_list_top() -> None:
    """RRF sees two rank-1 hits alike; z-scores prefer the one far above its own list."""
    fused = zscore_fusion(
        {"dense": [("d", 0.51), ("x", 0.50), ("y", 0.49)], "sparse": [("s", 30.0), ("x", 2.0), ("y", 1.0)]}
    )
    assert fused[0].id == "s"


def test_flat_or_single_lists_and_zero_weight() -> None:
    fused = zscore_fusion(
        {"dense": [("a", 0.7)], "sparse": [("b", 5.0), ("c", 5.0)], "graph": [("g", 1.0), ("h", 0.0)]},
        weights={"graph": 0.0},
    )
    assert {h.id: h.score for h in fused} == {"a": 0.0, "b": 0.0, "c": 0.0, "g": 0.0, "h": 0.0}
    assert [h.id for h in fused] == ["a", "b", "g", "c", "h"]  # ties: best single rank, then id

"""Score fusion of z-normalised retriever scores."""

from __future__ import annotations

import pytest

from retrieval.fusion import zscore_fusion
from retrieval.indexing import PassageIndexer
from retrieval.retriever import HybridRetriever, RetrieverConfig


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
        {"graph": [("g", 1.0), ("b", 0.0)], "dense": [("a", 0.7)], "sparse": [("b", 5.0), ("c", 5.0), ("e", 2.0)]},
        weights={"graph": 0.0},
    )
    by = {h.id: h for h in fused}
    assert "g" not in by  # a weight-0 retriever adds no hits of its own ...
    assert by["b"].ranks == {"graph": 2, "sparse": 1} and by["b"].scores["graph"] == 0.0  # ... but annotates
    assert by["a"].score == 0.0 and by["b"].score == pytest.approx(by["c"].score) and by["e"].score < 0
    assert [h.id for h in fused] == ["b", "c", "a", "e"]  # ties: best single rank, then id


def test_retriever_with_zscore_fusion_returns_cited_passages(filled: PassageIndexer) -> None:
    cfg = RetrieverConfig(fusion="zscore", weights={"dense": 1.0, "sparse": 1.0, "doc_sparse": 0.5, "graph": 0.0})
    b = HybridRetriever(filled, config=cfg).search("metformin HbA1c", k=5)
    assert b.passages and b.passages[0].citation_id.startswith("pmid:1#")
    assert all(p.scores for p in b.passages)
    fused = [p.fused_score for p in b.passages]
    assert fused == sorted(fused, reverse=True)
    rrf_cfg = RetrieverConfig(fusion="rrf", weights={"dense": 1.0, "sparse": 1.0, "doc_sparse": 0.5, "graph": 0.0})
    rrf_top = HybridRetriever(filled, config=rrf_cfg).search("metformin HbA1c", k=5).passages[0]
    assert fused[0] != pytest.approx(rrf_top.fused_score)  # the config picks the fusion, not always RRF


def test_fusion_is_chosen_per_query_language() -> None:
    """English (and unlisted languages) use the default setting; Chinese keeps its own RRF setting."""
    cfg = RetrieverConfig()
    assert cfg.setting_for("en").method == "zscore" and cfg.setting_for("fr") == cfg.setting_for("en")
    zh = cfg.setting_for("zh")
    assert zh.method == "rrf" and zh.weights["dense"] > zh.weights["sparse"]
    custom = RetrieverConfig(fusion="rrf", rrf_k=1.0, per_lang={})
    assert custom.setting_for("zh") == custom.setting_for("en") and custom.setting_for("zh").k == 1.0

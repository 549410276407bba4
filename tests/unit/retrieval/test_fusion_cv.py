"""Cross-validated choice of the fusion setting: it scores each query with a setting chosen without it."""

from __future__ import annotations

import random

import pytest

from retrieval.evaluation import (
    EvalQuery,
    FusionSetting,
    QueryRuns,
    cross_validate_fusion,
    fuse_runs,
    fusion_grid,
    recall_metrics,
)

DENSE_LED = FusionSetting(weights={"dense": 1.0, "sparse": 0.25}, k=1.0)
SPARSE_LED = FusionSetting(weights={"dense": 1.0, "sparse": 2.0}, k=1.0)


def test_out_of_fold_score_never_uses_the_held_out_query() -> None:
    """q0 is right only under DENSE_LED, q1 only under SPARSE_LED. Chosen on all queries either setting gets one
    right (R@1 0.5, in-sample); leave-one-out picks, for each query, the setting the other query prefers, so
    the honest estimate is 0."""
    queries = [EvalQuery(query="q0", relevant={"r0"}), EvalQuery(query="q1", relevant={"r1"})]
    runs = QueryRuns(
        rankings=[{"dense": ["r0", "x"], "sparse": ["x", "r0"]}, {"dense": ["y", "r1"], "sparse": ["r1", "y"]}]
    )
    cv = cross_validate_fusion(runs, queries, [DENSE_LED, SPARSE_LED], folds=2)
    assert cv.selected_in_sample.recall[1] == 0.5
    assert cv.selected == DENSE_LED  # a tie goes to the earlier grid entry
    assert cv.oof.recall[1] == 0.0 and cv.oof.recall[5] == 1.0
    assert sorted(c.weights["sparse"] for c in cv.chosen) == [0.25, 2.0]


def test_a_consistently_better_setting_is_chosen_in_every_fold() -> None:
    queries = [EvalQuery(query=f"q{i}", relevant={f"r{i}"}) for i in range(10)]
    runs = QueryRuns(rankings=[{"dense": ["x", "y", f"r{i}"], "sparse": [f"r{i}", "x"]} for i in range(10)])
    cv = cross_validate_fusion(runs, queries, [DENSE_LED, SPARSE_LED], folds=5)
    assert all(c == SPARSE_LED for c in cv.chosen) and cv.selected == SPARSE_LED
    assert cv.oof.recall[1] == 1.0 and cv.oof.mrr == 1.0


def test_positions_match_the_rrf_used_at_search_time() -> None:
    """The fast first-relevant position of the grid search agrees with full RRF (fuse_runs) on random runs."""
    rng = random.Random(3)
    docs = [f"d{i}" for i in range(12)]
    queries, rankings = [], []
    for i in range(60):
        rankings.append({n: rng.sample(docs, rng.randint(0, 8)) for n in ("dense", "sparse", "doc_sparse")})
        queries.append(EvalQuery(query=str(i), relevant=set(rng.sample(docs, rng.randint(1, 2)))))
    runs = QueryRuns(rankings=rankings)
    for setting in fusion_grid(sparse=(0.5, 2.0), doc_sparse=(0.0, 0.25), ks=(0.0, 1.0, 60.0), zscore=False):
        cv = cross_validate_fusion(runs, queries, [setting], folds=3)
        full = recall_metrics(fuse_runs(runs, k=setting.k, weights=setting.weights), queries)
        assert cv.selected_in_sample == full == cv.oof


def test_bad_arguments() -> None:
    queries = [EvalQuery(query="q", relevant={"a"})] * 3
    runs = QueryRuns(rankings=[{"dense": ["a"]}] * 3)
    with pytest.raises(ValueError, match="folds"):
        cross_validate_fusion(runs, queries, folds=4)
    with pytest.raises(ValueError, match="empty"):
        cross_validate_fusion(runs, queries, [], folds=2)
    with pytest.raises(ValueError, match="length"):
        cross_validate_fusion(QueryRuns(rankings=[]), queries, folds=2)


def test_zscore_positions_match_full_fusion_and_need_scores() -> None:
    """Z-score settings in the grid are scored with the document scores, exactly as fuse_runs fuses them."""
    rng = random.Random(5)
    docs = [f"d{i}" for i in range(12)]
    queries, rankings, scores = [], [], []
    for i in range(40):
        r = {n: rng.sample(docs, rng.randint(1, 8)) for n in ("dense", "sparse")}
        rankings.append(r)
        scores.append({n: sorted((rng.random() for _ in ids), reverse=True) for n, ids in r.items()})
        queries.append(EvalQuery(query=str(i), relevant=set(rng.sample(docs, 1))))
    runs = QueryRuns(rankings=rankings, scores=scores)
    grid = [s for s in fusion_grid(sparse=(0.5, 2.0), doc_sparse=(0.0,), ks=(5.0,)) if s.method == "zscore"]
    assert len(grid) == 2
    for setting in grid:
        cv = cross_validate_fusion(runs, queries, [setting], folds=4)
        full = recall_metrics(fuse_runs(runs, k=0, weights=setting.weights, method="zscore"), queries)
        assert cv.selected_in_sample == full == cv.oof
    with pytest.raises(ValueError, match="scores"):
        cross_validate_fusion(QueryRuns(rankings=rankings), queries, grid, folds=4)

"""Retrieval evaluation: document-level recall@k / MRR and label precision@k, per retriever and fused, plus latency.

Each query is searched once per retriever (depth ``depth`` passages); passage hits are aggregated to their
document (max of the passage scores = rank of the document's best passage), and fusion is recomputed from
those per-retriever document rankings, so fusion settings can be compared without searching again.

Choosing fusion weights (or any other setting) on the same questions they are reported on overstates them. The
honest figure is on questions no choice has seen: :func:`split_halves` cuts a development set into a fixed tune half
and a held-out half (by a hash of each question's id, so neither file order nor a seed moves a question), settings
are chosen on the tune half only (:func:`select_fusion`) and reported on the held-out half. :func:`silver_relevance`
labels questions that come without relevance judgements (BioASQ yes/no: question → the snippets that carry its
ideal answer) by word overlap alone, independent of every retriever. :func:`cross_validate_fusion` (k-fold
cross-validation of the selection itself) is kept for finer-grained comparisons.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import re
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from retrieval.fusion import FusionSetting, fuse
from retrieval.retriever import HybridRetriever
from retrieval.text import STOPWORDS_EN

__all__ = [
    "CVResult",
    "EvalQuery",
    "FusionSetting",
    "Metrics",
    "QueryRuns",
    "cross_validate_fusion",
    "fuse_runs",
    "fusion_grid",
    "label_precision",
    "percentiles",
    "recall_metrics",
    "run_queries",
    "score_setting",
    "select_fusion",
    "silver_relevance",
    "split_halves",
]

log = logging.getLogger(__name__)


class EvalQuery(BaseModel):
    query: str
    relevant: set[str] = Field(default_factory=set, description="Relevant document ids.")
    label: str | None = None
    id: str | None = Field(default=None, description="Stable id of the question (splits use it; else the query).")


def split_halves(queries: Sequence[EvalQuery]) -> tuple[list[int], list[int]]:
    """Indices of the tune half and of the held-out half: a question is held out when the first byte of
    sha256(its id, else its text) is odd. Fixed for good: it depends on no file order, seed or retriever, so a
    setting chosen on the tune half has never seen a held-out question."""
    tune: list[int] = []
    held: list[int] = []
    for i, q in enumerate(queries):
        digest = hashlib.sha256((q.id if q.id is not None else q.query).encode("utf-8")).digest()
        (held if digest[0] % 2 else tune).append(i)
    return tune, held


_SILVER_WORD = re.compile(r"[a-z0-9]+")
_SILVER_STOP = STOPWORDS_EN | {"yes", "no", "not"}


def _silver_words(text: str) -> set[str]:
    return {w for w in _SILVER_WORD.findall(text.lower()) if len(w) > 2 and w not in _SILVER_STOP}


def silver_relevance(
    question: str, answers: Sequence[str], passages: Iterable[tuple[str, str]], *, min_overlap: float = 0.5
) -> set[str]:
    """Documents with a passage that holds at least ``min_overlap`` of the content words of the question and its
    ideal answers together (``passages``: (doc id, text)). Word overlap only, no model and no retriever: a silver
    label for sets without relevance judgements, biased towards lexical matches (say so where it is reported)."""
    want = _silver_words(question).union(*(_silver_words(a) for a in answers))
    if not want:
        return set()
    need = min_overlap * len(want)
    return {doc for doc, text in passages if len(want & _silver_words(text)) >= need}


class QueryRuns(BaseModel):
    """Per query: document ranking per retriever (best first), and the search timings."""

    rankings: list[dict[str, list[str]]] = Field(default_factory=list)
    scores: list[dict[str, list[float]]] = Field(
        default_factory=list, description="Per query and retriever: each ranked document's (best passage's) score."
    )
    timings_ms: list[dict[str, float]] = Field(default_factory=list)


class Metrics(BaseModel):
    n: int
    recall: dict[int, float]
    mrr: float


def run_queries(
    retriever: HybridRetriever,
    queries: Sequence[EvalQuery],
    *,
    depth: int = 100,
    exclude_docs: Callable[[EvalQuery], set[str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> QueryRuns:
    """Search every query with each retriever; rankings are of document ids (a document's best passage)."""
    runs = QueryRuns()
    for q in queries:
        t0 = time.perf_counter()
        lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in q.query) else "en"
        res = retriever.get_search_results(q.query, lang, depth)
        ids = {cid for hits in res.hits.values() for cid, _ in hits}
        docs = {cid: rec.doc_id for cid, rec in retriever.indexer.records(list(ids)).items()}
        skip = exclude_docs(q) if exclude_docs is not None else set()
        ranking: dict[str, list[str]] = {}
        scores: dict[str, list[float]] = {}
        for name, hits in res.hits.items():
            seen: dict[str, float] = {}
            for cid, sc in hits:
                d = docs.get(cid)
                if d is not None and d not in skip:
                    seen.setdefault(d, sc)
            ranking[name] = list(seen)
            scores[name] = list(seen.values())
        runs.rankings.append(ranking)
        runs.scores.append(scores)
        timings = dict(res.timings_ms)
        timings["search"] = (time.perf_counter() - t0) * 1000
        runs.timings_ms.append(timings)
        if progress is not None:
            progress(1)
    return runs


def fuse_runs(
    runs: QueryRuns,
    *,
    k: float,
    weights: Mapping[str, float],
    names: Sequence[str] | None = None,
    method: Literal["rrf", "zscore"] = "rrf",
) -> list[list[str]]:
    """Fused document ranking per query (:func:`retrieval.fusion.fuse` over the per-retriever document rankings):
    RRF, or (``method="zscore"``) z-score fusion of their scores (needs ``runs.scores``)."""
    if method == "zscore" and len(runs.scores) != len(runs.rankings):
        raise ValueError("z-score fusion needs the document scores (runs.scores)")
    setting = FusionSetting(weights=dict(weights), k=k, method=method)
    out: list[list[str]] = []
    for i, ranking in enumerate(runs.rankings):
        scores = runs.scores[i] if method == "zscore" else {}
        use = {
            n: list(zip(r, scores[n], strict=True)) if method == "zscore" else [(d, 0.0) for d in r]
            for n, r in ranking.items()
            if names is None or n in names
        }
        out.append([h.id for h in fuse(use, setting)])
    return out


def recall_metrics(
    rankings: Sequence[Sequence[str]], queries: Sequence[EvalQuery], ks: Sequence[int] = (1, 5, 10)
) -> Metrics:
    """Recall@k (a relevant document within the top k) and MRR (first relevant document) over the queries."""
    hits = {k: 0 for k in ks}
    rr = 0.0
    for ranking, q in zip(rankings, queries, strict=True):
        pos = next((i for i, d in enumerate(ranking, start=1) if d in q.relevant), None)
        if pos is None:
            continue
        rr += 1.0 / pos
        for k in ks:
            hits[k] += pos <= k
    n = max(1, len(queries))
    return Metrics(n=len(queries), recall={k: hits[k] / n for k in ks}, mrr=rr / n)


def label_precision(
    rankings: Sequence[Sequence[str]], queries: Sequence[EvalQuery], labels: Mapping[str, str], k: int = 5
) -> float:
    """Mean fraction of the top ``k`` documents whose label equals the query's label (missing slots count 0)."""
    total = 0.0
    for ranking, q in zip(rankings, queries, strict=True):
        top = list(ranking[:k])
        total += sum(labels.get(d) == q.label for d in top) / k
    return total / max(1, len(queries))


def percentiles(values: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) of ``values`` (0, 0 when empty)."""
    if not values:
        return 0.0, 0.0
    if len(values) == 1:
        return values[0], values[0]
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94]


class CVResult(BaseModel):
    """Out-of-fold metrics of selecting a fusion setting by ``objective`` on the other folds."""

    folds: int
    seed: int
    objective: str
    oof: Metrics = Field(description="Every query scored by the setting chosen without it.")
    chosen: list[FusionSetting] = Field(description="The setting chosen on each fold's training part.")
    selected: FusionSetting = Field(description="The setting chosen on all queries (what would be shipped).")
    selected_in_sample: Metrics = Field(description="``selected`` scored on the queries it was chosen on (optimistic).")


def fusion_grid(
    dense: Iterable[float] = (1.0,),
    sparse: Iterable[float] = (0.25, 0.5, 1.0, 2.0),
    doc_sparse: Iterable[float] = (0.0, 0.125, 0.25, 0.5),
    graph: Iterable[float] = (0.0,),
    ks: Iterable[float] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
    zscore: bool = True,
) -> list[FusionSetting]:
    """Round candidate settings: weighted RRF for every k, and (``zscore``) weighted z-score fusion. Both orders
    only depend on the weights' ratios, so dense is fixed at 1 by default."""
    combos = list(itertools.product(dense, sparse, doc_sparse, graph))
    out = [
        FusionSetting(weights={"dense": d, "sparse": s, "doc_sparse": ds, "graph": g}, k=k)
        for (d, s, ds, g), k in itertools.product(combos, ks)
    ]
    if zscore:
        out += [
            FusionSetting(weights={"dense": d, "sparse": s, "doc_sparse": ds, "graph": g}, method="zscore")
            for d, s, ds, g in combos
        ]
    return out


def _first_relevant(
    ranking: Mapping[str, Sequence[str]],
    relevant: set[str],
    setting: FusionSetting,
    scores: Mapping[str, Sequence[float]] | None = None,
) -> int | None:
    """1-based position of the first relevant document in the fusion of ``ranking`` (same order as
    :func:`retrieval.fusion.fuse`); RRF without building the full list, z-score from ``scores``."""
    if setting.method == "zscore":
        if scores is None:
            raise ValueError("z-score fusion needs the document scores (runs.scores)")
        fused = fuse({n: list(zip(r, scores[n], strict=True)) for n, r in ranking.items()}, setting)
        return next((i for i, h in enumerate(fused, start=1) if h.id in relevant), None)
    score: dict[str, float] = {}
    best: dict[str, int] = {}
    for name, docs in ranking.items():
        w = float(setting.weights.get(name, 1.0))
        seen: set[str] = set()
        for rank, d in enumerate(docs, start=1):
            if d in seen:
                continue
            seen.add(d)
            score[d] = score.get(d, 0.0) + w / (setting.k + rank)
            best[d] = min(best.get(d, rank), rank)
    rel = [d for d in score if d in relevant]
    if not rel:
        return None
    key = {d: (-score[d], best[d], d) for d in score}
    top = min(key[d] for d in rel)
    return 1 + sum(1 for v in key.values() if v < top)


def _metrics(positions: Sequence[int | None], ks: Sequence[int] = (1, 5, 10)) -> Metrics:
    n = max(1, len(positions))
    return Metrics(
        n=len(positions),
        recall={k: sum(1 for p in positions if p is not None and p <= k) / n for k in ks},
        mrr=sum(1.0 / p for p in positions if p is not None) / n,
    )


def _objective(positions: Sequence[int | None], objective: str) -> float:
    m = _metrics(positions)
    return m.mrr if objective == "mrr" else m.recall[int(objective.removeprefix("r@"))]


def score_setting(
    runs: QueryRuns, queries: Sequence[EvalQuery], setting: FusionSetting, indices: Sequence[int] | None = None
) -> Metrics:
    """Recall@1/5/10 and MRR of ``setting`` on the queries at ``indices`` (all when None)."""
    idx = range(len(queries)) if indices is None else indices
    sc = runs.scores if runs.scores else None
    return _metrics(
        [_first_relevant(runs.rankings[i], queries[i].relevant, setting, sc[i] if sc else None) for i in idx]
    )


def select_fusion(
    runs: QueryRuns,
    queries: Sequence[EvalQuery],
    indices: Sequence[int],
    grid: Sequence[FusionSetting] | None = None,
    *,
    objective: str = "mrr",
) -> FusionSetting:
    """The grid's best setting by ``objective`` on the queries at ``indices`` only (ties: the earlier entry)."""
    cands = list(grid) if grid is not None else fusion_grid(zscore=bool(runs.scores))
    if not cands:
        raise ValueError("the fusion grid is empty")
    if not indices:
        raise ValueError("select_fusion needs at least one query")
    scores = [_objective_of(score_setting(runs, queries, c, indices), objective) for c in cands]
    return cands[max(range(len(cands)), key=lambda j: (scores[j], -j))]


def _objective_of(m: Metrics, objective: str) -> float:
    return m.mrr if objective == "mrr" else m.recall[int(objective.removeprefix("r@"))]


def cross_validate_fusion(
    runs: QueryRuns,
    queries: Sequence[EvalQuery],
    grid: Sequence[FusionSetting] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    objective: str = "mrr",
) -> CVResult:
    """k-fold cross-validation of choosing the fusion setting from ``grid`` by ``objective`` ("mrr", "r@1",
    "r@5", ...); the default grid has z-score settings when ``runs`` carries scores. Queries are shuffled with
    ``seed`` and split into ``folds`` parts; on each, the best setting on the other parts (ties: the earlier grid
    entry) scores the held-out part."""
    cands = list(grid) if grid is not None else fusion_grid(zscore=bool(runs.scores))
    if not cands:
        raise ValueError("the fusion grid is empty")
    if not 2 <= folds <= len(queries):
        raise ValueError(f"folds must be from 2 to the number of queries ({len(queries)}), got {folds}")
    if len(runs.rankings) != len(queries):
        raise ValueError("runs and queries differ in length")
    sc: list[dict[str, list[float]] | None] = list(runs.scores) if runs.scores else [None] * len(queries)
    pos = [
        [_first_relevant(r, q.relevant, s, c) for r, q, c in zip(runs.rankings, queries, sc, strict=True)]
        for s in cands
    ]
    order = list(range(len(queries)))
    random.Random(seed).shuffle(order)
    oof: list[int | None] = [None] * len(queries)
    chosen: list[FusionSetting] = []
    for f in range(folds):
        held = set(order[f::folds])
        train = [i for i in order if i not in held]
        scores = [_objective([p[i] for i in train], objective) for p in pos]
        best = max(range(len(cands)), key=lambda j: (scores[j], -j))
        chosen.append(cands[best])
        for i in held:
            oof[i] = pos[best][i]
    scores = [_objective(p, objective) for p in pos]
    best_all = max(range(len(cands)), key=lambda j: (scores[j], -j))
    return CVResult(
        folds=folds,
        seed=seed,
        objective=objective,
        oof=_metrics(oof),
        chosen=chosen,
        selected=cands[best_all],
        selected_in_sample=_metrics(pos[best_all]),
    )

"""Retrieval evaluation: document-level recall@k / MRR and label precision@k, per retriever and fused, plus latency.

Each query is searched once per retriever (depth ``depth`` passages); passage hits are aggregated to their
document (max of the passage scores = rank of the document's best passage), and fusion is recomputed from
those per-retriever document rankings, so fusion settings can be compared without searching again.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, Field

from retrieval.fusion import rrf
from retrieval.retriever import HybridRetriever

__all__ = [
    "EvalQuery",
    "Metrics",
    "QueryRuns",
    "fuse_runs",
    "label_precision",
    "percentiles",
    "recall_metrics",
    "run_queries",
]

log = logging.getLogger(__name__)


class EvalQuery(BaseModel):
    query: str
    relevant: set[str] = Field(default_factory=set, description="Relevant document ids.")
    label: str | None = None


class QueryRuns(BaseModel):
    """Per query: document ranking per retriever (best first), and the search timings."""

    rankings: list[dict[str, list[str]]] = Field(default_factory=list)
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
        for name, hits in res.hits.items():
            seen: dict[str, None] = {}
            for cid, _ in hits:
                d = docs.get(cid)
                if d is not None and d not in skip:
                    seen.setdefault(d, None)
            ranking[name] = list(seen)
        runs.rankings.append(ranking)
        timings = dict(res.timings_ms)
        timings["search"] = (time.perf_counter() - t0) * 1000
        runs.timings_ms.append(timings)
        if progress is not None:
            progress(1)
    return runs


def fuse_runs(
    runs: QueryRuns, *, k: float, weights: Mapping[str, float], names: Sequence[str] | None = None
) -> list[list[str]]:
    """Fused document ranking per query (RRF over the per-retriever document rankings)."""
    out: list[list[str]] = []
    for ranking in runs.rankings:
        use = {n: [(d, 0.0) for d in r] for n, r in ranking.items() if names is None or n in names}
        out.append([h.id for h in rrf(use, k=k, weights=weights)])
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

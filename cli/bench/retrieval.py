"""``medkg bench retrieval``: recall/MRR, department precision, latency, throughput and index size of retrieval.

Sets (corpus = everything in the index under ``MEDKG_HOME``, built by ``medkg ingest literature``). The per-retriever
and ``fused`` rows rank documents (each document's best passage) and re-fuse them per setting; the ``served`` row is
what ``HybridRetriever.search`` returns with the shipped setting (passage-level fusion), documents in order:

- ``pubmedqa``: the dev questions (``eval/pubmedqa_dev.jsonl``; the hidden titles of their abstracts) → their
  own abstract (document ``pmid:<pmid>``, or ``bioasq:<pmid>`` for the same article). Only the question→PMID
  pairing is used, never ``final_decision``. The questions are split for good into a **tune half** and a
  **held-out half** (``retrieval.split_halves``: by a hash of the PMID). Every retrieval setting (fusion weights,
  BM25 parameters, candidates) is chosen on the tune half only; the held-out half is the honest estimate on
  questions medkg has never seen. ``fusion_selection`` re-runs the choice (a grid of round settings, best MRR on
  the tune half) and scores it on the held-out half next to the shipped setting; ``fusion_cv`` (``--cv-folds``) is
  the k-fold cross-validated score of that choice within the tune half.
- ``bioasq``: the BioASQ yes/no dev questions (``eval/bioasq_yesno_dev.jsonl``) → the BioASQ snippets that carry
  their ideal answer: a silver label (``retrieval.silver_relevance``: documents with a snippet holding half the
  content words of question + ideal answer; word overlap only, so biased towards lexical matches); questions
  without such a snippet in the index are left out (``bioasq_sizes``).
- ``medquad``: a fixed-seed sample of MedQuAD questions (the ``question`` field, which is never indexed) → their
  own answer document.
- ``honest``: the shipped setting on the held-out half, BioASQ and MedQuAD, side by side.
- ``zh``: Chinese consultations, first 80% as corpus (a temporary index) and the last 20% as queries (title +
  question); precision@5 of the neighbours' department.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cli.common import (
    DataOpt,
    JsonOpt,
    StoreOpt,
    console,
    err_console,
    open_cli_store,
    print_json,
    settings_for,
)
from medkg.data import resolve_data_dir

if TYPE_CHECKING:
    from retrieval import EvalQuery, FusionSetting, HybridRetriever, QueryRuns

__all__ = ["bench_retrieval"]

log = logging.getLogger(__name__)
NAMES = ("dense", "sparse", "doc_sparse", "graph")


def _pubmedqa(data: Path, limit: int | None) -> list[EvalQuery]:
    from retrieval import EvalQuery

    out = []
    with (data / "eval" / "pubmedqa_dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            pmid = str(row["pmid"])
            out.append(EvalQuery(query=row["question"], relevant={f"pmid:{pmid}", f"bioasq:{pmid}"}, id=pmid))
    return out[:limit]


def _bioasq(data: Path, indexed: set[str], limit: int | None) -> list[EvalQuery]:
    """BioASQ yes/no dev questions → the indexed BioASQ documents whose snippets carry their ideal answer (silver)."""
    from ingest.literature import RejectSink, read_bioasq
    from retrieval import EvalQuery, silver_relevance

    path = data / "eval" / "bioasq_yesno_dev.jsonl"
    if not path.is_file():
        return []
    passages = [
        (d.doc_id, sec.text)
        for d in read_bioasq(data / "literature" / "bioasq_snippets.jsonl", RejectSink())
        if d.doc_id in indexed
        for sec in d.sections
    ]
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            answers = [str(a) for a in row.get("ideal_answer") or []]
            rel = silver_relevance(row["question"], answers, passages)
            if rel:
                out.append(EvalQuery(query=row["question"], relevant=rel, id=str(row.get("id"))))
    return out[:limit]


def _subset(runs: QueryRuns, queries: Sequence[EvalQuery], idx: Sequence[int]) -> tuple[QueryRuns, list[EvalQuery]]:
    from retrieval import QueryRuns as QR

    return (
        QR(
            rankings=[runs.rankings[i] for i in idx],
            scores=[runs.scores[i] for i in idx] if runs.scores else [],
            timings_ms=[runs.timings_ms[i] for i in idx] if runs.timings_ms else [],
        ),
        [queries[i] for i in idx],
    )


def _row(m: Any) -> dict[str, float]:
    return {"R@1": m.recall[1], "R@5": m.recall[5], "R@10": m.recall[10], "MRR": m.mrr}


def _halves(runs: QueryRuns, queries: Sequence[EvalQuery], shipped: FusionSetting) -> dict[str, Any]:
    """The fusion choice made on the tune half only, scored on the held-out half next to the shipped setting."""
    from retrieval import score_setting, select_fusion, split_halves

    tune, held = split_halves(queries)
    chosen = select_fusion(runs, queries, tune, objective="mrr")
    return {
        "sizes": {"tune": len(tune), "heldout": len(held)},
        "selected_on_tune": _setting_json(chosen),
        "selected": {"tune": _row(score_setting(runs, queries, chosen, tune)),
                     "heldout": _row(score_setting(runs, queries, chosen, held))},
        "shipped": {"tune": _row(score_setting(runs, queries, shipped, tune)),
                    "heldout": _row(score_setting(runs, queries, shipped, held))},
    }


def _medquad(data: Path, n: int, seed: int, indexed: set[str]) -> list[EvalQuery]:
    """A fixed-seed sample of the MedQuAD questions whose document is in the index."""
    from ingest.literature import RejectSink, read_medquad
    from retrieval import EvalQuery

    docs = [
        d
        for d in read_medquad(data / "literature" / "medquad.jsonl", RejectSink())
        if d.passage_meta.get("question") and d.doc_id in indexed
    ]
    sample = random.Random(seed).sample(docs, min(n, len(docs)))
    return [EvalQuery(query=str(d.passage_meta["question"]), relevant={d.doc_id}) for d in sample]


def _metrics_rows(
    runs: QueryRuns,
    queries: Sequence[EvalQuery],
    setting: FusionSetting,
    labels: dict[str, str] | None = None,
) -> dict[str, dict[str, float]]:
    from retrieval import fuse_runs, label_precision, recall_metrics

    rows: dict[str, dict[str, float]] = {}
    rankings = {n: [r.get(n, []) for r in runs.rankings] for n in NAMES}
    rankings["fused"] = fuse_runs(runs, k=setting.k, weights=setting.weights, method=setting.method)
    for name, rk in rankings.items():
        if labels is not None:
            rows[name] = {"P@5": label_precision(rk, queries, labels, 5)}
        else:
            m = recall_metrics(rk, queries)
            rows[name] = {"R@1": m.recall[1], "R@5": m.recall[5], "R@10": m.recall[10], "MRR": m.mrr}
    return rows


def _cv(runs: QueryRuns, queries: Sequence[EvalQuery], folds: int) -> dict[str, Any]:
    """5-fold cross-validated fusion selection (retrieval.evaluation.cross_validate_fusion) as a report entry."""
    from retrieval import cross_validate_fusion

    cv = cross_validate_fusion(runs, queries, folds=folds, seed=0, objective="mrr")
    row = _row
    return {
        "folds": cv.folds,
        "objective": cv.objective,
        "out_of_fold": row(cv.oof),
        "chosen_per_fold": [_setting_json(c) for c in cv.chosen],
        "selected": _setting_json(cv.selected),
        "selected_in_sample": row(cv.selected_in_sample),
    }


def _setting_json(s: FusionSetting) -> dict[str, Any]:
    out: dict[str, Any] = {"method": s.method, "weights": s.weights}
    if s.method == "rrf":
        out["rrf_k"] = s.k
    return out


def _table(title: str, rows: dict[str, dict[str, float]]) -> None:
    t = Table(title=title)
    cols = list(next(iter(rows.values())))
    t.add_column("retriever")
    for c in cols:
        t.add_column(c, justify="right")
    for name, vals in rows.items():
        t.add_row(name, *(f"{vals[c]:.3f}" for c in cols))
    console.print(t)


def _ticker(name: str, total: int) -> Callable[[int], None]:
    done = [0]
    t0 = time.perf_counter()

    def tick(n: int) -> None:
        done[0] += n
        if done[0] % 50 == 0 or done[0] == total:
            rate = done[0] / max(1e-9, time.perf_counter() - t0)
            err_console.print(f"{name}: {done[0]}/{total} queries ({rate:.1f}/s)", highlight=False)

    return tick


def _latency(retriever: HybridRetriever, queries: Sequence[str]) -> dict[str, dict[str, float]]:
    from retrieval import percentiles

    for q in queries[:5]:
        retriever.search(q, k=10)  # warm-up
    stages: dict[str, list[float]] = {}
    for q in queries:
        b = retriever.search(q, k=10)
        for name, ms in b.timings_ms.items():
            stages.setdefault(name, []).append(ms)
    return {name: dict(zip(("p50", "p95"), percentiles(v), strict=True)) for name, v in stages.items()}


def _served(retriever: HybridRetriever, queries: Sequence[EvalQuery], k: int = 10) -> dict[str, float]:
    """Recall of what users get: ``retriever.search(q, k)`` (passage-level fusion with the shipped setting),
    documents in the order of their first passage. The tables above fuse document-level rankings instead."""
    from retrieval import recall_metrics

    rankings = []
    for q in queries:
        b = retriever.search(q.query, k=3 * k)
        rankings.append(list(dict.fromkeys(p.doc_id for p in b.passages))[:k])
    m = recall_metrics(rankings, queries)
    return {"R@1": m.recall[1], "R@5": m.recall[5], "R@10": m.recall[10], "MRR": m.mrr}


def _zh(
    retriever: HybridRetriever, data: Path, limit: int | None, n_docs: int | None
) -> tuple[QueryRuns, list[EvalQuery], dict[str, str], int]:
    from ingest.literature import RejectSink, chunk_document, read_zh_consultations
    from retrieval import EvalQuery, PassageIndexer, run_queries
    from retrieval import HybridRetriever as HR

    docs = list(read_zh_consultations(data / "dialogue" / "zh_consultations.jsonl", RejectSink(), limit=n_docs))
    cut = int(len(docs) * 0.8)
    corpus, held = docs[:cut], docs[cut:][:limit]
    labels = {d.doc_id: str(d.passage_meta.get("department", "")) for d in docs}
    queries = [EvalQuery(query=d.sections[0].text[:500], label=labels[d.doc_id]) for d in held]
    src = retriever.indexer
    with tempfile.TemporaryDirectory(prefix="medkg-bench-zh-") as tmp:
        ix = PassageIndexer(Path(tmp), src.config, preloaded={"zh": src.embedder("zh")}, cache_path=src.cache.path)
        ix.upsert([p for d in corpus for p in chunk_document(d)])
        linker = retriever.graph.linker if retriever.graph is not None else None
        zr = HR(
            ix,
            store=retriever.graph.store if retriever.graph is not None else None,
            linker=linker,
            config=retriever.config,
        )
        runs = run_queries(zr, queries, depth=50, progress=_ticker("zh", len(queries)))
        ix.close()
    return runs, queries, labels, len(corpus)


def _throughput(retriever: HybridRetriever) -> dict[str, float]:
    out: dict[str, float] = {}
    for lang in ("en", "zh"):
        grp = retriever.indexer.group(lang)
        ids = sorted(grp.faiss.ids())
        if not ids:
            continue
        sample = random.Random(0).sample(ids, min(256 if lang == "en" else 64, len(ids)))
        texts = [r.text for r in retriever.indexer.records(sample).values()]
        t = time.perf_counter()
        grp.embedder.embed_passages(texts)
        out[f"{lang} passages/s"] = len(texts) / (time.perf_counter() - t)
        m = json.loads((grp.faiss_dir / "manifest.json").read_text())
        out[f"{lang} vectors"] = float(m["count"])
        out[f"{lang} index bytes/vector"] = m["bytes"] / max(1, m["count"])
    return out


def bench_retrieval(
    data: DataOpt = None,
    store: StoreOpt = None,
    sets: Annotated[
        str, typer.Option("--sets", help="Comma list of pubmedqa, bioasq, medquad, zh.")
    ] = "pubmedqa,bioasq,medquad,zh",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N queries per set.")] = None,
    medquad_n: Annotated[int, typer.Option("--medquad-n", min=1, help="MedQuAD sample size.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="MedQuAD sample seed.")] = 0,
    latency_n: Annotated[int, typer.Option("--latency-n", min=1, help="Queries timed end to end.")] = 200,
    zh_docs: Annotated[
        int | None,
        typer.Option(
            "--zh-docs", min=10, help="Use only the first N consultations (80% corpus / 20% queries); default all."
        ),
    ] = None,
    cv_folds: Annotated[
        int,
        typer.Option("--cv-folds", min=2, help="Folds of the cross-validated fusion selection (PubMedQA tune half)."),
    ] = 5,
    json_out: JsonOpt = False,
) -> None:
    """Recall@1/5/10 + MRR per retriever and fused (PubMedQA tune and held-out halves, BioASQ, MedQuAD), department
    P@5 (zh), latency p50/p95, throughput, bytes/vector. The honest estimate is the 'honest' table: settings are
    chosen on the PubMedQA tune half only."""
    from retrieval import FusionSetting, HybridRetriever, run_queries

    settings = settings_for(store)
    data_dir = resolve_data_dir(data, settings.data_dir)
    wanted = {s.strip() for s in sets.split(",") if s.strip()}
    report: dict[str, Any] = {"index_dir": str(settings.index_dir)}
    with open_cli_store(settings) as st:
        shipped = HybridRetriever.from_settings(settings, store=st)
        cfg = shipped.config
        en, zh = cfg.setting_for("en"), cfg.setting_for("zh")
        report["fusion"] = {"en": _setting_json(en), "zh": _setting_json(zh), "retrievers": list(cfg.retrievers)}
        linker = shipped.graph.linker if shipped.graph is not None else None
        # every retriever is run for the tables (doc_sparse too), fused with the shipped setting of the language
        evalr = HybridRetriever(
            shipped.indexer, store=st, linker=linker, config=cfg.model_copy(update={"retrievers": NAMES})
        )
        report["corpus"] = shipped.indexer.store.counts()
        pmq = _pubmedqa(data_dir, limit)
        sel: FusionSetting | None = None
        honest: dict[str, dict[str, float]] = {}
        if "pubmedqa" in wanted:
            from retrieval import split_halves

            runs = run_queries(evalr, pmq, progress=_ticker("pubmedqa", len(pmq)))
            tune, held = split_halves(pmq)
            for name, idx in (("pubmedqa_tune", tune), ("pubmedqa_heldout", held)):
                sub_runs, sub_q = _subset(runs, pmq, idx)
                report[name] = _metrics_rows(sub_runs, sub_q, en)
            report["pubmedqa_heldout"]["served"] = honest["pubmedqa_heldout"] = _served(shipped, [pmq[i] for i in held])
            if tune and held:
                report["fusion_selection"] = fs = _halves(runs, pmq, en)
                sel = FusionSetting.model_validate(
                    {**fs["selected_on_tune"], "k": fs["selected_on_tune"].get("rrf_k", 5.0)}
                )
            if len(tune) >= cv_folds:
                report["fusion_cv"] = cv = _cv(*_subset(runs, pmq, tune), cv_folds)
                cv["shipped"] = report["pubmedqa_tune"]["fused"]
        if "bioasq" in wanted:
            bq = _bioasq(data_dir, shipped.indexer.store.doc_ids(), limit)
            report["bioasq_sizes"] = {"queries": len(bq)}
            if bq:
                runs = run_queries(evalr, bq, progress=_ticker("bioasq", len(bq)))
                report["bioasq"] = _metrics_rows(runs, bq, en)
                report["bioasq"]["served"] = honest["bioasq"] = _served(shipped, bq)
                if sel is not None:
                    report["fusion_selection"]["selected_on_bioasq"] = _metrics_rows(runs, bq, sel)["fused"]
        if "medquad" in wanted:
            mq = _medquad(data_dir, medquad_n, seed, shipped.indexer.store.doc_ids())[:limit]
            report["medquad_sizes"] = {"queries": len(mq)}
            runs = run_queries(evalr, mq, progress=_ticker("medquad", len(mq)))
            report["medquad"] = _metrics_rows(runs, mq, en)
            report["medquad"]["served"] = honest["medquad"] = _served(shipped, mq)
            if sel is not None:
                report["fusion_selection"]["selected_on_medquad"] = _metrics_rows(runs, mq, sel)["fused"]
        if "zh" in wanted:
            zruns, zq, labels, n_corpus = _zh(evalr, data_dir, limit, zh_docs)
            report["zh_p5"] = _metrics_rows(zruns, zq, zh, labels=labels)
            report["zh_sizes"] = {"corpus_docs": n_corpus, "queries": len(zq)}
            if sel is not None:
                report["fusion_selection"]["selected_on_zh"] = _metrics_rows(zruns, zq, sel, labels=labels)["fused"]
        if honest:
            report["honest"] = honest
        report["latency_ms"] = _latency(shipped, [q.query for q in pmq[:latency_n]])
        report["throughput"] = _throughput(shipped)
        shipped.close()
    if json_out:
        print_json(report)
        return
    console.print(f"corpus: {report['corpus']}  index: {report['index_dir']}", highlight=False)
    for key, title in (
        ("pubmedqa_tune", f"PubMedQA dev, tune half → own abstract (shipped fusion {report['fusion']})"),
        ("pubmedqa_heldout", "PubMedQA dev, held-out half (never tuned on) → own abstract"),
        ("bioasq", f"BioASQ yes/no → snippets with the ideal answer (silver) {report.get('bioasq_sizes')}"),
        ("medquad", f"MedQuAD sample of {medquad_n} (seed {seed}) → own answer"),
        ("zh_p5", f"Chinese consultations: department precision@5 {report.get('zh_sizes')}"),
    ):
        if key in report:
            _table(title, report[key])
    if "honest" in report:
        _table("honest estimate: shipped setting, served results, questions no setting was chosen on", report["honest"])
    if "fusion_selection" in report:
        fs = report["fusion_selection"]
        rows = {f"{who}, {half}": fs[who][half] for who in ("shipped", "selected") for half in ("tune", "heldout")}
        _table(f"PubMedQA fusion chosen on the tune half: {fs['selected_on_tune']}", rows)
        for key in ("selected_on_bioasq", "selected_on_medquad", "selected_on_zh"):
            if key in fs:
                console.print(f"{key}: {fs[key]}", highlight=False)
    if "fusion_cv" in report:
        cv = report["fusion_cv"]
        rows = {"shipped (fixed)": cv["shipped"], f"{cv['folds']}-fold CV of the selection": cv["out_of_fold"],
                "selected, in-sample": cv["selected_in_sample"]}
        _table(f"PubMedQA tune half: cross-validated fusion selection; selected: {cv['selected']}", rows)
    _table("latency ms (warm, per stage)", report["latency_ms"])
    console.print({k: round(v, 2) for k, v in report["throughput"].items()})

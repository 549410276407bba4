"""``medkg eval pubmedqa|bioasq|mcq|citations``: the answer engine on a file; a table, a JSON report, PNG plots."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from cli.common import DataOpt, console, open_cli_store, settings_for, write_out
from medkg.data import resolve_data_dir
from medkg.errors import InputValidationError
from medkg.settings import Settings

if TYPE_CHECKING:
    from reasoning.answer import AnswerEngine
    from retrieval import EvidenceBundle, HybridRetriever

__all__ = ["COMMANDS", "eval_bioasq", "eval_calibrate", "eval_citations", "eval_mcq", "eval_pubmedqa"]

log = logging.getLogger(__name__)

LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="At most this many questions.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="JSON report path; PNG plots are written beside it.")]
AdapterOpt = Annotated[
    str | None, typer.Option("--adapter", help="LoRA adapter: a folder, or 'none' for the base model (default: "
                                               "MEDKG_GENERATOR_ADAPTER).")
]
GenOpt = Annotated[str | None, typer.Option("--generator", help="Generator id/path (default: MEDKG_GENERATOR).")]
DecisionOpt = Annotated[
    str, typer.Option("--decision", help="yes/no decision from: auto (committed choice), generator, or head.")
]


def _settings(generator: str | None, adapter: str | None) -> Settings:
    s = settings_for()
    upd: dict[str, Any] = {}
    if generator is not None:
        upd["generator"] = generator
    if adapter is not None:
        upd["generator_adapter"] = adapter
    return s.model_copy(update=upd) if upd else s


def _engine(settings: Settings, retriever: HybridRetriever | None, decision: str) -> AnswerEngine:
    from reasoning.answer import PACKAGED_HEAD, AnswerEngine, LexicalDecisionHead

    engine = AnswerEngine.from_settings(settings, retriever=retriever)
    if decision == "generator":
        engine.decision_head = None
    elif decision == "head":
        if not PACKAGED_HEAD.is_file():
            raise InputValidationError(f"--decision head: no head at {PACKAGED_HEAD}")
        engine.decision_head = LexicalDecisionHead.load(PACKAGED_HEAD)
    elif decision != "auto":
        raise InputValidationError(f"--decision must be auto, generator or head, got {decision!r}")
    return engine


@contextmanager
def _retriever(settings: Settings) -> Iterator[HybridRetriever]:
    from retrieval import HybridRetriever

    with open_cli_store(settings) as st:
        r = HybridRetriever.from_settings(settings, store=st)
        try:
            yield r
        finally:
            r.close()


def _progress(label: str) -> Callable[[int, int], None]:
    def cb(i: int, n: int) -> None:
        if i == n or i % 10 == 0:
            console.print(f"{label}: {i}/{n}", highlight=False)

    return cb


def _report(rep: dict[str, Any], out: Path | None, title: str) -> None:
    from reasoning.evaluation import plot_confusion

    keys = ("n", "accuracy", "majority", "refusals", "precision", "uncited", "refusal_rate", "gold_cited")
    console.print(f"[bold]{title}[/]  " + "  ".join(
        f"{k}={rep[k]:.3f}" if isinstance(rep[k], float) else f"{k}={rep[k]}" for k in keys if k in rep),
        highlight=False)
    for cls, m in (rep.get("per_class") or {}).items():
        console.print(f"  {cls:>6}: precision {m['precision']:.3f} recall {m['recall']:.3f} (n={m['support']})",
                      highlight=False)
    if rep.get("latency_ms"):
        console.print(f"  latency ms: {json.dumps({k: round(v) for k, v in rep['latency_ms'].items()})}",
                      highlight=False)
    if out is not None:
        write_out(out, json.dumps(rep, indent=2, ensure_ascii=False, default=str))
        if rep.get("confusion"):
            plot_confusion(rep["confusion"], out.with_suffix(".confusion.png"), title)
        console.print(f"report: {out}", highlight=False)


def _yes_no(task: Literal["pubmedqa", "bioasq"], file: Path, limit: int | None, out: Path | None, evidence: str,
            k: int, generator: str | None, adapter: str | None, decision: str, data: Path | None,
            split: str) -> None:
    from reasoning.evaluation import evaluate_yes_no, read_yes_no
    from reasoning.training import pubmedqa_bundle, split_of

    settings = _settings(generator, adapter)
    rows = read_yes_no(file)
    if split != "all":
        rows = [r for r in rows if split_of(r.key) == split]
    rows = rows[:limit] if limit else rows
    if evidence == "abstract":
        if task != "pubmedqa":
            raise InputValidationError("--evidence abstract is only for PubMedQA (its abstracts file)")
        from reasoning.evaluation import read_jsonl

        path = resolve_data_dir(data, settings.data_dir) / "literature" / "pubmed_abstracts.jsonl"
        abstracts = {str(o.get("pmid")): o for _, o in read_jsonl(path)}

        def bundle_for(row: Any) -> EvidenceBundle:
            from retrieval import EvidenceBundle

            a = abstracts.get(row.pmid or "")
            return pubmedqa_bundle(row.question, a) if a else EvidenceBundle(query=row.question, lang="en")

        rep = evaluate_yes_no(_engine(settings, None, decision), rows, bundle_for, progress=_progress(task))
    elif evidence == "retrieve":
        with _retriever(settings) as r:
            rep = evaluate_yes_no(_engine(settings, r, decision), rows, lambda row: r.search(row.question, k),
                                  progress=_progress(task))
    else:
        raise InputValidationError(f"--evidence must be retrieve or abstract, got {evidence!r}")
    rep.update({"task": task, "file": str(file), "evidence": evidence, "split": split})
    _report(rep, out, f"{task} ({evidence}, {rep['decision_source']}, {rep['model']})")


def eval_pubmedqa(
    file: Annotated[Path, typer.Option("--file", help="PubMedQA JSONL (pmid, question, final_decision).")] = Path(
        "../shared/data/eval/pubmedqa_dev.jsonl"),
    limit: LimitOpt = None,
    out: OutOpt = None,
    evidence: Annotated[str, typer.Option("--evidence", help="retrieve (hybrid search over MEDKG_HOME) or "
                                                             "abstract (the question's own abstract).")] = "retrieve",
    split: Annotated[str, typer.Option("--split", help="val (the fixed part never trained on), train or all.")] = "val",
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 6,
    generator: GenOpt = None,
    adapter: AdapterOpt = None,
    decision: DecisionOpt = "auto",
    data: DataOpt = None,
) -> None:
    """PubMedQA yes/no/maybe: accuracy, per-class precision/recall, refusals, latency. Reads only question and
    final_decision (long_answer, the abstract's conclusion, never enters a prompt)."""
    _yes_no("pubmedqa", file, limit, out, evidence, k, generator, adapter, decision, data, split)


def eval_bioasq(
    file: Annotated[Path, typer.Option("--file", help="BioASQ yes/no JSONL (id, question, answer).")] = Path(
        "../shared/data/eval/bioasq_yesno_dev.jsonl"),
    limit: LimitOpt = None,
    out: OutOpt = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 6,
    generator: GenOpt = None,
    adapter: AdapterOpt = None,
    decision: DecisionOpt = "auto",
) -> None:
    """BioASQ yes/no over retrieved evidence (ideal_answer is never read)."""
    _yes_no("bioasq", file, limit, out, "retrieve", k, generator, adapter, decision, None, "all")


def eval_mcq(
    file: Annotated[Path, typer.Option("--file", help="JSONL: {question, options: {A: ..}, answer}.")],
    limit: LimitOpt = None,
    out: OutOpt = None,
    k: Annotated[int, typer.Option("--k", min=1, max=20)] = 4,
    no_retrieval: Annotated[bool, typer.Option("--no-retrieval", help="Only the model without evidence.")] = False,
    generator: GenOpt = None,
    adapter: AdapterOpt = None,
) -> None:
    """Multiple choice (MedQA/MedMCQA/MMLU shape): accuracy with retrieved evidence and without it."""
    from reasoning.evaluation import evaluate_mcq, read_mcq
    from reasoning.generation import load_generator

    settings = _settings(generator, adapter)
    rows = read_mcq(file, limit)
    gen = load_generator(settings.generator, cache=settings.models_dir, adapter=settings.generator_adapter,
                         device=settings.device, dtype=settings.generator_dtype, offline=settings.offline)
    if no_retrieval:
        rep = evaluate_mcq(gen, rows, None, progress=_progress("mcq"))
    else:
        with _retriever(settings) as r:
            rep = evaluate_mcq(gen, rows, r, k=k, progress=_progress("mcq"))
    rep.update({"task": "mcq", "file": str(file)})
    for name in ("with_evidence", "without_evidence"):
        if name in rep:
            console.print(f"{name}: accuracy {rep[name]['accuracy']:.3f}", highlight=False)
    _report({k_: v for k_, v in rep.items() if k_ not in ("with_evidence", "without_evidence")} | {
        "confusion": rep.get("with_evidence", rep["without_evidence"])["confusion"], **rep}, out, "mcq")


def eval_citations(
    file: Annotated[Path | None, typer.Option("--file", help="JSONL with 'question' (and optional 'id'); default: "
                                                             "100 held-out MedQuAD questions.")] = None,
    limit: LimitOpt = 100,
    out: OutOpt = None,
    generator: GenOpt = None,
    adapter: AdapterOpt = None,
    data: DataOpt = None,
) -> None:
    """Citation quality over retrieved evidence (MEDKG_HOME): share of shown sentences whose citations exist and
    support them, uncited count, refusal rate, and how often the question's own document is cited."""
    from reasoning.evaluation import evaluate_citations, read_jsonl
    from reasoning.training import Example, build_examples

    settings = _settings(generator, adapter)
    questions: list[tuple[str, str, Any]] = []
    if file is not None:
        for n, obj in read_jsonl(file):
            if isinstance(obj.get("question"), str):
                questions.append((str(obj.get("id", n)), obj["question"], None))
    else:
        exs: list[Example] = [e for e in build_examples(resolve_data_dir(data, settings.data_dir), split="val",
                                                        medquad=limit or 100, zh=0) if e.task == "medquad"]
        for e in exs:
            questions.append((f"medquad:{e.key}", e.messages[-1]["content"].rsplit("Question:", 1)[-1].strip(),
                              None))
    questions = questions[:limit] if limit else questions
    with _retriever(settings) as r:
        rep = evaluate_citations(_engine(settings, r, "auto"), questions, progress=_progress("citations"))
    rep.update({"task": "citations", "file": str(file) if file else "medquad held-out"})
    _report(rep, out, "citations")


def eval_calibrate(
    data: DataOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Calibration JSON (default: the packaged one).")] = None,
    max_false_accept: Annotated[float, typer.Option("--max-false-accept", min=0.0, max=1.0)] = 0.02,
) -> None:
    """Choose the checker's support threshold on a validation split (PubMedQA train-part conclusions against
    their own and another abstract); writes reasoning/answer/calibration.json unless --out is given."""
    from reasoning.answer import CALIBRATION_FILE
    from reasoning.evaluation import calibrate_threshold

    settings = settings_for()
    rep = calibrate_threshold(resolve_data_dir(data, settings.data_dir), out or CALIBRATION_FILE,
                              max_false_accept=max_false_accept)
    console.print(json.dumps(rep, indent=2), highlight=False)


COMMANDS: dict[str, Callable[..., None]] = {
    "pubmedqa": eval_pubmedqa, "bioasq": eval_bioasq, "mcq": eval_mcq, "citations": eval_citations,
    "calibrate": eval_calibrate,
}

"""``medkg train triage|ner``: the consultation's models (registered on ``cli/train.py``'s app)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, print_json
from medkg.errors import ModelUnavailableError

__all__ = ["train_ner", "train_triage_cmd"]

log = logging.getLogger(__name__)

_DEFAULT_FILE = Path("dialogue/zh_consultations.jsonl")


def train_triage_cmd(
    file: Annotated[Path | None, typer.Option(
        "--file", help="Consultations JSONL (department, title, ask; answer ignored). Default: "
                       "<data>/dialogue/zh_consultations.jsonl.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Model folder (default: the committed reasoning/consult/models/triage).")] = None,
    c: Annotated[float, typer.Option("--c", min=1e-4, help="LinearSVC regularisation C.")] = 1.0,
    report: Annotated[Path | None, typer.Option("--report", help="Write the validation report JSON here "
                                                               "(and the confusion matrix PNG beside it).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Train the triage department classifier: first 80% of the file trains, last 20% validates; predicts from the
    patient's title + ask only. Prints n, top1, top3, macro_f1 and per-department figures."""
    from cli.common import settings_for
    from medkg.data import resolve_data_dir
    from reasoning.consult import TRIAGE_MODEL_DIR, read_consultations, train_triage, write_confusion_png

    path = file or resolve_data_dir(None, settings_for().data_dir) / _DEFAULT_FILE
    rows = read_consultations(path)
    model, rep = train_triage(rows, c=c)
    folder = out or TRIAGE_MODEL_DIR
    model.save(folder)
    rep["model_dir"] = str(folder)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(rep, ensure_ascii=False, indent=1), encoding="utf-8")
        rep["confusion_png"] = str(write_confusion_png(rep["confusion"]["matrix"], report.with_suffix(".png")))
    if json_out:
        print_json(rep)
        return
    console.print(f"triage: n={rep['n']} top1={rep['top1']:.4f} top3={rep['top3']:.4f} macro_f1={rep['macro_f1']:.4f} "
                  f"({model.meta['features']} features, {rep['train_seconds']} s) → {folder}")
    for dept, m in rep["per_department"].items():
        console.print(f"  {dept}: P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} n={m['support']}")


def train_ner() -> None:
    """Not implemented yet: the BERT-style NER head (see issue 20); the dictionary linker is used instead."""
    raise ModelUnavailableError("medkg train ner is not implemented yet: consultations use the dictionary linker "
                                "(retrieval.DictionaryLinker) with curated lay symptom words")

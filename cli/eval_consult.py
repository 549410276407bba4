"""``medkg eval triage|differential``: the consultation's evaluations (registered on ``cli/evaluate.py``'s app)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import StoreOpt, console, open_cli_store, print_json, settings_for

__all__ = ["eval_differential", "eval_triage"]

log = logging.getLogger(__name__)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")]


def _write(report: dict[str, Any], out: Path | None) -> None:
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def eval_triage(
    file: Annotated[Path, typer.Option("--file", help="JSONL in the format of dialogue/zh_consultations.jsonl "
                                                      "(department, title, ask; answer ignored, may be absent).")],
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many consultations.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the report JSON here and the confusion matrix "
                                                         "PNG beside it (same name, .png).")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Model folder (default: the committed one).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Triage classifier on a consultations file, predicting from title + ask only: n, top1, top3, macro_f1,
    per_department (precision, recall, f1, support) and confusion (labels, matrix: rows true, columns predicted)."""
    from reasoning.consult import (
        TRIAGE_MODEL_DIR,
        evaluate_triage,
        load_triage,
        read_consultations,
        write_confusion_png,
    )

    rows = read_consultations(file, limit=limit)
    rep = evaluate_triage(load_triage(model or TRIAGE_MODEL_DIR), rows)
    if out is not None:
        rep["confusion_png"] = str(write_confusion_png(rep["confusion"]["matrix"], out.with_suffix(".png")))
    _write(rep, out)
    if json_out:
        print_json(rep)
        return
    console.print(f"triage: n={rep['n']} top1={rep['top1']:.4f} top3={rep['top3']:.4f} macro_f1={rep['macro_f1']:.4f}")
    for dept, m in rep["per_department"].items():
        console.print(f"  {dept}: P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} n={m['support']}")


def eval_differential(
    file: Annotated[Path | None, typer.Option(
        "--file", help="JSONL of {\"question\", \"diagnosis\": name or KG id[, \"set\"]}; top-1/top-5 per set "
                       "(the 'set' field, else the file name).")] = None,
    make_sets: Annotated[Path | None, typer.Option(
        "--make-sets", help="Write the development sets (table_test, medquad_symptoms, zh_records) built from "
                            "the data dir into this folder, then evaluate each.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many cases per file.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the report JSON here.")] = None,
    json_out: JsonFlag = False,
    store: StoreOpt = None,
) -> None:
    """Differential: top-1/top-5 per set over the cases whose diagnosis is a KG disease (reachable)."""
    from medkg.data import resolve_data_dir
    from medkg.errors import EmptyInputError
    from reasoning.consult import ConsultationService, build_dev_sets, evaluate_differential, read_cases

    settings = settings_for(store)
    files: list[Path] = [file] if file is not None else []
    if make_sets is not None:
        counts = build_dev_sets(resolve_data_dir(None, settings.data_dir), make_sets)
        console.print(f"development sets in {make_sets}: {counts}")
        files += [make_sets / f"{name}.jsonl" for name in counts]
    if not files:
        raise EmptyInputError("give --file cases.jsonl or --make-sets DIR")
    report: dict[str, Any] = {}
    with open_cli_store(settings) as st:
        svc = ConsultationService.from_settings(settings, store=st)
        svc.warm_up()
        for f in files:
            report.update(evaluate_differential(st, lambda q: svc.consult(q, narrate=False),
                                                read_cases(f, limit=limit)))
    _write(report, out)
    if json_out:
        print_json(report)
        return
    for name, r in report.items():
        console.print(f"{name}: n={r['n']} reachable={r['reachable']} top1={r['top1']:.3f} top5={r['top5']:.3f} "
                      f"({r['ms_per_case']} ms/case)")

"""``medkg consult``: symptoms in free text → red flags first, a cited differential, department, doctors, tests,
treatment options (checked against ``--patient``'s record) and the answer engine's narrative."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.common import JsonOpt, StoreOpt, console, open_cli_store, print_json, question_lines, settings_for
from medkg.errors import EmptyInputError, InputValidationError, NotFoundError

if TYPE_CHECKING:
    from reasoning.consult import ConsultationAnswer, ConsultationService, RosterEntry

__all__ = ["consult"]

log = logging.getLogger(__name__)


def render(a: ConsultationAnswer) -> None:
    """The answer as text: red flags first, then the rest; citation ids are in --json."""
    for h in a.red_flags:
        console.print(f"[bold red]URGENT ({escape(h.rule)}):[/] {escape(h.advice)}")
        console.print(f"  [dim]matched: {escape(', '.join(h.matched))}; source: {escape(h.source)}[/]")
    shown = [f for f in a.findings if f.kind not in ("age", "sex", "pregnancy", "duration", "onset")]
    if shown:
        console.print("[bold]Findings:[/] " + ", ".join(
            ("no " if f.negated else "") + escape(f.text) + (" (family)" if f.family else "") for f in shown))
    attrs = [f"{f.kind} {f.value}" for f in a.findings if f.kind in ("age", "sex", "pregnancy", "duration", "onset")]
    if attrs:
        console.print("[bold]Stated:[/] " + escape(", ".join(attrs)))
    if a.differential:
        console.print("[bold]Differential:[/]")
        for i, d in enumerate(a.differential[:8], start=1):
            console.print(f"  {i}. {escape(d.name)} [dim]({escape(d.id)}; score {d.score:.2f}; "
                          f"{len(d.citations)} facts)[/]")
    if a.department is not None:
        console.print(f"[bold]See:[/] {escape(a.department.name)} [dim]({escape(a.department.reason)})[/]")
    if a.doctors:
        console.print("[bold]Doctors:[/] " + ", ".join(f"{escape(d.name)} ({escape(d.speciality)})" for d in a.doctors))
    if a.tests:
        console.print("[bold]Tests to consider:[/] " + ", ".join(escape(t.name) for t in a.tests))
    offered = [x for x in a.drugs if not x.excluded_reason]
    if offered:
        console.print("[bold]Treatment options (no doses; discuss with a clinician):[/] " + ", ".join(
            f"{escape(x.name)} [dim]({x.kind})[/]" for x in offered[:10]))
    for drug in a.drugs:
        if drug.excluded_reason:
            record = ", ".join(c for c in drug.citations if c.startswith("record:"))
            console.print(f"  [yellow]not offered:[/] {escape(drug.name)}: {escape(drug.excluded_reason)} "
                          f"[dim]({escape(record)})[/]")
    for s in a.sentences:
        if s.citations:
            console.print(f"{escape(s.text)} [dim][{escape(', '.join(s.citations))}][/]")
    for n in a.notes:
        console.print(f"[dim]{escape(n)}[/]")


def _run_file(svc: ConsultationService, path: Path, patient: str | None, roster: list[RosterEntry] | None,
              narrate: bool) -> None:
    for n, question, problem in question_lines(path):
        if question is None:
            print_json({"line": n, "error": f"RowError: {path}: {problem}"})
            continue
        try:
            ans = svc.consult(question, patient=patient, roster=roster, narrate=narrate)
        except (EmptyInputError, InputValidationError, NotFoundError) as e:
            print_json({"line": n, "question": question, "error": f"{type(e).__name__}: {e}"})
            continue
        print_json({"line": n, **ans.model_dump(mode="json")})


def consult(
    question: Annotated[str | None, typer.Argument(help="Symptoms in free text (English or Chinese).")] = None,
    json_out: JsonOpt = False,
    patient: Annotated[str | None, typer.Option(
        "--patient", help="Pseudonym of an ingested patient (8+ hex characters): allergies and current medications "
                          "exclude drugs, with the record entry cited.")] = None,
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="The hospital's own doctors: CSV (header name,speciality,department), JSON list or JSONL "
                         "of {name, speciality, department}; default: the ingested Synthea providers.")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="JSONL of cases: the 'question' field of each line; prints one JSON line per case "
                       "(with 'line'); a bad line gives {\"line\", \"error\"} and the run goes on.")] = None,
    narrate: Annotated[bool, typer.Option(
        "--narrate/--no-narrate", help="Add the answer engine's cited, checked summary (loads the generator; "
                                       "without it the structured answer comes with a note).")] = False,
    store: StoreOpt = None,
) -> None:
    """Consultation: red flags first (reviewed rules), a cited differential from the KG, department and doctors,
    tests, treatment options checked against the patient's record. JSON fields: question, lang, red_flags, findings,
    differential, department, doctors, tests, drugs, sentences, refused, evidence, timings_ms."""
    from reasoning.consult import ConsultationService, read_roster

    if file is None and question is None:
        raise EmptyInputError("give a question or --file cases.jsonl")
    if file is not None and question is not None:
        raise InputValidationError("give either a question or --file, not both")
    entries = read_roster(roster) if roster is not None else None
    settings = settings_for(store)
    with open_cli_store(settings) as st:
        svc = ConsultationService.from_settings(settings, store=st)
        if file is not None:
            _run_file(svc, file, patient, entries, narrate)
            return
        assert question is not None
        ans = svc.consult(question, patient=patient, roster=entries, narrate=narrate)
        if json_out:
            print_json(ans.model_dump(mode="json"))
        else:
            render(ans)

"""``medkg ingest kg|records|resources|literature|all [MORE PARTS...]``: load sources into the graph store.

``medkg ingest kg records resources`` runs the three parts in order (kg first: DOID is canonical). Every file is
read and checked before anything is written: a missing, empty, wrongly encoded or truncated file stops the run
with the store as it was. Malformed rows are rejected into ``<home>/reports/ingest-rejects.jsonl`` (``--strict``
aborts on the first one of any source, naming file and line, before anything is written). A source absent from
the data dir is reported as skipped, never fatal. Re-ingest merges: what a new file lacks is kept unless
``--replace`` (literature: the source's documents and passages the file no longer has are removed, and counted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.common import DataOpt, StoreOpt, console, open_cli_store, progress, settings_for
from medkg.data import resolve_data_dir

if TYPE_CHECKING:
    from pathlib import Path

    from ingest import IngestReport

__all__ = ["app", "render_report", "run_parts"]

app = typer.Typer(help="Ingest sources into the graph store (and indexes).", no_args_is_help=True)

MoreOpt = Annotated[list[str] | None, typer.Argument(help="More parts to run after this one: kg records resources.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help=(
    "Abort on the first malformed row of any source (file and line named) before anything is written. "
    "Sources absent from the data dir are reported as skipped, not fatal."))]
ReplaceOpt = Annotated[bool, typer.Option("--replace", help=(
    "Literature: remove the stored documents and passages of a source that its new file no longer has "
    "(says how many). Default: a re-ingest keeps them."))]
KeepOpt = Annotated[bool, typer.Option("--keep-identifiers",
                                       help="Opt-in: keep patient names/addresses/ids (default: de-identified).")]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="Read at most N rows per file (quick tries).")]


def render_report(report: IngestReport, rejects_file: Path) -> None:
    """The per-source summary table and where the rejects are."""
    t = Table(title="ingest summary")
    for col in ("source", "rows", "nodes", "rels", "rejects", "rows/s", "seconds"):
        t.add_column(col, justify="left" if col == "source" else "right")
    for s in report.sources:
        if "skipped" in s.notes:
            t.add_row(s.source, "skipped", "", "", "", "", "")
            continue
        t.add_row(s.source, f"{s.rows_read:,}", f"{s.nodes_written:,}", f"{s.relationships_written:,}",
                  f"{len(s.rejected):,}", f"{s.rows_per_second:,.0f}", f"{s.seconds:.1f}")
    console.print(t)
    for s in report.sources:
        interesting = {k: v for k, v in s.notes.items()
                       if any(w in k for w in ("rate", "merged", "dup", "skipped", "not_in_file"))}
        if interesting:
            console.print(f"[bold]{s.source}[/]: " + ", ".join(f"{k}={v}" for k, v in interesting.items()),
                          highlight=False)
    for s in report.sources:
        kept, removed = s.notes.get("kept_not_in_file"), s.notes.get("removed_not_in_file")
        if removed:
            console.print(f"{s.source}: removed {removed:,} stored documents/passages the new file does not have "
                          "(--replace)", highlight=False)
        elif kept:
            console.print(f"{s.source}: kept {kept:,} stored documents/passages the new file does not have "
                          "(--replace removes them)", highlight=False)
    console.print(f"{report.rejected:,} rejected rows → {rejects_file}", highlight=False)


def run_parts(parts: list[str], data: Path | None, store: str | None, strict: bool, keep_identifiers: bool,
              limit: int | None, replace: bool = False) -> None:
    """Resolve data dir and store, run the ingest layer, render the summary."""
    from ingest import rejects_path, run_ingest

    settings = settings_for(store)
    data_dir = resolve_data_dir(data, settings.data_dir)
    console.print(f"data: {data_dir}  store: {settings.store}", highlight=False)
    with open_cli_store(settings) as st, progress() as prog:
        report = run_ingest(st, data_dir, parts, settings=settings, strict=strict, replace=replace,
                            keep_identifiers=keep_identifiers or settings.keep_identifiers, limit=limit,
                            progress=prog)
    render_report(report, rejects_path(settings))


def _command(part: str, doc: str) -> Callable[..., None]:
    def command(more: MoreOpt = None, data: DataOpt = None, store: StoreOpt = None, strict: StrictOpt = False,
                keep_identifiers: KeepOpt = False, limit: LimitOpt = None, replace: ReplaceOpt = False) -> None:
        run_parts([part, *(more or [])], data, store, strict, keep_identifiers, limit, replace)

    command.__doc__ = doc
    command.__name__ = part
    return command


for _part, _doc in (
    ("kg", "Curated medical KG: Hetionet, MEDLINE, HSDN, PharmacotherapyDB, disease table, Chinese KG, departments."),
    ("records", "Synthea patient records (de-identified unless --keep-identifiers), linked to KG concepts."),
    ("resources", "Hospital resources: HIFLD hospitals and OR-PAS hospital structure."),
    ("literature", "Literature passages (PubMed, BioASQ, MedQuAD, consultations) with mentions and indexes."),
    ("all", "kg, records, resources, then literature."),
):
    app.command(_part)(_command(_part, _doc))

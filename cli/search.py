"""``medkg search``: hybrid search (dense + BM25 + KG walk; z-score fusion for English, RRF for Chinese) over the
ingested literature and graph."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import JsonOpt, StoreOpt, console, open_cli_store, print_json, question_lines, settings_for
from medkg.errors import EmptyInputError, InputValidationError

if TYPE_CHECKING:
    from retrieval import EvidenceBundle, HybridRetriever

__all__ = ["search"]

log = logging.getLogger(__name__)


def _render(bundle: EvidenceBundle) -> None:
    if bundle.reason:
        console.print(f"[yellow]{escape(bundle.reason)}[/]")
    if bundle.passages:
        table = Table(title=f"{bundle.query!r} ({bundle.lang})", show_lines=False)
        table.add_column("#", no_wrap=True)
        table.add_column("citation id", no_wrap=True)
        table.add_column("source", no_wrap=True)
        table.add_column("passage", overflow="fold", ratio=1)
        table.add_column("ranks d/b/g", no_wrap=True)
        table.add_column("fused", no_wrap=True)
        for p in bundle.passages:
            snippet = " ".join(p.text.split())
            table.add_row(
                str(p.rank),
                escape(p.citation_id),
                escape(p.source),
                escape(snippet[:110] + ("…" if len(snippet) > 110 else "")),
                "/".join(str(p.ranks.get(r, "-")) for r in ("dense", "sparse", "graph")),
                f"{p.fused_score:.3f}",
            )
        console.print(table)
    if bundle.subgraph.nodes:
        console.print(
            "[bold]KG concepts:[/] "
            + ", ".join(f"{escape(n.name)} [dim]({escape(n.citation_id)})[/]" for n in bundle.subgraph.nodes[:12])
        )
    if bundle.subgraph.relationships:
        console.print(f"[bold]KG facts:[/] {len(bundle.subgraph.relationships)} (see --json for each citation id)")


def _run_file(retriever: HybridRetriever, path: Path, k: int, limit: int | None) -> None:
    """One JSON line per line of the file: the answer, or ``{"line", "error"}`` for a broken line or a query the
    retriever refuses; a bad line never stops the batch."""
    for line, question, problem in question_lines(path, limit):
        if question is None:
            print_json({"line": line, "error": f"RowError: {path}: {problem}"})
            continue
        try:
            bundle = retriever.search(question, k=k)
        except (EmptyInputError, InputValidationError) as e:  # one bad query must not stop the batch
            print_json({"line": line, "query": question, "error": f"{type(e).__name__}: {e}"})
            continue
        print_json({"line": line, **bundle.model_dump(mode="json")})


def search(
    query: Annotated[str | None, typer.Argument(help="Question or keywords (English or Chinese).")] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=1000, help="Passages to return.")] = 10,
    json_out: JsonOpt = False,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help=(
                "JSONL of queries: the 'question' field of each line; prints one JSON line per line: the answer "
                "(with 'line'), or {\"line\", \"error\"} for a broken line or refused query; the rest are answered."
            ),
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="With --file: at most this many queries.")] = None,
    no_graph: Annotated[bool, typer.Option("--no-graph", help="Skip the KG walk (passages only).")] = False,
    store: StoreOpt = None,
) -> None:
    """Hybrid search over the literature and the graph; every result carries its citation id."""
    from retrieval import HybridRetriever

    if file is None and query is None:
        raise EmptyInputError("give a query or --file queries.jsonl")
    if file is not None and query is not None:
        raise InputValidationError("give either a query or --file, not both")
    settings = settings_for(store)
    if no_graph:
        retriever = HybridRetriever.from_settings(settings)
        _dispatch(retriever, query, file, k, limit, json_out)
        return
    with open_cli_store(settings) as st:
        retriever = HybridRetriever.from_settings(settings, store=st)
        _dispatch(retriever, query, file, k, limit, json_out)


def _dispatch(
    retriever: HybridRetriever, query: str | None, file: Path | None, k: int, limit: int | None, json_out: bool
) -> None:
    try:
        if file is not None:
            _run_file(retriever, file, k, limit)
            return
        bundle = retriever.search(query or "", k=k)
        if json_out:
            print_json(bundle.model_dump(mode="json"))
        else:
            _render(bundle)
    finally:
        retriever.close()

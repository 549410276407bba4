"""``medkg search``: hybrid search (dense + BM25 + KG walk; z-score fusion for English, RRF for Chinese) over the
ingested literature and graph."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import JsonOpt, StoreOpt, console, open_cli_store, print_json, settings_for
from medkg.errors import DataFileError, EmptyInputError, InputValidationError

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


def _questions(path: Path, limit: int | None) -> Iterator[tuple[int, str | None, str | None]]:
    """``(line, question, None)`` for each usable line of a queries file, ``(line, None, why)`` for a broken one (not
    JSON, not UTF-8, no string 'question'); blank lines are skipped. ``limit`` counts the lines answered."""
    if not path.is_file():
        raise DataFileError(path, "queries file not found")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataFileError(path, f"unreadable ({e.strerror or e})") from e
    answered = 0
    for n, data in enumerate(raw.split(b"\n"), start=1):
        if limit is not None and answered >= limit:
            return
        try:
            line = data.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            yield n, None, f"line {n}: not valid UTF-8 at byte {e.start}"
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            yield n, None, f"line {n}: not JSON ({e})"
            continue
        question = obj.get("question") if isinstance(obj, dict) else None
        if not isinstance(question, str):
            yield n, None, f"line {n}: expected an object with a string 'question' field"
            continue
        answered += 1
        yield n, question, None


def _run_file(retriever: HybridRetriever, path: Path, k: int, limit: int | None) -> None:
    """One JSON line per line of the file: the answer, or ``{"line", "error"}`` for a broken line or a query the
    retriever refuses; a bad line never stops the batch."""
    for line, question, problem in _questions(path, limit):
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

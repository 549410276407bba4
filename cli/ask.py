"""``medkg ask``: a cited answer from the evidence (hybrid search + the answer engine), or an honest refusal."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.common import JsonOpt, StoreOpt, console, open_cli_store, print_json, question_lines, settings_for
from medkg.errors import EmptyInputError, InputValidationError

if TYPE_CHECKING:
    from reasoning.answer import Answer, AnswerEngine

__all__ = ["ask"]

log = logging.getLogger(__name__)


def _render_citations(ans: Answer) -> None:
    if ans.refused:
        console.print(f"[yellow]refused:[/] {escape(ans.refusal_reason or '')}", highlight=False)
    if ans.decision:
        console.print(f"[bold]decision:[/] {ans.decision}", highlight=False)
    for i, cid in enumerate(ans.cited_ids(), start=1):
        item = ans.evidence.get(cid)
        snippet = " ".join(str(getattr(item, "text", getattr(item, "name", ""))).split())[:100]
        console.print(f"  [{i}] [cyan]{escape(cid)}[/] {escape(snippet)}", highlight=False)
    if ans.dropped:
        console.print(f"[dim]{len(ans.dropped)} sentence(s) removed by the checker (see --json)[/]")


def _stream(engine: AnswerEngine, question: str, k: int | None, max_tokens: int | None) -> None:
    final = None
    for ev in engine.stream(question, k=k, max_tokens=max_tokens):
        if ev.type == "delta":
            typer.echo(ev.text, nl=False)
        else:
            final = ev.answer
    assert final is not None
    if final.refused:
        typer.echo(final.text, nl=False)
    typer.echo("")
    _render_citations(final)


def _run_file(engine: AnswerEngine, path: Path, k: int | None, max_tokens: int | None) -> None:
    for line, q, problem in question_lines(path):
        if q is None:
            print_json({"line": line, "error": f"RowError: {path}: {problem}"})
            continue
        try:
            ans = engine.answer(q, k=k, max_tokens=max_tokens)
        except (EmptyInputError, InputValidationError) as e:  # one bad question must not stop the batch
            print_json({"line": line, "question": q, "error": f"{type(e).__name__}: {e}"})
            continue
        print_json({"line": line, **ans.model_dump(mode="json")})


def ask(
    question: Annotated[str | None, typer.Argument(help="The question (English or Chinese).")] = None,
    json_out: JsonOpt = False,
    k: Annotated[int | None, typer.Option("--k", "-k", min=1, max=50, help="Evidence passages to retrieve.")] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option("--max-tokens", min=8, max=2048, help="New tokens at most (MEDKG_GENERATOR_MAX_TOKENS)."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="JSONL: answers the 'question' field of each line, one JSON Answer line each "
                                    "(with 'line'); a bad line gives {\"line\", \"error\"} and the run goes on."),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Answer from the evidence: every shown sentence cites passages or graph facts ([1] → citation id listed
    after the answer) and passed the checker; otherwise an honest refusal. --json prints one Answer:
    question, lang, text, sentences [{text, citations, support}], decision, refused, refusal_reason, dropped,
    evidence, model, timings_ms, tokens."""
    from reasoning.answer import AnswerEngine
    from retrieval import HybridRetriever

    if file is None and question is None:
        raise EmptyInputError("give a question or --file questions.jsonl")
    if file is not None and question is not None:
        raise InputValidationError("give either a question or --file, not both")
    settings = settings_for(store)
    with open_cli_store(settings) as st:
        retriever = HybridRetriever.from_settings(settings, store=st)
        try:
            engine = AnswerEngine.from_settings(settings, retriever=retriever)
            if file is not None:
                _run_file(engine, file, k, max_tokens)
            elif json_out:
                print_json(engine.answer(question or "", k=k, max_tokens=max_tokens).model_dump(mode="json"))
            else:
                _stream(engine, question or "", k, max_tokens)
        finally:
            retriever.close()

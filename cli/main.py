"""The ``medkg`` command line: one module per command group; each command parses, calls one layer function, renders."""

from __future__ import annotations

import sys

import typer

from cli import allocate, ask, bench, demo, doctor, evaluate, graph, ingest, search, serve, train
from cli.common import run_guarded
from medkg.logging import configure_logging
from medkg.settings import get_settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="medkg",
    help="Knowledge-graph-augmented clinical reasoning: ingest, explore, search, consult, allocate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _front_door() -> None:
    # Before any command: log at MEDKG_LOG_LEVEL, to stderr (stdout is the command's output).
    configure_logging(get_settings().log_level)


app.add_typer(ingest.app, name="ingest")
app.add_typer(graph.app, name="graph")
app.add_typer(bench.app, name="bench")
app.add_typer(allocate.app, name="allocate")
app.add_typer(train.app, name="train")
app.add_typer(evaluate.app, name="eval")
app.command("search")(search.search)
from cli.consult import consult as _consult; app.command("consult")(_consult)  # noqa: E402, E702, I001
app.command("ask")(ask.ask)
app.command("demo")(demo.demo)
app.command("doctor")(doctor.doctor)
app.command("serve")(serve.serve)
from cli.keys import app as _keys; app.add_typer(_keys, name="keys")  # noqa: E402, E702, I001


def main() -> None:
    """Console entry point: MedkgError becomes a one-line message and exit code 2, never a traceback."""
    sys.exit(run_guarded(app))

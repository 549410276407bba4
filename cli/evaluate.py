"""``medkg eval ...``: evaluations that print a table and write a JSON report (and PNG plots) beside ``--out``.

Each command lives in the module of the capability it evaluates and is registered here, so this group is a list.
"""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Evaluate medkg on a file: research questions, multiple choice, citations, triage, differential.",
    no_args_is_help=True,
)
from cli.eval_answer import COMMANDS; [app.command(n)(f) for n, f in COMMANDS.items()]  # noqa: E402, E702, I001
from cli.eval_consult import eval_differential, eval_triage; app.command("triage")(eval_triage); app.command("differential")(eval_differential)  # noqa: E402, E702, I001, E501

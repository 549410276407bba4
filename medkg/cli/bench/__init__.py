"""``medkg bench ...``: benchmarks that print numbers. One module per benchmark, registered here."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="Benchmarks that print numbers (never timed tests).", no_args_is_help=True)

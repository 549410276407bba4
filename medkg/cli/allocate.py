"""``medkg allocate ...`` (owned by the allocation work; placeholder until it lands)."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="Solver-backed hospital allocation (OR-PAS and the general service).", no_args_is_help=True)

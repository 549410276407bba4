"""``medkg ingest ...`` (owned by the ingest work; placeholder until it lands)."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="Ingest sources into the graph store (and indexes).", no_args_is_help=True)

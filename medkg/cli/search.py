"""``medkg search`` (owned by the retrieval work; placeholder until it lands)."""

from __future__ import annotations

import typer

__all__ = ["search"]


def search(query: str = typer.Argument("", help="Question or keywords.")) -> None:
    """Hybrid search over the literature and the graph (not yet available)."""
    raise typer.Exit(1)

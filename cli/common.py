"""Helpers shared by the CLI modules: the settings/store they open, error rendering, progress bars."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from medkg.errors import MedkgError
from medkg.settings import Settings, get_settings

if TYPE_CHECKING:
    from kg.store import GraphStore

__all__ = [
    "DataOpt",
    "JsonOpt",
    "StoreOpt",
    "console",
    "err_console",
    "open_cli_store",
    "print_json",
    "progress",
    "run_guarded",
    "settings_for",
]

log = logging.getLogger(__name__)
console = Console()
err_console = Console(stderr=True)

DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Data directory (default: MEDKG_DATA_DIR, ../shared/data, bundled sample)."),
]
StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Graph store: 'embedded' (default) or 'neo4j' (MEDKG_NEO4J_*).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts instead of tables.")]


def settings_for(store: str | None = None) -> Settings:
    """Settings from the environment, with a CLI ``--store`` override applied."""
    s = get_settings()
    if store is not None:
        if store not in ("embedded", "neo4j"):
            raise typer.BadParameter(f"--store must be 'embedded' or 'neo4j', got {store!r}")
        s = s.model_copy(update={"store": store})
    return s


@contextmanager
def open_cli_store(settings: Settings) -> Iterator[GraphStore]:
    """Open the configured store for one command and close it afterwards."""
    from kg import open_store

    st = open_store(settings)
    try:
        yield st
    finally:
        st.close()


def print_json(obj: Any) -> None:
    """One JSON document on stdout (no rich markup, so scripts can parse it)."""
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def progress() -> Progress:
    """A progress bar with rows/s, used by every long-running command."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def run_guarded(app: typer.Typer) -> int:
    """Run the typer app; a :class:`MedkgError` prints its message (which says what is wrong) and exits 2.

    Usage errors and ``--help`` are handled by typer itself (standalone mode) and end in ``SystemExit``,
    whose code is returned.
    """
    try:
        app()
    except MedkgError as e:
        err_console.print(f"[bold red]error:[/] {type(e).__name__}: {e}", highlight=False, markup=True)
        return 2
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        err_console.print(str(e.code))
        return 1
    return 0

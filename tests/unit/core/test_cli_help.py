"""Every CLI command documents itself with --help; errors are one clear line, not a traceback."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from cli.common import run_guarded
from cli.main import app
from medkg.errors import NotFoundError


def _paths(cmd: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    if hasattr(cmd, "commands"):  # a group (typer's own or click's)
        for name, sub in cmd.commands.items():
            out += _paths(sub, (*prefix, name))
    return out


ALL = _paths(get_command(app))


def test_command_tree_has_the_documented_commands() -> None:
    names = {" ".join(p) for p in ALL}
    for required in ("ingest", "graph stats", "graph show", "graph neighbours", "demo", "doctor", "search", "bench"):
        assert required in names, f"missing command: medkg {required}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "medkg")
def test_help_on_every_command(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_medkg_error_becomes_exit_2_with_message(capsys: pytest.CaptureFixture[str]) -> None:
    tiny = typer.Typer()

    @tiny.command()
    def boom() -> None:
        raise NotFoundError("no node with id 'DOID:0'")

    @tiny.command()
    def fine() -> None:
        pass

    import sys

    argv = sys.argv
    try:
        sys.argv = ["medkg", "boom"]
        assert run_guarded(tiny) == 2
        sys.argv = ["medkg", "fine"]
        assert run_guarded(tiny) == 0
    finally:
        sys.argv = argv
    err = capsys.readouterr().err
    assert "NotFoundError" in err and "DOID:0" in err

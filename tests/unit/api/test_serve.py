"""``medkg serve`` hands the app factory to uvicorn with the options given (uvicorn itself is not started)."""

from __future__ import annotations

from typing import Any

import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from cli.serve import APP_FACTORY, serve


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("serve")(serve)
    app.command("noop")(lambda: None)  # keep `serve` a sub-command, as in medkg's CLI
    return app


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    seen: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.append((a, k)))
    return seen


def test_defaults(calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> None:
    result = CliRunner().invoke(_app(), ["serve"])
    assert result.exit_code == 0, result.output
    (args, kwargs), = calls
    assert args == (APP_FACTORY,)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["reload"]) == ("127.0.0.1", 8000, False)


def test_options(calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> None:
    result = CliRunner().invoke(_app(), ["serve", "--host", "0.0.0.0", "--port", "9001", "--reload"])
    assert result.exit_code == 0, result.output
    (_, kwargs), = calls
    assert (kwargs["host"], kwargs["port"], kwargs["reload"]) == ("0.0.0.0", 9001, True)


def test_bad_port_is_a_usage_error(calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> None:
    result = CliRunner().invoke(_app(), ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert calls == []


def test_factory_path_resolves() -> None:
    import importlib

    module, _, attr = APP_FACTORY.partition(":")
    assert callable(getattr(importlib.import_module(module), attr))

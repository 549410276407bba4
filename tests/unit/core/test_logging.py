"""configure_logging and MEDKG_LOG_LEVEL: the front doors (CLI, API app factory) configure logging from the setting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from medkg.errors import ConfigurationError
from medkg.logging import configure_logging
from medkg.settings import Settings


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger without handlers (as in a fresh process; pytest's own are set aside), restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        yield root
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_configure_logging_adds_one_stderr_handler() -> None:
    """A fresh process gets one rich handler on stderr (stdout is the command's output), once however often called."""
    with bare_root() as root:
        configure_logging("debug")
        configure_logging("DEBUG")
        handlers, level = root.handlers[:], root.level
    assert len(handlers) == 1 and level == logging.DEBUG
    assert handlers[0].console.stderr  # type: ignore[attr-defined]


def test_configure_logging_keeps_existing_handlers() -> None:
    """An embedding application's (or pytest's) handlers are kept; only the level is set."""
    mine = logging.NullHandler()
    with bare_root() as root:
        root.addHandler(mine)
        configure_logging("WARNING")
        handlers, level = root.handlers[:], root.level
    assert handlers == [mine] and level == logging.WARNING


def test_unknown_level_is_a_configuration_error(tmp_path: Path) -> None:
    """A bad level is one clear error, from configure_logging and from the MEDKG_LOG_LEVEL setting."""
    with pytest.raises(ConfigurationError, match="LOUD"):
        configure_logging("LOUD")
    with pytest.raises(ValueError, match="log_level"):
        Settings(home=tmp_path, log_level="LOUD")
    assert Settings(home=tmp_path, log_level="debug").log_level == "DEBUG"


def test_cli_configures_logging_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every medkg command first configures logging at MEDKG_LOG_LEVEL."""
    import cli.main
    from medkg.settings import get_settings

    seen: list[str] = []
    monkeypatch.setattr(cli.main, "configure_logging", seen.append)
    monkeypatch.setenv("MEDKG_LOG_LEVEL", "ERROR")
    get_settings.cache_clear()
    assert cli.main.run_guarded(cli.main.app, ["doctor", "--help"]) == 0
    assert seen == ["ERROR"]


def test_api_app_factory_configures_logging(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """create_app configures logging at the settings' log level (no I/O beyond that)."""
    pytest.importorskip("fastapi")
    import api.app

    seen: list[str] = []
    monkeypatch.setattr(api.app, "configure_logging", seen.append)
    api.app.create_app(Settings(home=tmp_path, log_level="WARNING"))
    assert seen == ["WARNING"]

"""Logging set-up for entry points. Modules use ``logging.getLogger(__name__)`` with %-style arguments and never log
question or patient text, not even in part."""

from __future__ import annotations

import logging

__all__ = ["LOG_LEVELS", "configure_logging"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(level: str = "INFO") -> None:
    """Send medkg's log records at ``level`` and above to stderr through rich (called by the front doors: the CLI
    before any command, the API app factory), so stdout stays clean for a command's output.

    Idempotent. Where the process already has root handlers (an application embedding medkg, pytest's capture),
    those are kept and only the level is set. An unknown level raises :class:`~medkg.errors.ConfigurationError`.
    """
    name = level.upper()
    if name not in LOG_LEVELS:
        from medkg.errors import ConfigurationError

        raise ConfigurationError(f"MEDKG_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    root = logging.getLogger()
    if not root.handlers:
        from rich.console import Console
        from rich.logging import RichHandler

        root.addHandler(RichHandler(console=Console(stderr=True), show_path=False))
    root.setLevel(name)

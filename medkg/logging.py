"""Logging set-up for entry points. Modules use ``logging.getLogger(__name__)`` and never log patient text in full."""

from __future__ import annotations

import logging

__all__ = ["configure_logging", "redact"]


def configure_logging(level: str = "INFO") -> None:
    """Route medkg's module loggers through rich (called once by the CLI / API entry points)."""
    from rich.logging import RichHandler

    logging.basicConfig(level=level.upper(), format="%(message)s", handlers=[RichHandler(show_path=False)], force=True)


def redact(text: str, keep: int = 24) -> str:
    """A loggable stand-in for free text (patient questions): its first few characters and its length."""
    return text if len(text) <= keep else f"{text[:keep]}… ({len(text)} chars)"

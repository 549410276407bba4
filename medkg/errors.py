"""The one exception tree of medkg.

Every failure medkg reports is a :class:`MedkgError`. Foreign exceptions (driver, file system, parser,
solver) are caught at the boundary where they happen and re-raised as one of these, ``from`` the
original, so callers handle one family and still see the cause.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BoundError",
    "ConfigurationError",
    "DataFileError",
    "EmptyInputError",
    "IndexCorruptError",
    "InfeasibleError",
    "InputValidationError",
    "MedkgError",
    "MissingDependencyError",
    "MissingEndpointError",
    "ModelUnavailableError",
    "NotFoundError",
    "RowError",
    "SolverError",
    "StoreError",
    "StoreUnavailableError",
]


class MedkgError(Exception):
    """Root of every error medkg raises on purpose."""


class ConfigurationError(MedkgError):
    """A setting is missing, malformed or contradicts another setting."""


class MissingDependencyError(MedkgError):
    """An optional dependency is not installed; the message names the extra that provides it."""

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"the optional dependency {module!r} is not installed; install it with: pip install 'medkg[{extra}]'"
        )


class InputValidationError(MedkgError):
    """A public input (query, request, CLI argument) is invalid; the message says what is wrong."""


class EmptyInputError(InputValidationError):
    """A query or file that must have content is empty."""


class DataFileError(MedkgError):
    """A data file is missing, unreadable, wrongly encoded, or has the wrong columns."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{path}: {message}")


class RowError(DataFileError):
    """One row of a data file is malformed. Carries the file and 1-based line number."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.line = line
        self.reason = message
        super().__init__(path, f"line {line}: {message}")


class StoreError(MedkgError):
    """A graph store operation failed (the transaction was rolled back)."""


class StoreUnavailableError(StoreError):
    """The graph store cannot be reached or opened (dead server, wrong password, unreadable file)."""


class MissingEndpointError(StoreError):
    """A relationship names a node id that is not in the store; the batch was not written."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        super().__init__(f"relationship endpoints not in the store ({len(missing)}): {shown}")


class NotFoundError(MedkgError):
    """A named entity (node id, patient, instance, index) does not exist."""


class IndexCorruptError(MedkgError):
    """A persisted index is unreadable or does not match its manifest; the message names the rebuild command."""


class ModelUnavailableError(MedkgError):
    """A model cannot be loaded (not installed, offline, wrong path); the message says how to get it."""


class InfeasibleError(MedkgError):
    """An allocation problem has no feasible solution; carries the shortfalls that explain why."""

    def __init__(self, message: str, shortfalls: list[str] | None = None) -> None:
        self.shortfalls = shortfalls or []
        super().__init__(message)


class SolverError(MedkgError):
    """An allocation solver failed in a way that is not infeasibility (model invalid, library error)."""


class BoundError(SolverError):
    """The MIP solver computing an allocation's lower bound failed (library error, model rejected)."""

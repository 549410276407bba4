"""Optional dependencies: lazy imports with an error that names the extra to install, and packaged files found
through distribution metadata (without importing the package that ships them)."""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from types import ModuleType

from medkg.errors import MissingDependencyError

__all__ = ["dist_file", "require"]


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming ``pip install 'medkg[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependencyError(module, extra) from e


def dist_file(dist: str, suffix: str) -> Path | None:
    """The first file of an installed distribution whose path ends with ``suffix`` (no import of the package:
    some packaged model wheels cannot be imported); None when the distribution is not installed."""
    try:
        d = distribution(dist)
    except PackageNotFoundError:
        return None
    return next((Path(str(d.locate_file(f))).resolve() for f in d.files or [] if str(f).endswith(suffix)), None)

"""Where the source data is: ``--data``, else ``MEDKG_DATA_DIR``, else ``../shared/data``, else the bundled sample."""

from __future__ import annotations

from pathlib import Path

from medkg.errors import DataFileError

__all__ = ["SAMPLE_DIR", "resolve_data_dir"]

SAMPLE_DIR = Path(__file__).parent / "sample_data"


def _shared_candidates() -> list[Path]:
    here = Path.cwd().resolve()
    repo = Path(__file__).resolve().parent.parent
    return [p / ".." / "shared" / "data" for p in (here, repo)]


def resolve_data_dir(explicit: Path | None, configured: Path | None) -> Path:
    """The data directory to read, in the documented order of precedence."""
    for chosen in (explicit, configured):
        if chosen is not None:
            if not chosen.is_dir():
                raise DataFileError(chosen, "data directory does not exist")
            return chosen.resolve()
    for cand in _shared_candidates():
        if cand.is_dir():
            return cand.resolve()
    return SAMPLE_DIR

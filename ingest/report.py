"""What an ingest run reports: rows read/written/rejected per source, with the rejects' file and line, and the one
place malformed rows go (:class:`RejectSink`: collected, or raised at once under ``--strict``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import BaseModel, Field

from medkg.errors import RowError

__all__ = ["IngestReport", "Reject", "RejectSink", "SourceReport"]

log = logging.getLogger(__name__)


class Reject(BaseModel):
    """One rejected row: where it was and why."""

    file: str
    line: int
    reason: str


class RejectSink:
    """Where every reader's malformed rows go: collected as :class:`Reject` entries, or raised at once when
    ``strict`` (the one reject policy of the pipeline; literature readers call it for each bad row)."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.rejects: list[Reject] = []

    def __call__(self, err: RowError) -> None:
        if self.strict:
            raise err
        log.debug("rejected row %s:%d: %s", err.path, err.line, err.reason)
        self.rejects.append(Reject(file=str(err.path), line=err.line, reason=err.reason))


class SourceReport(BaseModel):
    """Figures for one source of one run."""

    source: str
    rows_read: int = 0
    nodes_written: int = 0
    relationships_written: int = 0
    rejected: list[Reject] = Field(default_factory=list)
    seconds: float = 0.0
    notes: dict[str, float | int | str] = Field(default_factory=dict)  # link rates, duplicates resolved, ...

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


class IngestReport(BaseModel):
    """All sources of one run."""

    sources: list[SourceReport] = Field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(len(s.rejected) for s in self.sources)

    def write_rejects(self, path: Path) -> Path:
        """Write every reject as one JSON line (file, line, reason) and return the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            for s in self.sources:
                for r in s.rejected:
                    f.write(json.dumps({"source": s.source, **r.model_dump()}, ensure_ascii=False) + "\n")
        return path

"""What an ingest run reports: rows read/written/rejected per source, with the rejects' file and line."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

__all__ = ["IngestReport", "Reject", "SourceReport"]


class Reject(BaseModel):
    """One rejected row: where it was and why."""

    file: str
    line: int
    reason: str


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

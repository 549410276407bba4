"""Shared reading helpers: JSONL iteration with per-row errors, and the reject policy (collect or abort)."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ingest.report import Reject
from medkg.errors import DataFileError, RowError

__all__ = ["RejectSink", "iter_csv", "iter_jsonl", "iter_rows", "validate_row"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class RejectSink:
    """Where malformed rows go: collected as :class:`Reject` entries, or raised at once when ``strict``."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.rejects: list[Reject] = []

    def __call__(self, err: RowError) -> None:
        if self.strict:
            raise err
        log.debug("rejected row %s:%d: %s", err.path, err.line, err.reason)
        self.rejects.append(Reject(file=str(err.path), line=err.line, reason=err.reason))


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise DataFileError(path, "file not found (expected a literature data file at this path)")


def iter_jsonl(path: Path, sink: RejectSink) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line; bad JSON or a non-object line goes to ``sink``."""
    _require_file(path)
    try:
        with path.open(encoding="utf-8") as f:
            for n, raw in enumerate(f, start=1):
                line = raw.strip()
                if not line:
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    sink(RowError(path, n, f"malformed JSON: {e.msg} at column {e.colno}"))
                    continue
                if not isinstance(obj, dict):
                    sink(RowError(path, n, f"expected a JSON object, got {type(obj).__name__}"))
                    continue
                yield n, obj
    except UnicodeDecodeError as e:
        raise DataFileError(path, f"not valid UTF-8 ({e.reason} at byte {e.start})") from e
    except OSError as e:
        raise DataFileError(path, f"cannot read file: {e.strerror or e}") from e


def iter_csv(path: Path, sink: RejectSink) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, row)`` of a CSV file with a header; empty cells are left out (= missing); a row with more
    cells than the header goes to ``sink``. List-valued columns (mesh, cuis) hold ``;``-separated values."""
    _require_file(path)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            for row in reader:
                line = reader.line_num
                if None in row:
                    sink(RowError(path, line, f"more cells than the header's {len(reader.fieldnames or [])} columns"))
                    continue
                yield line, {k: v for k, v in row.items() if k and v not in (None, "")}
    except UnicodeDecodeError as e:
        raise DataFileError(path, f"not valid UTF-8 ({e.reason} at byte {e.start})") from e
    except csv.Error as e:
        raise DataFileError(path, f"malformed CSV: {e}") from e
    except OSError as e:
        raise DataFileError(path, f"cannot read file: {e.strerror or e}") from e


def iter_rows(path: Path, sink: RejectSink) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a ``.csv`` file, else of a JSON-lines file."""
    return iter_csv(path, sink) if path.suffix.lower() == ".csv" else iter_jsonl(path, sink)


def validate_row(model: type[M], obj: dict[str, Any], path: Path, line: int, sink: RejectSink) -> M | None:
    """The row as ``model``, or ``None`` after reporting which fields are missing/invalid to ``sink``."""
    try:
        return model.model_validate(obj)
    except ValidationError as e:
        parts = []
        for err in e.errors()[:5]:
            loc = ".".join(str(x) for x in err["loc"]) or "row"
            parts.append(f"{loc}: {'missing field' if err['type'] == 'missing' else err['msg']}")
        sink(RowError(path, line, "; ".join(parts)))
        return None

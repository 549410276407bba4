"""Shared reading helpers of the literature readers: JSONL and CSV rows with per-row errors.

Malformed rows go to the pipeline's one :class:`~ingest.report.RejectSink` (collected, or raised under
``--strict``). File-level problems raise :class:`~medkg.errors.DataFileError` before any row is read: a missing
file, a wrong encoding, and an empty file (0 bytes, only blank lines, or a CSV header without rows): "file is
empty", as every other reader says it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ingest.readers.base import csv_records, decode_text
from ingest.report import RejectSink
from medkg.errors import DataFileError, RowError

__all__ = ["RejectSink", "Sink", "iter_csv", "iter_jsonl", "iter_rows", "validate_row"]

M = TypeVar("M", bound=BaseModel)
Sink = Callable[[RowError], None]


def _text(path: Path) -> str:
    if not path.is_file():
        raise DataFileError(path, "file not found (expected a literature data file at this path)")
    return decode_text(path)  # raises "file is empty" for a 0-byte or blank file


def iter_jsonl(path: Path, sink: Sink) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line; bad JSON or a non-object line goes to ``sink``."""
    text = _text(path)
    for n, raw in enumerate(text.split("\n"), start=1):
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


def iter_csv(path: Path, sink: Sink) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, row)`` of a CSV file with a header; empty cells are left out (= missing). A row with another
    number of cells than the header, a row of only empty cells and a record broken by a stray quote go to
    ``sink`` with the line the record started on. List-valued columns (mesh, cuis) hold ``;``-separated values."""
    text = _text(path)
    records = csv_records(text, ",")
    first = next(records, None)
    header = [h.strip() for h in (first[1] or [])] if first is not None else []
    if not any(header):
        raise DataFileError(path, "file is empty")
    rows = 0
    for line, fields, problem in csv_records(text, ",", width=len(header), skip=1):
        rows += 1
        if fields is None:
            sink(RowError(path, line, problem))
        elif all(not f.strip() for f in fields):
            sink(RowError(path, line, "a row of only empty cells"))
        elif len(fields) != len(header):
            sink(RowError(path, line, f"{len(fields)} cells where the header has {len(header)} columns"))
        else:
            yield line, {k: v for k, v in zip(header, fields, strict=True) if k and v != ""}
    if rows == 0:
        raise DataFileError(path, "file is empty (a header and no rows)")


def iter_rows(path: Path, sink: Sink) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a ``.csv`` file, else of a JSON-lines file."""
    return iter_csv(path, sink) if path.suffix.lower() == ".csv" else iter_jsonl(path, sink)


def validate_row(model: type[M], obj: dict[str, Any], path: Path, line: int, sink: Sink) -> M | None:
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

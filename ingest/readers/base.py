"""What every reader shares: the items it yields, the context it reads in, and strict table/line file access.

A reader is a :class:`Reader`: it names its source tag and the files it needs, and ``read()`` yields
:class:`~medkg.types.Node`, :class:`~medkg.types.Relationship` or :class:`~medkg.errors.RowError` (a malformed
row, with file and line). File-level problems (missing, wrong encoding, empty, wrong columns) raise
:class:`~medkg.errors.DataFileError` at once: they are never row rejects.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kg import normalize_name
from medkg.errors import DataFileError, RowError
from medkg.types import Node, Relationship

__all__ = [
    "Item",
    "ReadContext",
    "Reader",
    "Row",
    "TableSpec",
    "dedupe_ids",
    "read_lines",
    "read_positional",
    "read_rows",
    "read_table",
    "require_file",
    "slug",
]

log = logging.getLogger(__name__)

Item = Node | Relationship | RowError

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case ASCII slug of a name ('Hypertension ' -> 'hypertension'); raises on names with no letters."""
    s = _SLUG.sub("-", normalize_name(text)).strip("-")
    if not s:
        raise ValueError(f"cannot make an id from {text!r}")
    return s


@dataclass
class ReadContext:
    """What a reader needs beyond its files: limits, de-identification choice, where it is, and its notes."""

    limit: int | None = None
    keep_identifiers: bool = False
    deid_key: bytes = b""
    notes: dict[str, float | int | str] = field(default_factory=dict)
    rows: int = 0
    path: Path | None = None
    line: int = 0
    # Lookups into what the store already holds (filled by the pipeline before a reader that links runs).
    lookup_nodes: Callable[[Sequence[str]], list[Node]] | None = None
    ids_of_label: Callable[[str], list[str]] | None = None

    def at(self, path: Path, line: int) -> None:
        """Count one row read and remember where it is (rejects found later, e.g. missing endpoints, cite it)."""
        self.point(path, line)
        self.rows += 1

    def point(self, path: Path, line: int) -> None:
        """Point at a row already counted (items built after a whole-file pass)."""
        self.path = path
        self.line = line

    def reject(self, reason: str) -> RowError:
        return RowError(self.path or Path("?"), self.line, reason)

    def limited(self, n_rows: int) -> bool:
        """True once ``n_rows`` rows of one file reached the ``--limit``."""
        return self.limit is not None and n_rows >= self.limit


class Reader(Protocol):
    """One source: its tag, the files it reads (relative to the data dir), and the items it yields.

    ``root`` is the folder (or file) whose absence means the data dir does not carry this source at all (the
    bundled sample leaves out sources without an open licence); ``None`` = always present (bundled with the code).
    """

    source: str
    root: Path | None

    def files(self, data_dir: Path) -> list[Path]: ...

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]: ...


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based physical line number and its values by column."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class TableSpec:
    """How to read one delimited file: required columns, delimiter, and whether it has a header line."""

    required: tuple[str, ...]
    delimiter: str = ","
    header: bool = True
    encoding: str = "utf-8"


def require_file(path: Path) -> Path:
    """The path if it is a readable file; else a DataFileError naming the expected path."""
    if not path.is_file():
        raise DataFileError(path, "expected data file is missing (check --data / MEDKG_DATA_DIR)")
    return path


def _decode(path: Path, encoding: str) -> str:
    raw = require_file(path).read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataFileError(path, "file is UTF-16 encoded; save it as UTF-8")
    if encoding == "utf-8" and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise DataFileError(
            path, f"not valid {encoding.upper()} at byte {e.start} (is it Latin-1/Windows-1252? save it as UTF-8)"
        ) from e
    if "\x00" in text:
        raise DataFileError(path, "file contains NUL bytes (UTF-16 without BOM or a binary file?); save it as UTF-8")
    if not text.strip():
        raise DataFileError(path, "file is empty")
    return text


def read_lines(path: Path, *, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Non-blank stripped lines of a term list with their 1-based line numbers."""
    text = _decode(path, encoding)
    for i, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s:
            yield i, s


def read_rows(path: Path, spec: TableSpec, ctx: ReadContext) -> Iterator[dict[str, str]]:
    """The stripped values of each row of ``path`` up to the ``--limit``, with ``ctx`` pointed at the row (so
    ``ctx.reject`` cites file and line). A row with the wrong number of fields comes as an empty dict."""
    for i, row in enumerate(read_table(path, spec)):
        if ctx.limited(i):
            return
        ctx.at(path, row.line)
        yield {k: x.strip() for k, x in row.values.items()}


def read_table(path: Path, spec: TableSpec, *, columns: Sequence[str] | None = None) -> Iterator[Row]:
    """Rows of a delimited file, header checked against ``spec.required``.

    ``columns`` names the columns of a header-less file. A row with a different number of fields than the
    header is yielded with an empty ``values`` dict so the reader can reject it with its line number.
    """
    text = _decode(path, spec.encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter)
    if spec.header:
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise DataFileError(path, "file is empty") from None
        missing = [c for c in spec.required if c not in header]
        if missing:
            raise DataFileError(path, f"missing column(s) {missing}; found {header[:12]}")
    else:
        if columns is None:
            raise ValueError("a header-less table needs its column names")
        header = list(columns)
    width = len(header)
    try:
        for fields in reader:
            line = reader.line_num
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) != width and not (not spec.header and len(fields) > width):
                yield Row(line, {})
                continue
            yield Row(line, dict(zip(header, fields, strict=False)))
    except csv.Error as e:
        raise DataFileError(path, f"line {reader.line_num}: unreadable CSV ({e})") from e


def read_positional(path: Path, spec: TableSpec) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(header, (line, fields) of each non-blank row) for wide files whose header may repeat a column."""
    text = _decode(path, spec.encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing}; found {header[:12]}")

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for fields in reader:
                if fields and any(f.strip() for f in fields):
                    yield reader.line_num, fields
        except csv.Error as e:
            raise DataFileError(path, f"line {reader.line_num}: unreadable CSV ({e})") from e

    return header, rows()


def dedupe_ids(seen: dict[str, int], node_id: str, ctx: ReadContext) -> RowError | None:
    """A reject if ``node_id`` was already defined earlier in the same file (naming that line)."""
    first = seen.get(node_id)
    if first is not None:
        return ctx.reject(f"duplicate id {node_id!r} (first defined on line {first})")
    seen[node_id] = ctx.line
    return None

"""What every reader shares: the items it yields, the context it reads in, and strict table/line file access.

A reader is a :class:`Reader`: it names its source tag and the files it needs, and ``read()`` yields
:class:`~medkg.types.Node`, :class:`~medkg.types.Relationship` or :class:`~medkg.errors.RowError` (a malformed
row, with file and line). File-level problems (missing, wrong encoding, empty, wrong columns) raise
:class:`~medkg.errors.DataFileError` at once: they are never row rejects.
"""

from __future__ import annotations

import csv
import io
import itertools
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
    "csv_records",
    "decode_text",
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
    # The check pass before a run writes anything: only the rows' validity matters (readers may skip linking).
    checking: bool = False

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
    allow_no_rows: bool = False  # a header-only file is then a source with nothing in it, not "file is empty"


def require_file(path: Path) -> Path:
    """The path if it is a readable file; else a DataFileError naming the expected path."""
    if not path.is_file():
        raise DataFileError(path, "expected data file is missing (check --data / MEDKG_DATA_DIR)")
    return path


def decode_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole text of a data file; DataFileError if missing, UTF-16, not ``encoding``, with NULs, or blank."""
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
    text = decode_text(path, encoding)
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
    header, a row of only empty fields, and a record broken by a stray quote are yielded with an empty
    ``values`` dict and the line the record STARTED on, so the reader rejects it with that line (see
    :func:`csv_records`). A header-only file is "file is empty".
    """
    text = decode_text(path, spec.encoding)
    if spec.header:
        first = next(csv_records(text, spec.delimiter), None)
        header = [h.strip() for h in (first[1] or [])] if first is not None else []
        if not header:
            raise DataFileError(path, "file is empty")
        missing = [c for c in spec.required if c not in header]
        if missing:
            raise DataFileError(path, f"missing column(s) {missing}; found {header[:12]}")
    else:
        if columns is None:
            raise ValueError("a header-less table needs its column names")
        header = list(columns)
    width = len(header)
    n = 0
    for line, fields, _ in csv_records(text, spec.delimiter, width=width, skip=1 if spec.header else 0):
        n += 1
        blank = fields is None or all(not f.strip() for f in fields)
        if blank or fields is None or (len(fields) != width and (spec.header or len(fields) < width)):
            yield Row(line, {})  # the reader rejects it: broken, only empty fields, or the wrong width
        else:
            yield Row(line, dict(zip(header, fields, strict=False)))
    if spec.header and n == 0 and not spec.allow_no_rows:
        raise DataFileError(path, "file is empty (a header and no rows)")


def read_positional(path: Path, spec: TableSpec) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(header, (line, fields) of each row) for wide files whose header may repeat a column. A record broken by a
    stray quote or of only empty fields comes as ``(start line, [])`` so the reader rejects it with that line."""
    text = decode_text(path, spec.encoding)
    records = csv_records(text, spec.delimiter)
    first = next(records, None)
    header = [h.strip() for h in (first[1] or [])] if first is not None else []
    if not header:
        raise DataFileError(path, "file is empty")
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing}; found {header[:12]}")
    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for line, fields, _ in csv_records(text, spec.delimiter, width=width, skip=1):
            if fields is None or all(not f.strip() for f in fields):
                yield line, []
            else:
                yield line, fields

    return header, rows()


def csv_records(text: str, delimiter: str = ",", *, width: int | None = None,
                skip: int = 0) -> Iterator[tuple[int, list[str] | None, str]]:
    """``(start line, fields, problem)`` of each record of a CSV/TSV text; blank lines are skipped.

    The line is the 1-based line the record STARTED on (a quoted field may span lines). A record spanning lines
    whose quotes do not pair up (a stray ``"`` that would swallow the rest of the file), or whose field count is
    not ``width``, comes with ``fields=None`` and a ``problem``; reading resumes on the line after its start, so
    one stray quote costs one row, not the rest of the file. ``skip`` leaves out that many leading records.
    """
    lines = io.StringIO(text, newline="").readlines()
    start = 0  # 0-based index of the first line the current csv reader reads
    seen = 0
    while start < len(lines):
        reader = csv.reader(itertools.islice(lines, start, None), delimiter=delimiter)
        prev = 0
        resync = None
        for fields in reader:
            first, last = start + prev + 1, start + reader.line_num
            prev = reader.line_num
            if not fields:
                continue
            seen += 1
            if seen <= skip:
                continue
            if last > first:
                raw = "".join(lines[first - 1 : last])
                if raw.count('"') % 2 or (width is not None and len(fields) != width):
                    yield first, None, (f"the record starting on line {first} runs on to line {last}: "
                                        "a stray quote (\") or a broken row")
                    resync = first  # 0-based index of the line after the start
                    break
            yield first, fields, ""
        if resync is None:
            return
        start = resync


def dedupe_ids(seen: dict[str, int], node_id: str, ctx: ReadContext) -> RowError | None:
    """A reject if ``node_id`` was already defined earlier in the same file (naming that line)."""
    first = seen.get(node_id)
    if first is not None:
        return ctx.reject(f"duplicate id {node_id!r} (first defined on line {first})")
    seen[node_id] = ctx.line
    return None

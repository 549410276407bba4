"""medkg ingest layer: one reader per source, the batching/reject-report pipeline, de-identification.

Public entry: :func:`run_ingest` (what ``medkg ingest ...`` calls).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.bulk import fewer_gc_passes
from ingest.deid import Pseudonymizer, load_or_create_key
from ingest.pipeline import IngestOptions, ingest_source
from ingest.report import IngestReport, Reject, SourceReport
from ingest.sources import PARTS, expand_parts, readers_for
from ingest.writes import writes_for
from kg import store_waits_on_server
from medkg.errors import DataFileError, MedkgError
from medkg.settings import Settings

if TYPE_CHECKING:
    from rich.progress import Progress

    from kg import GraphStore

__all__ = [
    "PARTS",
    "IngestOptions",
    "IngestReport",
    "Pseudonymizer",
    "Reject",
    "SourceReport",
    "expand_parts",
    "ingest_source",
    "rejects_path",
    "run_ingest",
]

log = logging.getLogger(__name__)

REJECTS_FILE = "ingest-rejects.jsonl"
# Folders the literature sources live in; 'all' skips literature when a data dir has none of them (the sample).
LITERATURE_DIRS = ("literature", "dialogue")


def rejects_path(settings: Settings) -> Path:
    """Where a run writes its rejects: ``<home>/reports/ingest-rejects.jsonl``."""
    return settings.reports_dir / REJECTS_FILE


def _literature(store: GraphStore, data_dir: Path, settings: Settings, *, strict: bool, limit: int | None,
                progress: Progress | None) -> IngestReport:
    try:
        mod = importlib.import_module("ingest.literature")
    except ImportError as e:
        raise MedkgError(f"literature ingest is not available in this build (ingest.literature: {e})") from e
    fn = getattr(mod, "ingest_literature", None)
    if fn is None:
        raise MedkgError("literature ingest is not available in this build (no ingest.literature.ingest_literature)")
    result = fn(store, data_dir, settings, strict=strict, limit=limit, progress=progress)
    if not isinstance(result, IngestReport):
        raise MedkgError(f"ingest_literature returned {type(result).__name__}, expected IngestReport")
    return result


def run_ingest(
    store: GraphStore,
    data_dir: Path,
    parts: Sequence[str],
    *,
    settings: Settings,
    strict: bool = False,
    keep_identifiers: bool | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest the named parts (kg, records, resources, literature, all) from ``data_dir`` into ``store``.

    Rejects are collected into the report and written to :func:`rejects_path` (``strict`` raises the first one
    as :class:`~medkg.errors.RowError` before that source writes anything). ``keep_identifiers`` defaults to
    ``settings.keep_identifiers``.
    """
    order = expand_parts(list(parts))
    keep = settings.keep_identifiers if keep_identifiers is None else keep_identifiers
    key = load_or_create_key(settings.home) if "records" in order else b""
    opts = IngestOptions(batch_size=settings.batch_size, strict=strict, keep_identifiers=keep, limit=limit,
                         deid_key=key, progress=progress)
    with fewer_gc_passes():
        return _run_parts(store, data_dir, parts, order, settings=settings, opts=opts)


def _run_parts(store: GraphStore, data_dir: Path, parts: Sequence[str], order: list[str], *, settings: Settings,
               opts: IngestOptions) -> IngestReport:
    report = IngestReport()
    t0 = time.perf_counter()
    writes = writes_for(store, background=store_waits_on_server(store))
    started: dict[str, float] = {}
    try:
        for part in order:
            if part == "literature":
                if "all" in parts and not any((data_dir / d).is_dir() for d in LITERATURE_DIRS):
                    log.warning("literature skipped: none of %s in %s", LITERATURE_DIRS, data_dir)
                    report.sources.append(SourceReport(source="literature", notes={
                        "skipped": f"none of {', '.join(LITERATURE_DIRS)} is in the data dir"}))
                    continue
                writes.wait()  # literature reads and writes the store itself
                lit = _literature(store, data_dir, settings, strict=opts.strict, limit=opts.limit,
                                  progress=opts.progress)
                report.sources.extend(lit.sources)
                continue
            readers = readers_for(part)
            done = []
            for reader in readers:
                started[reader.source] = time.perf_counter()
                done.append(ingest_source(store, reader, data_dir, opts, writes=writes))
            if all("skipped" in r.notes for r in done if r.source != "curated"):
                expected = ", ".join(str(r.root) for r in readers if r.root is not None)
                raise DataFileError(data_dir, f"no {part} source found here; expected one of: {expected}")
            report.sources.extend(done)
    except BaseException as stop:
        try:  # let the writes already queued finish (they are whole batches of earlier sources) ...
            writes.close()
        except Exception as write_error:  # noqa: BLE001 - logged; the error that stopped us propagates
            if write_error is not stop:
                log.error("a queued write failed too: %s", write_error)
        raise
    else:
        writes.close()  # the last writes; raises the first write error
    finally:
        report.write_rejects(rejects_path(settings))
    for s in report.sources:  # with background writes a source ends when its last write committed
        done_at = writes.finished_at(s.source)
        if s.source in started and done_at is not None:
            s.seconds = round(max(s.seconds, done_at - started[s.source]), 3)
    log.info("ingest of %s finished in %.1f s with %d rejects", ",".join(order), time.perf_counter() - t0,
             report.rejected)
    return report

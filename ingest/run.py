"""One ingest run: the named parts' readers, checked before anything is written, then written through the one
pipeline (:func:`ingest.pipeline.ingest_source`); literature sources are readers like the others, followed by
their index step (:class:`ingest.literature.LiteratureIndex`).

A run never leaves the store half-changed by an input problem: before the first write it reads every source
(:func:`ingest.pipeline.check_source`), so a missing, empty, wrongly encoded or truncated file stops the run with
nothing written, and under ``strict`` so does the first malformed row or dangling relationship of ANY source.
A source that is not in the data dir (the bundled sample carries no BioASQ) is reported as skipped, never fatal,
strict or not; a part none of whose sources is there is an error. Rejects go to
``<home>/reports/ingest-rejects.jsonl``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.bulk import fewer_gc_passes
from ingest.deid import load_or_create_key
from ingest.literature import LiteratureIndex, LiteratureReader, LiteratureSetup, linker_factory, literature_readers
from ingest.pipeline import IngestOptions, check_source, ingest_source
from ingest.readers.base import Reader
from ingest.report import IngestReport, SourceReport
from ingest.sources import expand_parts, readers_for
from ingest.writes import Writes, writes_for
from kg import store_waits_on_server
from medkg.errors import DataFileError
from medkg.settings import Settings

if TYPE_CHECKING:
    from rich.progress import Progress

    from kg import GraphStore

__all__ = ["REJECTS_FILE", "rejects_path", "run_ingest"]

log = logging.getLogger(__name__)

REJECTS_FILE = "ingest-rejects.jsonl"


def rejects_path(settings: Settings) -> Path:
    """Where a run writes its rejects: ``<home>/reports/ingest-rejects.jsonl``."""
    return settings.reports_dir / REJECTS_FILE


def run_ingest(
    store: GraphStore,
    data_dir: Path,
    parts: Sequence[str],
    *,
    settings: Settings,
    strict: bool = False,
    replace: bool = False,
    keep_identifiers: bool | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    literature: LiteratureSetup | None = None,
) -> IngestReport:
    """Ingest the named parts (kg, records, resources, literature, all) from ``data_dir`` into ``store``.

    Every source is read and checked before the first write (see the module doc); ``strict`` raises the first
    malformed row as :class:`~medkg.errors.RowError` with nothing written. ``replace``: a literature source's
    stored documents and passages that its new file lacks are removed (default: kept; the report counts them).
    ``keep_identifiers`` defaults to ``settings.keep_identifiers``; ``literature`` overrides the literature
    part's indexer, linker, files or chunking.
    """
    order = expand_parts(list(parts))
    keep = settings.keep_identifiers if keep_identifiers is None else keep_identifiers
    key = load_or_create_key(settings.home) if "records" in order else b""
    opts = IngestOptions(batch_size=settings.batch_size, strict=strict, keep_identifiers=keep, limit=limit,
                         deid_key=key, progress=progress, replace=replace)
    with fewer_gc_passes():
        return _Run(store, data_dir, settings, opts, literature or LiteratureSetup()).run(parts, order)


class _Run:
    def __init__(self, store: GraphStore, data_dir: Path, settings: Settings, opts: IngestOptions,
                 setup: LiteratureSetup) -> None:
        self.store, self.data_dir, self.settings, self.opts, self.setup = store, data_dir, settings, opts, setup
        self.writes: Writes = writes_for(store, background=store_waits_on_server(store))
        self.report = IngestReport()

    def _plan(self, parts: Sequence[str], order: list[str]) -> list[tuple[str, list[Reader]]]:
        plan: list[tuple[str, list[Reader]]] = []
        for part in order:
            readers: list[Reader]
            if part == "literature":
                readers = list(literature_readers(self.data_dir, self.setup,
                                                  linker_factory(self.store, self.settings, self.setup,
                                                                 self.writes.wait)))
            else:
                readers = readers_for(part)
            here = [r for r in readers if r.root is None or (self.data_dir / r.root).exists()]
            if any(r.root is not None for r in here):
                plan.append((part, readers))
                continue
            if part == "literature" and "all" in parts:  # the bundled sample may carry no literature at all
                log.warning("literature skipped: no literature file in %s", self.data_dir)
                self.report.sources.append(SourceReport(source="literature", notes={
                    "skipped": "no literature file is in the data dir"}))
                continue
            expected = ", ".join(str(r.root) for r in readers if r.root is not None)
            raise DataFileError(self.data_dir, f"no {part} source found here; expected one of: {expected}")
        return plan

    def run(self, parts: Sequence[str], order: list[str]) -> IngestReport:
        t0 = time.perf_counter()
        started: dict[str, float] = {}
        try:
            plan = self._plan(parts, order)
            known: set[str] = set()
            for _, readers in plan:  # read everything before the first write: an abort leaves the store as it was
                for reader in readers:
                    check_source(self.store, reader, self.data_dir, self.opts, known)
            del known
            for part, readers in plan:
                if part == "literature":
                    self._literature(readers, started)
                    continue
                for reader in readers:
                    started[reader.source] = time.perf_counter()
                    self.report.sources.append(ingest_source(self.store, reader, self.data_dir, self.opts,
                                                             writes=self.writes))
        except BaseException as stop:
            try:  # let the writes already queued finish (they are whole batches of earlier sources) ...
                self.writes.close()
            except Exception as write_error:  # noqa: BLE001 - logged; the error that stopped us propagates
                if write_error is not stop:
                    log.error("a queued write failed too: %s", write_error)
            raise
        else:
            self.writes.close()  # the last writes; raises the first write error
        finally:
            self.report.write_rejects(rejects_path(self.settings))
        for s in self.report.sources:  # with background writes a source ends when its last write committed
            done_at = self.writes.finished_at(s.source)
            if s.source in started and done_at is not None:
                s.seconds = round(max(s.seconds, done_at - started[s.source]), 3)
        log.info("ingest of %s finished in %.1f s with %d rejects", ",".join(order), time.perf_counter() - t0,
                 self.report.rejected)
        return self.report

    def _literature(self, readers: list[Reader], started: dict[str, float]) -> None:
        self.writes.wait()
        done: list[SourceReport] = []
        with LiteratureIndex(self.store, self.settings, self.setup, self.opts.progress) as index:
            for reader in readers:
                started[reader.source] = time.perf_counter()
                rep = ingest_source(self.store, reader, self.data_dir, self.opts, writes=self.writes)
                self.writes.wait()  # the index follows what the graph committed
                if isinstance(reader, LiteratureReader):
                    index.index(reader, rep)
                self.report.sources.append(rep)
                done.append(rep)
        if done:
            done[-1].notes.update(index.notes)

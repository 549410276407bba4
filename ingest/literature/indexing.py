"""What only literature adds after the one pipeline wrote a source's graph: its passages go to the indexes, and
the indexes are made to hold exactly the graph's passages.

:class:`LiteratureIndex` owns the passage indexer for the literature part of a run. It reconciles the index
with the graph when it opens (healing a run that was killed between its graph and index writes) and when it
closes, also when the run stops on an error, so the graph and the indexes never disagree about which passages
exist once a run returns or raises (``medkg graph show`` finds every passage a search returns).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ingest.literature.chunking import ChunkConfig
from ingest.literature.graph import passage_from_node
from ingest.literature.indexer import PassageIndexerLike
from ingest.literature.reader import LiteratureReader
from ingest.literature.sources import LiteratureSource, default_sources
from ingest.report import SourceReport
from medkg.settings import Settings
from retrieval import PassageRecord

if TYPE_CHECKING:
    from rich.progress import Progress

    from kg import GraphStore
    from retrieval import DictionaryLinker

__all__ = ["LiteratureIndex", "LiteratureSetup", "linker_factory", "literature_readers", "reconcile_index"]

log = logging.getLogger(__name__)
_ID_BATCH = 2000


@dataclass
class LiteratureSetup:
    """What the literature part may be given instead of its defaults: the passage indexer
    (``PassageIndexer.from_settings``), the linker (cached at ``<index_dir>/linker.pkl``, rebuilt when the KG
    changed), the files (:func:`~ingest.literature.sources.default_sources`) and the chunking."""

    indexer: PassageIndexerLike | None = None
    linker: DictionaryLinker | None = None
    sources: Sequence[LiteratureSource] | None = None
    chunking: ChunkConfig | None = None


def _task(progress: Progress | None, description: str, total: int | None) -> Callable[[int], None]:
    if progress is None:
        return lambda n: None
    tid = progress.add_task(description, total=total, rate="")
    return lambda n: progress.advance(tid, n)


def literature_readers(data_dir: Path, setup: LiteratureSetup, linker: Callable[[], DictionaryLinker]
                       ) -> list[LiteratureReader]:
    """One reader per literature file (absent files included: the pipeline reports them as skipped)."""
    chosen = list(setup.sources) if setup.sources is not None else default_sources(data_dir)
    return [LiteratureReader(src, linker=linker, chunking=setup.chunking) for src in chosen]


def linker_factory(store: GraphStore, settings: Settings, setup: LiteratureSetup,
                   wait: Callable[[], None]) -> Callable[[], DictionaryLinker]:
    """The linker, built once when the first passage needs it, after the run's earlier writes committed."""
    built: list[DictionaryLinker] = [setup.linker] if setup.linker is not None else []

    def get() -> DictionaryLinker:
        if not built:
            from retrieval import DictionaryLinker, linker_cache_path

            wait()
            built.append(DictionaryLinker.load_or_build(store, linker_cache_path(settings.index_dir)))
            if len(built[0]) == 0:
                log.warning("the linker dictionary is empty: ingest the KG first (medkg ingest kg) to get MENTIONS")
        return built[0]

    return get


def reconcile_index(
    store: GraphStore, indexer: PassageIndexerLike, *, progress: Progress | None = None
) -> dict[str, int]:
    """Make the index hold exactly the graph's Passage nodes: delete orphans, add missing ones from the graph."""
    graph_ids = set(store.node_ids(label="Passage"))
    index_ids = set(indexer.passage_ids())
    orphans = sorted(index_ids - graph_ids)
    missing = sorted(graph_ids - index_ids)
    deleted = indexer.delete(orphans) if orphans else 0
    added = 0
    if missing:
        recs: list[PassageRecord] = []
        for i in range(0, len(missing), _ID_BATCH):
            recs.extend(passage_from_node(n) for n in store.get_nodes(missing[i : i + _ID_BATCH]))
        indexer.upsert(recs, progress=_task(progress, "index: passages missing from the index", len(recs)))
        added = len(recs)
    if deleted or added:
        log.warning("index reconciled with the graph: %d orphans deleted, %d missing passages added", deleted, added)
    return {"index_orphans_deleted": deleted, "index_missing_added": added}


class LiteratureIndex:
    """The passage indexer of one run's literature part (a context manager; see the module doc)."""

    def __init__(self, store: GraphStore, settings: Settings, setup: LiteratureSetup,
                 progress: Progress | None = None) -> None:
        self._store, self._settings, self._setup, self._progress = store, settings, setup, progress
        self._indexer: PassageIndexerLike | None = setup.indexer
        self._owned = False
        self.notes: dict[str, int] = {}

    @property
    def indexer(self) -> PassageIndexerLike:
        if self._indexer is None:
            from retrieval import PassageIndexer

            self._indexer = PassageIndexer.from_settings(self._settings)
            self._owned = True
        return self._indexer

    def __enter__(self) -> LiteratureIndex:
        self._add(reconcile_index(self._store, self.indexer, progress=self._progress))
        return self

    def _add(self, notes: dict[str, int]) -> None:
        for k, v in notes.items():
            self.notes[k] = self.notes.get(k, 0) + v

    def index(self, reader: LiteratureReader, report: SourceReport) -> None:
        """Upsert the passages ``reader`` chunked (all of them were written to the graph)."""
        if "skipped" in report.notes or not reader.passages:
            return
        t0 = time.perf_counter()
        upd = self.indexer.upsert(reader.passages,
                                  progress=_task(self._progress, f"{reader.source}: index", len(reader.passages)))
        report.notes["index_seconds"] = round(time.perf_counter() - t0, 2)
        report.seconds = round(report.seconds + time.perf_counter() - t0, 3)  # a source's time includes its index
        for key in ("added", "updated", "unchanged", "embedded"):
            value = getattr(upd, key, None)
            if isinstance(value, int):
                report.notes[f"index_{key}"] = value

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        try:
            self._add(reconcile_index(self._store, self.indexer, progress=self._progress))
        except Exception as e:
            if err is None:
                raise
            log.error("could not reconcile the index with the graph after a failed run: %s", type(e).__name__)
        finally:
            close = getattr(self._indexer, "close", None)
            if self._owned and callable(close):
                close()

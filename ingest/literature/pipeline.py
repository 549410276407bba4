"""``ingest_literature``: read → chunk → write Document/Passage/HAS_PASSAGE → link (MENTIONS) → index.

Re-ingest policy: a source's graph content is replaced as a whole. If the store already holds passages of a
source, ``delete_source(source)`` runs first (the GraphStore protocol has no per-node delete), then every
document, passage and mention is written again in batches. The result depends only on the file and the KG,
so a re-ingest gives the same graph, passages that vanished from a changed file are gone, and stale mentions
(from an older dictionary) do not survive. Concept nodes are never touched: they belong to KG sources.

The index follows the graph: every passage written is upserted (the indexer re-embeds only new or changed
text), then a reconcile step removes index entries whose Passage node no longer exists and adds Passage nodes
the index lacks, so graph and index agree on the set of passage ids when the call returns.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.literature.chunking import ChunkConfig, chunk_document
from ingest.literature.graph import document_node, has_passage, mention_relationships, passage_from_node, passage_node
from ingest.literature.indexer import PassageIndexerLike
from ingest.literature.rows import RejectSink
from ingest.literature.sources import LiteratureSource, default_sources, read_source
from ingest.report import IngestReport, Reject, SourceReport
from medkg.errors import DataFileError, RowError
from medkg.settings import Settings
from medkg.types import Node, Relationship
from retrieval.linker import DictionaryLinker, linker_cache_path
from retrieval.types import PassageRecord

if TYPE_CHECKING:
    from rich.progress import Progress

    from kg.store import GraphStore

__all__ = ["ingest_literature", "reconcile_index"]

log = logging.getLogger(__name__)
_ID_BATCH = 2000


def _task(progress: Progress | None, description: str, total: int | None) -> Callable[[int], None]:
    if progress is None:
        return lambda n: None
    tid = progress.add_task(description, total=total, rate="")
    return lambda n: progress.advance(tid, n)


def _flush(store: GraphStore, nodes: list[Node], rels: list[Relationship], report: SourceReport) -> None:
    if nodes:
        report.nodes_written += store.upsert_nodes(nodes).rows
        nodes.clear()
    if rels:
        report.relationships_written += store.upsert_relationships(rels).rows
        rels.clear()


def _chunk_source(
    src: LiteratureSource, sink: RejectSink, limit: int | None, chunking: ChunkConfig | None, report: SourceReport
) -> tuple[list[PassageRecord], dict[str, dict[str, Any]]]:
    passages: list[PassageRecord] = []
    doc_props: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for doc in read_source(src, sink, limit=limit):
        report.rows_read += 1
        if doc.doc_id in doc_props:
            sink(RowError(src.path, doc.line, f"duplicate document {doc.doc_id} (first occurrence kept)"))
            continue
        recs = [r for r in chunk_document(doc, chunking) if r.citation_id not in seen]
        seen.update(r.citation_id for r in recs)
        doc_props[doc.doc_id] = dict(doc.doc_props)
        passages.extend(recs)
    return passages, doc_props


def _write_and_link(
    store: GraphStore,
    linker: DictionaryLinker,
    passages: Sequence[PassageRecord],
    doc_props: dict[str, dict[str, Any]],
    batch_size: int,
    report: SourceReport,
    advance: Callable[[int], None],
) -> None:
    nodes: list[Node] = []
    rels: list[Relationship] = []
    docs_done: set[str] = set()
    order: dict[str, int] = {}
    mentions = negated = linked = 0
    pending_rels: list[Relationship] = []
    for rec in passages:
        if rec.doc_id not in docs_done:
            docs_done.add(rec.doc_id)
            nodes.append(document_node(rec, doc_props.get(rec.doc_id, {})))
        nodes.append(passage_node(rec))
        order[rec.doc_id] = order.get(rec.doc_id, 0) + 1
        pending_rels.append(has_passage(rec, order[rec.doc_id]))
        found = linker.link(rec.text, lang=rec.lang)
        if found:
            linked += 1
            mentions += len(found)
            negated += sum(m.negated for m in found)
            pending_rels.extend(mention_relationships(rec, found))
        if len(nodes) >= batch_size or len(pending_rels) >= batch_size:
            _flush(store, nodes, [], report)  # endpoints first, then the relationships that need them
            rels.extend(pending_rels)
            pending_rels.clear()
            _flush(store, [], rels, report)
        advance(1)
    _flush(store, nodes, [], report)
    _flush(store, [], pending_rels, report)
    report.notes.update(
        {
            "passages": len(passages),
            "documents": len(docs_done),
            "mentions": mentions,
            "negated_mentions": negated,
            "link_rate": round(linked / len(passages), 4) if passages else 0.0,
            "mentions_per_passage": round(mentions / len(passages), 3) if passages else 0.0,
        }
    )


def _ingest_source(
    store: GraphStore,
    linker: DictionaryLinker,
    indexer: PassageIndexerLike,
    src: LiteratureSource,
    *,
    strict: bool,
    limit: int | None,
    batch_size: int,
    chunking: ChunkConfig | None,
    progress: Progress | None,
) -> SourceReport:
    t0 = time.perf_counter()
    report = SourceReport(source=src.name)
    sink = RejectSink(strict=strict)
    passages, doc_props = _chunk_source(src, sink, limit, chunking, report)
    report.rejected.extend(sink.rejects)
    if store.node_ids(label="Passage", source=src.name) or store.node_ids(label="Document", source=src.name):
        deleted = store.delete_source(src.name)
        report.notes["replaced_nodes"] = deleted.nodes_deleted
    t_graph = time.perf_counter()
    _write_and_link(
        store,
        linker,
        passages,
        doc_props,
        batch_size,
        report,
        _task(progress, f"{src.name}: link + write", len(passages)),
    )
    graph_s = time.perf_counter() - t_graph
    report.notes["graph_link_seconds"] = round(graph_s, 2)
    report.notes["graph_link_passages_per_s"] = round(len(passages) / graph_s, 1) if graph_s > 0 else 0.0
    upd = indexer.upsert(passages, progress=_task(progress, f"{src.name}: index", len(passages)))
    for key in ("added", "updated", "unchanged", "embedded"):
        value = getattr(upd, key, None)
        if isinstance(value, int):
            report.notes[f"index_{key}"] = value
    report.seconds = round(time.perf_counter() - t0, 3)
    log.info(
        "literature source %s: %d documents, %d passages, %d rejects in %.1fs",
        src.name,
        report.rows_read,
        len(passages),
        len(report.rejected),
        report.seconds,
    )
    return report


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
    return {"index_orphans_deleted": deleted, "index_missing_added": added}


def _existing(sources: Iterable[LiteratureSource]) -> list[LiteratureSource]:
    return [s for s in sources if s.path.is_file()]


def ingest_literature(
    store: GraphStore,
    data_dir: Path,
    settings: Settings,
    *,
    strict: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    indexer: PassageIndexerLike | None = None,
    linker: DictionaryLinker | None = None,
    sources: Sequence[LiteratureSource] | None = None,
    chunking: ChunkConfig | None = None,
) -> IngestReport:
    """Ingest the literature sources under ``data_dir`` (see :mod:`ingest.literature.sources`) into ``store`` and
    the passage indexes. ``limit`` = max documents per source. A missing source file is a reject of that source
    (``strict``: an error); no source file at all raises :class:`DataFileError` naming the expected paths.
    ``indexer``/``linker``/``sources`` default to ``PassageIndexer.from_settings(settings)``, the linker cached at
    ``<index_dir>/linker.pkl`` (rebuilt when the KG changed) and :func:`default_sources`."""
    chosen = list(sources) if sources is not None else default_sources(data_dir)
    present = _existing(chosen)
    if not present:
        raise DataFileError(data_dir, "no literature file found; expected " + ", ".join(str(s.path) for s in chosen))
    if indexer is None:
        from retrieval.indexing import PassageIndexer

        indexer = PassageIndexer.from_settings(settings)
    store.ensure_schema()
    if linker is None:
        linker = DictionaryLinker.load_or_build(store, linker_cache_path(settings.index_dir))
    if len(linker) == 0:
        log.warning("the linker dictionary is empty: ingest the KG first (medkg ingest kg) to get MENTIONS")
    report = IngestReport()
    for src in chosen:
        if src not in present:
            if strict:
                raise DataFileError(src.path, f"file of literature source {src.name!r} not found")
            report.sources.append(
                SourceReport(
                    source=src.name,
                    rejected=[Reject(file=str(src.path), line=0, reason="file not found; source skipped")],
                    notes={"skipped": "missing file"},
                )
            )
            continue
        report.sources.append(
            _ingest_source(
                store,
                linker,
                indexer,
                src,
                strict=strict,
                limit=limit,
                batch_size=settings.batch_size,
                chunking=chunking,
                progress=progress,
            )
        )
    notes = reconcile_index(store, indexer, progress=progress)
    if report.sources:
        report.sources[-1].notes.update(notes)
        report.sources[-1].notes["linker_entries"] = len(linker)
    return report

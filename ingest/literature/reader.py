"""A literature file as a source like any other: :class:`LiteratureReader` yields the Document and Passage nodes,
the HAS_PASSAGE and MENTIONS relationships and the malformed rows of one file, and the one ingest pipeline
(:func:`ingest.pipeline.ingest_source`) validates, merges and writes them as it does for every source.

What only literature has comes after the graph write, in :mod:`ingest.literature.indexing`: the passages the
reader chunked (:attr:`LiteratureReader.passages`) go to the passage indexes.

Re-ingest: the nodes of a file are merged with what is stored (a passage of the file is updated, one the file
no longer has is KEPT); ``--replace`` removes the stored documents and passages of the source that the new file
does not have and says how many (the pipeline does it; the reader says it may, with ``replaceable``). A merge
cannot remove single relationships (the store has no such method), so a MENTIONS of a passage whose text changed
stays until ``--replace``, which rewrites the source from the validated file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.literature.chunking import ChunkConfig, chunk_document
from ingest.literature.graph import document_node, has_passage, mention_relationships, passage_node
from ingest.literature.sources import LiteratureSource, read_source
from ingest.readers.base import Item, ReadContext
from medkg.errors import RowError
from retrieval import PassageRecord

if TYPE_CHECKING:
    from retrieval import DictionaryLinker

__all__ = ["LiteratureReader"]

log = logging.getLogger(__name__)


class LiteratureReader:
    """One literature file (:class:`LiteratureSource`) as a pipeline reader. ``linker`` gives the entity linker
    when the first passage needs it (built from the store after the KG sources of the run are written)."""

    exclusive_prefixes: tuple[str, ...] = ()
    replaceable = True  # documents and passages belong to their file: --replace may remove those it lost

    def __init__(self, src: LiteratureSource, *, linker: Callable[[], DictionaryLinker] | None = None,
                 chunking: ChunkConfig | None = None) -> None:
        self.src = src
        self.source = src.name
        self.root: Path | None = src.path  # absent file: the source is skipped (reported, never fatal)
        self._linker = linker
        self._chunking = chunking
        self.passages: list[PassageRecord] = []

    def files(self, data_dir: Path) -> list[Path]:
        return [self.src.path]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        self.passages = []
        errors: list[RowError] = []
        linker = None if ctx.checking or self._linker is None else self._linker()
        seen_docs: set[str] = set()
        seen_ids: set[str] = set()
        mentions = negated = linked = 0
        for doc in read_source(self.src, errors.append, limit=ctx.limit):
            yield from errors
            errors.clear()
            ctx.at(self.src.path, doc.line)
            if doc.doc_id in seen_docs:
                yield ctx.reject(f"duplicate document {doc.doc_id} (first occurrence kept)")
                continue
            seen_docs.add(doc.doc_id)
            if ctx.checking:  # the check pass before writing: rows only, no chunking or linking
                continue
            recs = [r for r in chunk_document(doc, self._chunking) if r.citation_id not in seen_ids]
            if not recs:
                continue
            seen_ids.update(r.citation_id for r in recs)
            yield document_node(recs[0], dict(doc.doc_props))
            for order, rec in enumerate(recs, start=1):
                yield passage_node(rec)
                yield has_passage(rec, order)
                self.passages.append(rec)
                found = linker.link(rec.text, lang=rec.lang) if linker is not None else []
                if found:
                    linked += 1
                    mentions += len(found)
                    negated += sum(m.negated for m in found)
                    yield from mention_relationships(rec, found)
        yield from errors
        n = len(self.passages)
        ctx.notes.update({
            "passages": n,
            "documents": len({r.doc_id for r in self.passages}),
            "mentions": mentions,
            "negated_mentions": negated,
            "link_rate": round(linked / n, 4) if n else 0.0,
            "mentions_per_passage": round(mentions / n, 3) if n else 0.0,
        })

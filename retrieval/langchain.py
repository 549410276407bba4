"""LangChain adapter: :class:`MedkgRetriever`, a ``BaseRetriever`` over :class:`HybridRetriever`.

``MedkgRetriever()`` and ``MedkgRetriever(k=3)`` follow LangChain's conventions: built with defaults from the
``MEDKG_*`` settings, they open the configured indexes (and graph store) lazily, on the first search, and
close them in :meth:`MedkgRetriever.close` (or at the end of a ``with`` block). A :class:`HybridRetriever`
passed in (``MedkgRetriever(retriever=...)``) stays its owner's to close.

Each ``Document`` is one fused passage; its metadata carry ``citation_id`` (and doc id, source, url, pmid,
title, section, lang, per-retriever scores/ranks, fused score). ``k`` is a field and can be overridden per
call: ``retriever.invoke("query", k=3)``. Async (``ainvoke``) runs the search in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from types import TracebackType
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from kg import GraphStore
from medkg.settings import Settings
from retrieval.bundle import EvidenceBundle, EvidencePassage
from retrieval.retriever import HybridRetriever

__all__ = ["MedkgRetriever", "passage_to_document"]

log = logging.getLogger(__name__)


def passage_to_document(p: EvidencePassage) -> Document:
    meta: dict[str, Any] = {
        "citation_id": p.citation_id,
        "doc_id": p.doc_id,
        "source": p.source,
        "url": p.url,
        "pmid": p.pmid,
        "title": p.title,
        "section": p.section,
        "lang": p.lang,
        "scores": dict(p.scores),
        "ranks": dict(p.ranks),
        "fused_score": p.fused_score,
        "rank": p.rank,
    }
    return Document(page_content=p.text, metadata=meta, id=p.citation_id)


class MedkgRetriever(BaseRetriever):
    """medkg hybrid retrieval (dense + BM25 + KG walk; English fused by weighted z-scores, Chinese by weighted
    RRF) as a LangChain retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever | None = Field(
        default=None, description="A search engine you built (and close); default: one opened from the settings."
    )
    k: int = Field(default=4, ge=1, le=1000, description="Documents returned (also per call: invoke(q, k=...)).")
    settings: Settings | None = Field(
        default=None, exclude=True, repr=False, description="Settings to open from (default: the MEDKG_* ones)."
    )
    with_graph: bool = Field(default=True, description="Open the configured graph store for the KG walk.")

    _opened: HybridRetriever | None = PrivateAttr(default=None)
    _store: GraphStore | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, k: int = 4, with_graph: bool = True) -> MedkgRetriever:
        """Over the indexes under the settings' index dir and, with ``with_graph``, the configured graph store and
        its cached dictionary linker (``get_settings()`` when none is given); both open on the first search."""
        return cls(settings=settings, k=k, with_graph=with_graph)

    def hybrid(self) -> HybridRetriever:
        """The search engine: the one passed in, else the one opened from the settings (on first call)."""
        if self.retriever is not None:
            return self.retriever
        with self._lock:
            if self._opened is None:
                self._opened = self._open()
            return self._opened

    def _open(self) -> HybridRetriever:
        from medkg.settings import get_settings

        s = self.settings or get_settings()
        store = None
        if self.with_graph:
            from kg import open_store

            store = open_store(s)
        try:
            hybrid = HybridRetriever.from_settings(s, store=store)
        except BaseException:
            if store is not None:
                store.close()
            raise
        self._store = store
        log.debug("opened the indexes under %s (graph store: %s)", s.index_dir, store is not None)
        return hybrid

    def close(self) -> None:
        """Close what this retriever opened (indexes and graph store); a ``retriever`` passed in is left open.
        Idempotent; a later search opens them again."""
        with self._lock:
            opened, store = self._opened, self._store
            self._opened = self._store = None
        if opened is not None:
            opened.close()
        if store is not None:
            store.close()

    def __enter__(self) -> MedkgRetriever:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def search_bundle(self, query: str, k: int | None = None) -> EvidenceBundle:
        """The full evidence bundle (passages + KG subgraph) for callers that want more than Documents."""
        return self.hybrid().search(query, k=k or self.k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        bundle = self.search_bundle(query, k)
        return [passage_to_document(p) for p in bundle.passages]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        bundle = await asyncio.to_thread(self.search_bundle, query, k)
        return [passage_to_document(p) for p in bundle.passages]

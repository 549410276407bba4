"""LangChain adapter: :class:`MedkgRetriever`, a ``BaseRetriever`` over :class:`HybridRetriever`.

Each ``Document`` is one fused passage; its metadata carry ``citation_id`` (and doc id, source, url, pmid,
title, section, lang, per-retriever scores/ranks, fused score). ``k`` is a field and can be overridden per
call: ``retriever.invoke("query", k=3)``. Async (``ainvoke``) runs the search in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

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
    """medkg hybrid retrieval (dense + BM25 + KG walk, RRF-fused) as a LangChain retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = Field(default=4, ge=1, le=1000)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, k: int = 4, with_graph: bool = True) -> MedkgRetriever:
        """Built from ``MEDKG_*`` settings (``get_settings()`` when none is given): the indexes under the index
        dir and, with ``with_graph``, the configured graph store and its cached dictionary linker."""
        from medkg.settings import get_settings

        s = settings or get_settings()
        store = None
        if with_graph:
            from kg import open_store

            store = open_store(s)
        return cls(retriever=HybridRetriever.from_settings(s, store=store), k=k)

    def search_bundle(self, query: str, k: int | None = None) -> EvidenceBundle:
        """The full evidence bundle (passages + KG subgraph) for callers that want more than Documents."""
        return self.retriever.search(query, k=k or self.k)

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

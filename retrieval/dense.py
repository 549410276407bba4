"""Dense retrieval: embed the query with the language's embedder and search its FAISS index."""

from __future__ import annotations

import logging

from retrieval.indexing import PassageIndexer

__all__ = ["DenseRetriever"]

log = logging.getLogger(__name__)


class DenseRetriever:
    """Top-k passages by cosine similarity (inner product of normalised vectors)."""

    name = "dense"

    def __init__(self, indexer: PassageIndexer) -> None:
        self.indexer = indexer

    def search(self, query: str, lang: str, k: int) -> list[tuple[str, float]]:
        if not self.indexer.has_group(lang):
            return []
        group = self.indexer.group(lang)
        vec = group.embedder.embed_queries([query])
        return group.faiss.search(vec, k)[0]

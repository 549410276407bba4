"""Sparse retrieval: BM25 over the language's token index (English stemming, Chinese jieba)."""

from __future__ import annotations

import logging

from retrieval.indexing import PassageIndexer

__all__ = ["SparseRetriever"]

log = logging.getLogger(__name__)


class SparseRetriever:
    """Top-k passages by BM25 score (only positive scores)."""

    name = "sparse"

    def __init__(self, indexer: PassageIndexer) -> None:
        self.indexer = indexer

    def search(self, query: str, lang: str, k: int) -> list[tuple[str, float]]:
        if not self.indexer.has_group(lang):
            return []
        return self.indexer.group(lang).bm25.search(query, k)

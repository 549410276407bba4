"""Sparse retrieval: BM25 over the language's token index (English stemming, Chinese jieba)."""

from __future__ import annotations

import logging

from retrieval.indexing import PassageIndexer

__all__ = ["DocSparseRetriever", "SparseRetriever"]

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


class DocSparseRetriever:
    """BM25 over whole documents (all passages of a document joined); each hit document contributes its
    passages, in order, with the document's score. Finds the right document when the query's words are spread
    over several of its sections."""

    name = "doc_sparse"

    def __init__(self, indexer: PassageIndexer, *, passages_per_doc: int = 3) -> None:
        self.indexer = indexer
        self.passages_per_doc = passages_per_doc

    def search(self, query: str, lang: str, k: int) -> list[tuple[str, float]]:
        if not self.indexer.has_group(lang):
            return []
        g = "zh" if lang == "zh" else "en"
        docs = self.indexer.group(lang).doc_bm25.search(query, k)
        by_doc = self.indexer.store.cids_by_docs(g, [d for d, _ in docs])
        out: list[tuple[str, float]] = []
        for d, score in docs:
            out.extend((cid, score) for cid in by_doc.get(d, [])[: self.passages_per_doc])
        return out[:k]

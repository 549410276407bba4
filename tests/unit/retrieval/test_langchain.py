"""LangChain adapter: sync and async invoke, k in the constructor and per call, citation metadata."""

from __future__ import annotations

import asyncio

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from retrieval.indexing import PassageIndexer
from retrieval.langchain import MedkgRetriever
from retrieval.retriever import HybridRetriever


def test_invoke_sync_and_async_with_k(filled: PassageIndexer) -> None:
    r = MedkgRetriever(retriever=HybridRetriever(filled), k=2)
    assert isinstance(r, BaseRetriever)
    docs = r.invoke("metformin for type 2 diabetes")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert top.metadata["citation_id"].startswith("pmid:1#") and top.metadata["pmid"] == "1"
    assert (
        top.metadata["source"] == "pubmed"
        and "dense" in top.metadata["scores"]
        and top.id == top.metadata["citation_id"]
    )
    assert len(r.invoke("metformin for type 2 diabetes", k=4)) == 4
    adocs = asyncio.run(r.ainvoke("asthma in children", k=1))
    assert [d.metadata["citation_id"] for d in adocs] == ["pmid:2#results"]
    assert len(asyncio.run(r.ainvoke("asthma in children"))) == 2


def test_from_settings(filled: PassageIndexer, monkeypatch: object) -> None:
    from medkg.settings import Settings

    s = Settings(home=filled.index_dir.parent / "home")
    r = MedkgRetriever.from_settings(s, k=3, with_graph=False)
    assert r.k == 3 and r.retriever.indexer.index_dir == s.index_dir

"""LangChain adapter: sync and async invoke, k in the constructor and per call, citation metadata."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from medkg.errors import StoreError
from medkg.settings import Settings
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


def test_from_settings_is_lazy(tiny_home: Path) -> None:
    s = Settings(home=tiny_home)
    r = MedkgRetriever.from_settings(s, k=3, with_graph=False)
    assert r.k == 3 and r.retriever is None and r._opened is None  # nothing opened yet
    assert r.hybrid().indexer.index_dir == s.index_dir and r.hybrid().graph is None
    r.close()


def test_default_constructor_opens_settings_lazily_and_close_closes_the_store(
    tiny_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg
    from medkg.settings import get_settings

    opened: list[Any] = []
    real = kg.open_store

    def spy(settings: Settings) -> Any:
        store = real(settings)
        opened.append(store)
        return store

    monkeypatch.setattr(kg, "open_store", spy)
    empty = MedkgRetriever()  # the private (empty) test home: constructing opens nothing, so nothing fails
    assert empty.k == 4 and not opened
    empty.close()
    monkeypatch.setenv("MEDKG_HOME", str(tiny_home))
    get_settings.cache_clear()
    with MedkgRetriever(k=3) as r:
        assert not opened
        docs = r.invoke("metformin for type 2 diabetes")
        assert len(docs) == 3 and docs[0].metadata["citation_id"].startswith("pmid:1#")
        assert len(opened) == 1 and r.hybrid().graph is not None  # the KG walk runs on the configured store
        bundle = r.search_bundle("metformin for type 2 diabetes")
        assert any(n.id == "DrugBank:DB00331" for n in bundle.subgraph.nodes)
    with pytest.raises(StoreError, match="closed"):  # closed with the retriever
        opened[0].counts()
    assert len(r.invoke("asthma in children", k=1)) == 1 and len(opened) == 2  # reopens after close
    r.close()


def test_a_retriever_passed_in_stays_open(filled: PassageIndexer) -> None:
    hybrid = HybridRetriever(filled)
    r = MedkgRetriever(retriever=hybrid, k=1)
    r.close()
    assert r.hybrid() is hybrid and len(r.invoke("asthma in children")) == 1

"""End to end with the real embedded graph store and dictionary linker: a Chinese question retrieves the Chinese
consultation and the KG concepts it mentions, with the facts between them."""

from __future__ import annotations

from typing import Any

from medkg.types import Node, Relationship, node_citation
from retrieval.indexing import PassageIndexer
from retrieval.linker import DictionaryLinker
from retrieval.retriever import HybridRetriever


def _fill(store: Any) -> None:
    nodes = [
        Node(id="medkg:zh:disease:糖尿病", label="Disease", name="糖尿病", lang="zh", sources=("zh_kg",)),
        Node(id="medkg:zh:drug:二甲双胍", label="Compound", name="二甲双胍", lang="zh", sources=("zh_kg",)),
        Node(id="medkg:zh:disease:高血压", label="Disease", name="高血压", lang="zh", sources=("zh_kg",)),
        Node(
            id="DOID:9352",
            label="Disease",
            name="type 2 diabetes mellitus",
            synonyms=("type 2 diabetes",),
            sources=("hetionet",),
        ),
    ]
    passages = [Node(id=c, label="Passage", name=c, sources=("literature",)) for c in ("zhdlg:1", "zhdlg:2")]
    store.upsert_nodes(nodes + passages)
    store.upsert_relationships(
        [
            Relationship(
                type="RECOMMENDED_FOR", start="medkg:zh:drug:二甲双胍", end="medkg:zh:disease:糖尿病", source="zh_kg"
            ),
            Relationship(
                type="MENTIONS",
                start="zhdlg:1",
                end="medkg:zh:disease:糖尿病",
                source="literature",
                props={"start": 10, "end": 13, "surface": "糖尿病", "negated": False},
            ),
            Relationship(
                type="MENTIONS",
                start="zhdlg:1",
                end="medkg:zh:drug:二甲双胍",
                source="literature",
                props={"start": 0, "end": 4, "surface": "二甲双胍", "negated": False},
            ),
            Relationship(
                type="MENTIONS",
                start="zhdlg:2",
                end="medkg:zh:disease:高血压",
                source="literature",
                props={"start": 0, "end": 3, "surface": "高血压", "negated": False},
            ),
        ]
    )


def test_chinese_question_with_real_store_and_linker(filled: PassageIndexer, embedded_store: Any) -> None:
    _fill(embedded_store)
    linker = DictionaryLinker.from_store(embedded_store)
    r = HybridRetriever(filled, store=embedded_store, linker=linker)
    b = r.search("我有糖尿病，可以吃二甲双胍吗？", k=2)
    assert b.lang == "zh" and b.passages[0].citation_id == "zhdlg:1"
    assert "graph" in b.passages[0].scores
    assert {m.node_id for m in b.mentions} >= {"medkg:zh:disease:糖尿病", "medkg:zh:drug:二甲双胍"}
    cited = set(b.citation_ids())
    assert node_citation("medkg:zh:disease:糖尿病") in cited and node_citation("medkg:zh:drug:二甲双胍") in cited
    assert any(x.type == "RECOMMENDED_FOR" and x.citation_id in cited for x in b.subgraph.relationships)

"""HybridRetriever.search: fused bundle with citation ids, graph walk, Chinese end to end, bad input."""

from __future__ import annotations

import pytest

from medkg.errors import EmptyInputError, InputValidationError
from medkg.types import node_citation, rel_citation
from retrieval.bundle import EvidenceBundle, EvidenceRelationship
from retrieval.indexing import PassageIndexer
from retrieval.retriever import HybridRetriever, RetrieverConfig
from tests.contract.temp_store import TempStore

from .conftest import FakeLinker


@pytest.fixture()
def retriever(filled: PassageIndexer, kg: tuple[TempStore, FakeLinker]) -> HybridRetriever:
    store, linker = kg
    return HybridRetriever(filled, store=store, linker=linker)  # type: ignore[arg-type]


def test_english_query_bundle_has_cited_passages_and_subgraph(retriever: HybridRetriever) -> None:
    b = retriever.search("Does metformin help type 2 diabetes?", k=3)
    assert b.lang == "en" and b.reason is None and len(b.passages) == 3
    top = b.passages[0]
    assert top.citation_id.startswith("pmid:1#") and top.pmid == "1" and top.url
    assert top.rank == 1 and set(top.scores) >= {"dense", "sparse"} and top.fused_score > 0
    assert [p.fused_score for p in b.passages] == sorted((p.fused_score for p in b.passages), reverse=True)
    graph_hit = next(p for p in b.passages if p.citation_id == "pmid:1#results")
    assert "graph" in graph_hit.scores
    ids = b.citation_ids()
    assert node_citation("DOID:9352") in ids and node_citation("DrugBank:DB00331") in ids
    assert rel_citation("TREATS", "DrugBank:DB00331", "DOID:9352", "pharmacotherapydb") in ids
    rel = b.get(rel_citation("TREATS", "DrugBank:DB00331", "DOID:9352", "pharmacotherapydb"))
    assert isinstance(rel, EvidenceRelationship) and rel.source == "pharmacotherapydb"
    assert rel.props == {"evidence": "disease-modifying"}
    assert {m.node_id for m in b.mentions} == {"DOID:9352"}
    assert "total" in b.timings_ms and "dense" in b.timings_ms
    EvidenceBundle.model_validate_json(b.model_dump_json())


def test_no_duplicate_passages(filled: PassageIndexer) -> None:
    from retrieval.types import PassageRecord

    dup = PassageRecord(
        citation_id="bioasq:9#1",
        doc_id="bioasq:9",
        text="Metformin lowered HbA1c in adults with type 2 diabetes compared with placebo.",
        source="bioasq",
    )
    filled.upsert([dup])
    b = HybridRetriever(filled).search("metformin HbA1c", k=5)
    ids = [p.citation_id for p in b.passages]
    assert len(ids) == len(set(ids))
    assert not ({"bioasq:9#1", "pmid:1#results"} <= set(ids))


def test_chinese_query_end_to_end(retriever: HybridRetriever) -> None:
    b = retriever.search("糖尿病可以吃二甲双胍吗？", k=2)
    assert b.lang == "zh"
    assert b.passages[0].citation_id == "zhdlg:1" and b.passages[0].lang == "zh"
    assert b.passages[0].meta["department"] == "内分泌科"
    assert all(p.lang == "zh" for p in b.passages)
    names = {n.name for n in b.subgraph.nodes}
    assert {"糖尿病", "二甲双胍"} <= names
    assert any(r.type == "TREATS" for r in b.subgraph.relationships)


def test_works_without_graph(filled: PassageIndexer) -> None:
    b = HybridRetriever(filled, config=RetrieverConfig(retrievers=("dense", "sparse"))).search("asthma wheezing")
    assert b.passages[0].citation_id == "pmid:2#results" and b.subgraph.nodes == []


@pytest.mark.parametrize("query", ["", "   \n\t "])
def test_empty_query_is_an_error(retriever: HybridRetriever, query: str) -> None:
    with pytest.raises(EmptyInputError):
        retriever.search(query)


def test_too_long_query_names_the_limit(filled: PassageIndexer) -> None:
    r = HybridRetriever(filled, config=RetrieverConfig(max_query_chars=50))
    with pytest.raises(InputValidationError, match="limit of 50"):
        r.search("fever " * 20)
    with pytest.raises(InputValidationError, match="k must be"):
        r.search("fever", k=0)


@pytest.mark.parametrize(
    ("query", "lang", "why"),
    [
        ("what is the", "en", "stop-words"),
        ("你好 请问", "zh", "stop-words"),
        ("🙂🙂 ?!", None, "unknown language"),
        ("12345", None, "unknown language"),
    ],
)
def test_stopwords_and_unknown_language_give_empty_bundle_with_reason(
    retriever: HybridRetriever, query: str, lang: str | None, why: str
) -> None:
    b = retriever.search(query)
    assert b.passages == [] and b.lang == lang and b.reason is not None and why in b.reason


def test_empty_index_gives_reason(indexer: PassageIndexer) -> None:
    b = HybridRetriever(indexer).search("chest pain")
    assert b.passages == [] and b.reason is not None and "medkg ingest literature" in b.reason

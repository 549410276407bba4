"""Dictionary linker: longest match, case/accent folding, Chinese, negation, stop-list and short-name rules,
caching."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.embedded import EmbeddedGraphStore
from medkg.errors import IndexCorruptError
from retrieval.linker import DictionaryLinker, LinkerEntry
from retrieval.linker_vocab import Curation, entries_from_nodes, load_curation
from tests.unit.literature.helpers import KG_NODES


@pytest.fixture(scope="module")
def linker() -> DictionaryLinker:
    return DictionaryLinker(entries_from_nodes(KG_NODES, load_curation()))


def _ids(linker: DictionaryLinker, text: str, **kw: object) -> list[tuple[str, str]]:
    return [(m.node_id, m.surface) for m in linker.link(text, **kw)]  # type: ignore[arg-type]


def test_longest_multiword_match_wins(linker: DictionaryLinker) -> None:
    """'type 2 diabetes mellitus' links the specific disease, not the shorter 'diabetes mellitus' inside it."""
    assert _ids(linker, "Adults with type 2 diabetes mellitus.") == [("DOID:9352", "type 2 diabetes mellitus")]
    assert _ids(linker, "Gestational diabetes mellitus.") == [("DOID:9351", "diabetes mellitus")]


def test_nested_mentions_inside_a_side_effect_phrase(linker: DictionaryLinker) -> None:
    """A side-effect phrase also yields the general concept inside it; a disease match does not."""
    got = [(m.node_id, m.start, m.end) for m in linker.link("Suspected acute appendicitis.")]
    assert got == [("UMLS:C0085693", 10, 28), ("DOID:8337", 16, 28)]


def test_local_abbreviations(linker: DictionaryLinker) -> None:
    """'type 2 diabetes mellitus (T2D)' makes later 'T2D' mentions of the same concept; other letters do not."""
    text = "Adults with type 2 diabetes mellitus (T2D) and fever (XF). T2D-related care; no T2D. XF and t2d."
    got = [(m.node_id, m.surface, m.negated) for m in linker.link(text)]
    assert got == [("DOID:9352", "type 2 diabetes mellitus", False), ("MESH:D005334", "fever", False),
                   ("DOID:9352", "T2D", False), ("DOID:9352", "T2D", True)]


def test_offsets_point_at_the_surface(linker: DictionaryLinker) -> None:
    text = "No fever. Severe HEADACHE today."
    for m in linker.link(text):
        assert text[m.start : m.end] == m.surface


def test_case_accents_apostrophes_and_hyphens_fold(linker: DictionaryLinker) -> None:
    assert _ids(linker, "CROHNS-DISEASE flare")[0][0] == "DOID:8778"
    assert _ids(linker, "crohn’s disease")[0][0] == "DOID:8778"
    assert _ids(linker, "Meniere's disease and ménière’s disease") == [
        ("DOID:14188", "Meniere's disease"), ("DOID:14188", "ménière’s disease")]


def test_word_boundaries(linker: DictionaryLinker) -> None:
    """A name inside a longer word is not a mention."""
    assert _ids(linker, "feverish pancreatic headaches") == [("MESH:D006261", "headaches")]


def test_synonyms_mesh_inversion_and_plural(linker: DictionaryLinker) -> None:
    assert _ids(linker, "high blood pressure")[0][0] == "DOID:10763"
    assert _ids(linker, "an acute abdomen")[0][0] == "MESH:D000006"
    assert _ids(linker, "a neoplasm and fevers") == [("MESH:D009369", "neoplasm"), ("MESH:D005334", "fevers")]


def test_no_match_across_sentence_punctuation(linker: DictionaryLinker) -> None:
    assert _ids(linker, "type 2. diabetes mellitus") == [("DOID:9351", "diabetes mellitus")]


def test_gene_symbols_are_case_exact_and_at_least_four_characters(linker: DictionaryLinker) -> None:
    assert _ids(linker, "TP53 mutation") == [("Entrez:7157", "TP53")]
    assert _ids(linker, "tp53 mutation") == []
    assert _ids(linker, "ACE inhibitors") == []  # 3-letter gene symbol: too ambiguous


def test_stop_list_and_curation() -> None:
    """Stop-listed names are not linked (the shipped list has 'Stress' as a side effect and 医生)."""
    lk = DictionaryLinker(entries_from_nodes(KG_NODES, load_curation()))
    assert _ids(lk, "oxidative stress") == []
    assert _ids(lk, "我去看医生") == []
    unfiltered = DictionaryLinker(entries_from_nodes(KG_NODES, Curation()))
    assert _ids(unfiltered, "oxidative stress") == [("UMLS:C0038435", "stress")]
    custom = Curation(stop={"Symptom": {"fever"}}, synonyms={"MESH:D005334": ["pyrexia"]})
    lk2 = DictionaryLinker(entries_from_nodes(KG_NODES, custom))
    assert _ids(lk2, "fever") == []
    assert _ids(lk2, "pyrexia") == [("MESH:D005334", "pyrexia")]  # curated synonym


def test_chinese_longest_match(linker: DictionaryLinker) -> None:
    text = "患者有2型糖尿病和高血压，做了CT"
    got = _ids(linker, text, lang="zh")
    assert got == [("medkg:zh:disease:2型糖尿病", "2型糖尿病"), ("medkg:zh:disease:高血压", "高血压"),
                   ("medkg:zh:check:CT", "CT")]
    assert _ids(linker, "CT scan of the chest") == []  # Chinese-KG abbreviations only in Chinese texts


def test_negation_english(linker: DictionaryLinker) -> None:
    ms = linker.link("Patient denies chest pain or fever, but has headache. No change in hypertension.")
    neg = {m.surface: m.negated for m in ms}
    assert neg == {"chest pain": True, "fever": True, "headache": False, "hypertension": False}
    ms = linker.link("Metformin was ruled out. Diabetes mellitus was not seen.")
    assert all(m.negated for m in ms)
    ms = linker.link("- No fever - Headache - Eyes that are not aligned (strabismus) Chest pain")
    assert {m.surface: m.negated for m in ms} == {"fever": True, "Headache": False, "Chest pain": False}


def test_negation_off(linker: DictionaryLinker) -> None:
    assert not any(m.negated for m in linker.link("Denies chest pain.", negation=False))


def test_negation_chinese(linker: DictionaryLinker) -> None:
    ms = linker.link("否认高血压，有头痛，无发热。患者无力。", lang="zh")
    neg = {m.surface: m.negated for m in ms}
    assert neg == {"高血压": True, "头痛": False, "发热": True, "无力": False}
    assert not any(m.negated for m in linker.link("是不是高血压？不确定是不是头痛", lang="zh"))
    assert not linker.link("目前没有值得信赖的药物能治好高血压", lang="zh")[0].negated  # beyond the 6-character scope


def test_several_nodes_share_a_surface() -> None:
    entries = [LinkerEntry(surface="Pain", node_id="MESH:D010146", label="Symptom"),
               LinkerEntry(surface="Pain", node_id="UMLS:C0030193", label="SideEffect")]
    ms = DictionaryLinker(entries).link("pain")
    assert [m.node_id for m in ms] == ["MESH:D010146", "UMLS:C0030193"]


def test_save_load_roundtrip_and_corrupt_file(tmp_path: Path, linker: DictionaryLinker) -> None:
    p = tmp_path / "linker.pkl"
    linker.save(p)
    again = DictionaryLinker.load(p)
    text = "type 2 diabetes mellitus, 高血压, no fever"
    assert again.link(text) == linker.link(text)
    p.write_bytes(b"not a pickle")
    with pytest.raises(IndexCorruptError, match="medkg ingest literature"):
        DictionaryLinker.load(p)
    with pytest.raises(IndexCorruptError):
        DictionaryLinker.load(tmp_path / "missing.pkl")


def test_from_store_and_cache(embedded_store: EmbeddedGraphStore, tmp_path: Path) -> None:
    """from_store reads the clinical labels; load_or_build reuses the cache until the store's counts change."""
    embedded_store.upsert_nodes(KG_NODES)
    lk = DictionaryLinker.from_store(embedded_store)
    assert _ids(lk, "metformin for T2DM")[0][0] == "DrugBank:DB00331"
    only = DictionaryLinker.from_store(embedded_store, labels=["Symptom"])
    assert {e.label for e in only.entries} == {"Symptom"}
    p = tmp_path / "idx" / "linker.pkl"
    first = DictionaryLinker.load_or_build(embedded_store, p)
    assert p.is_file() and len(first) == len(lk)
    p.write_bytes(b"x")  # a cached file that matches is trusted only if readable ...
    with pytest.raises(IndexCorruptError):
        DictionaryLinker.load_or_build(embedded_store, p)
    p.unlink()
    DictionaryLinker.load_or_build(embedded_store, p)
    from medkg.types import Node

    embedded_store.upsert_nodes([Node(id="MESH:D003371", label="Symptom", name="Cough", sources=("testkg",))])
    rebuilt = DictionaryLinker.load_or_build(embedded_store, p)
    assert _ids(rebuilt, "cough") == [("MESH:D003371", "cough")]

"""BM25: English stemming/stop-words, Chinese jieba, add/delete by id, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.errors import IndexCorruptError
from retrieval.bm25_index import BM25Index, bm25_params
from retrieval.text import detect_lang, tokenize


def test_english_tokens_are_lowercased_stemmed_without_stopwords() -> None:
    assert tokenize("The Patients were treated with Metformin", "en") == ["patient", "treat", "metformin"]
    assert tokenize("what is the", "en") == []
    assert "no" in tokenize("no fever", "en")  # negation words are kept


def test_chinese_tokens_use_jieba() -> None:
    toks = tokenize("糖尿病患者可以吃二甲双胍吗？", "zh")
    assert "糖尿病" in toks and "双胍" in toks
    assert "吗" not in toks and "？" not in toks


def test_detect_lang() -> None:
    assert detect_lang("高血压怎么办") == "zh"
    assert detect_lang("high blood pressure") == "en"
    assert detect_lang("🙂🙂 123 !!") is None


def test_english_search_add_delete() -> None:
    ix = BM25Index("en")
    ix.add(["a", "b", "c"], ["Metformin treats diabetes", "Aspirin for fever", "Diabetic diet advice"])
    hits = ix.search("treatment of diabetes with metformin", 3)
    assert hits[0][0] == "a" and {h for h, _ in hits} == {"a", "c"}
    assert ix.delete(["a", "zzz"]) == 1
    assert [h for h, _ in ix.search("metformin", 3)] == []
    assert ix.search("unknownword", 3) == []


def test_chinese_search() -> None:
    ix = BM25Index("zh")
    ix.add(["z1", "z2"], ["二甲双胍是糖尿病的一线药物", "高血压患者应低盐饮食"])
    assert ix.search("糖尿病吃什么药", 2)[0][0] == "z1"
    assert ix.search("高血压饮食", 2)[0][0] == "z2"


def test_persist_and_reload(tmp_path: Path) -> None:
    ix = BM25Index("en")
    ix.add(["a", "b"], ["asthma inhaler", "heart failure diuretic"])
    ix.save(tmp_path)
    back = BM25Index.load(tmp_path)
    assert back.ids() == {"a", "b"}
    assert back.search("asthma", 1)[0][0] == "a"
    back.add(["c"], ["asthma in children"])
    assert {h for h, _ in back.search("asthma", 5)} == {"a", "c"}


def test_corrupt_files_raise(tmp_path: Path) -> None:
    ix = BM25Index("en")
    ix.add(["a"], ["asthma"])
    ix.save(tmp_path)
    (tmp_path / "tokens.jsonl").write_text("not json\n")
    with pytest.raises(IndexCorruptError, match="medkg ingest literature"):
        BM25Index.load(tmp_path)


TEXTS = {
    "long": "Asthma in children. Methods: we followed 300 children with asthma for two years, measured lung function "
    "every three months, recorded inhaler use, emergency visits, school absence and parental smoking at home.",
    "short": "Asthma inhaler use.",
    "other": "Heart failure and diuretics.",
}


def test_parameters_per_language_and_level() -> None:
    assert bm25_params("en") == (1.2, 0.75) and bm25_params("en", documents=True) == (0.9, 0.4)
    assert bm25_params("zh") == bm25_params("zh", documents=True) == (1.5, 0.75)
    ix, docs = BM25Index("en"), BM25Index("en", documents=True)
    assert (ix.k1, ix.b, docs.k1, docs.b) == (1.2, 0.75, 0.9, 0.4)
    assert BM25Index("en", k1=2.0, b=0.1).k1 == 2.0


def test_an_index_saved_with_other_parameters_is_rebuilt_on_load(tmp_path: Path) -> None:
    old = BM25Index("en", k1=1.5, b=0.75)  # as every home built before the English parameters were tuned
    old.add(list(TEXTS), list(TEXTS.values()))
    old.save(tmp_path)
    fresh = BM25Index("en", documents=True)
    fresh.add(list(TEXTS), list(TEXTS.values()))
    back = BM25Index.load(tmp_path, documents=True)
    assert (back.k1, back.b) == (0.9, 0.4)
    assert back.search("asthma children lung function", 3) == fresh.search("asthma children lung function", 3)
    assert back.search("asthma", 3) != old.search("asthma", 3)  # the old scores are not served
    back.save(tmp_path)  # persisted with the new parameters: the next load needs no rebuild
    again = BM25Index.load(tmp_path, documents=True)
    assert not again._dirty and again.search("asthma", 3) == fresh.search("asthma", 3)

"""Name normalisation used by every store's find: case-, accent- and punctuation-insensitive, Chinese intact."""

from __future__ import annotations

from kg.normalize import normalize_name


def test_case_accents_punctuation() -> None:
    assert normalize_name("Crohn’s Disease") == normalize_name("crohns disease") == "crohns disease"
    assert normalize_name("Sjögren syndrome") == "sjogren syndrome"
    assert normalize_name("  Type-2  Diabetes_Mellitus ") == "type 2 diabetes mellitus"


def test_chinese_and_fullwidth() -> None:
    assert normalize_name("糖尿病") == "糖尿病"
    assert normalize_name("ＡＢＣ１２３") == "abc123"

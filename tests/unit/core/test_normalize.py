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


def test_ascii_fast_path_matches_the_unicode_path() -> None:
    """ASCII names skip NFKC/NFKD/casefold; the result must be what the full Unicode path gives."""
    import unicodedata

    from kg.normalize import _APOSTROPHE, _SPACE

    def slow(text: str) -> str:
        t = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
        return _SPACE.sub(" ", _APOSTROPHE.sub("", t)).strip()

    samples = ["Crohn's Disease", "CROHNS-DISEASE", "  Type 2 diabetes (disorder) ", "HbA1c/LDL; x.y:z",
               "Alzheimer`s", "a_b-c,d\"e[f]g", "ß", "Crohn’s", "Sjögren", "糖尿病", "\t\n", ""]
    samples += [chr(i) * 3 + " X" for i in range(32, 127)]
    for s in samples:
        assert normalize_name(s) == slow(s), s

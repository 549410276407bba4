"""Chunking: sentences kept whole, size limit, one-sentence overlap, citation id styles."""

from __future__ import annotations

import itertools

from ingest.literature import ChunkConfig, Section, SourceDocument, chunk_document, chunk_text, split_sentences


def _sentences(n: int, words: int = 10) -> str:
    return " ".join(f"Sentence {i} " + " ".join(["word"] * (words - 3)) + " end." for i in range(n))


def test_short_text_is_one_chunk() -> None:
    assert chunk_text("One. Two.") == ["One. Two."]


def test_split_sentences_keeps_abbreviations() -> None:
    s = split_sentences("Drugs (e.g. Metformin) help. Smith et al. Showed it. Results were 3.5 mg. Next one.")
    assert s == ["Drugs (e.g. Metformin) help.", "Smith et al. Showed it.", "Results were 3.5 mg.", "Next one."]


def test_long_text_splits_at_sentences_within_limit_with_overlap() -> None:
    """Every chunk is at most max_words, consists of whole sentences, and repeats the previous last sentence."""
    cfg = ChunkConfig(max_words=45, overlap_sentences=1)
    text = _sentences(12)
    chunks = chunk_text(text, config=cfg)
    assert len(chunks) > 1
    sents = split_sentences(text)
    for c in chunks:
        assert len(c.split()) <= 45
        assert all(s in sents for s in split_sentences(c))
    for a, b in itertools.pairwise(chunks):
        assert split_sentences(a)[-1] == split_sentences(b)[0]
    covered = {s for c in chunks for s in split_sentences(c)}
    assert covered == set(sents)


def test_no_overlap_when_configured_off() -> None:
    chunks = chunk_text(_sentences(12), config=ChunkConfig(max_words=45, overlap_sentences=0))
    all_sents = [s for c in chunks for s in split_sentences(c)]
    assert len(all_sents) == 12


def test_overlong_single_sentence_is_cut_at_words() -> None:
    text = " ".join(["word"] * 130) + "."
    chunks = chunk_text(text, config=ChunkConfig(max_words=50))
    assert all(len(c.split()) <= 50 for c in chunks)
    assert sum(len(c.split()) for c in chunks) == 130


def test_chinese_limit_is_in_characters() -> None:
    text = "。".join(["糖尿病患者需要控制血糖" * 3] * 30) + "。"
    chunks = chunk_text(text, zh=True, config=ChunkConfig(max_chars=100))
    assert len(chunks) > 1 and all(len(c) <= 100 for c in chunks)


def _doc(style: str, sections: list[tuple[str, str]], prefix: str | None = None) -> SourceDocument:
    return SourceDocument.model_validate({
        "doc_id": "pmid:5", "cite_stem": "pmid:5" if style == "section" else "medquad:X", "id_style": style,
        "source": "t", "prefix": prefix, "sections": [Section(label=lab, text=t) for lab, t in sections]})


def test_section_ids_lowercase_and_numbered_when_split_or_repeated() -> None:
    """pmid:<id>#<label>; extra chunks of the same label and repeated labels get -2, -3 ..."""
    cfg = ChunkConfig(max_words=45)
    doc = _doc("section", [("RESULTS", _sentences(8)), ("MATERIALS AND METHODS", "Short."),
                           ("MATERIALS AND METHODS", "Again.")])
    ids = [r.citation_id for r in chunk_document(doc, cfg)]
    assert ids[0] == "pmid:5#results" and ids[1] == "pmid:5#results-2"
    assert ids[-2:] == ["pmid:5#materials-and-methods", "pmid:5#materials-and-methods-2"]
    assert len(set(ids)) == len(ids)


def test_single_style_ids_and_prefix_in_every_chunk() -> None:
    short = _doc("single", [("answer", "Short answer.")], prefix="What is X ?")
    assert [r.citation_id for r in chunk_document(short)] == ["medquad:X"]
    long = _doc("single", [("answer", _sentences(10))], prefix="What is X ?")
    recs = chunk_document(long, ChunkConfig(max_words=45))
    assert [r.citation_id for r in recs] == [f"medquad:X#{i}" for i in range(1, len(recs) + 1)]
    assert all(r.text.startswith("What is X ?\n") and len(r.text.split()) <= 45 for r in recs)

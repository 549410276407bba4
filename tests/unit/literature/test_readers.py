"""Readers: good rows, each kind of bad row (collected as rejects or raised in strict mode), missing files, ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.literature import (
    RejectSink,
    chunk_document,
    read_bioasq,
    read_medquad,
    read_pubmed_jsonl,
    read_pubmed_xml,
    read_zh_consultations,
)
from medkg.errors import DataFileError, RowError
from tests.unit.literature.helpers import PUBMED_XML, write_jsonl

GOOD_PUBMED = {"pmid": "123", "year": "2011", "mesh": ["Apoptosis"],
               "sections": [{"label": "RESULTS", "text": "It worked."}]}


def test_pubmed_jsonl_good_row(tmp_path: Path) -> None:
    """A valid row becomes one document with pmid, url, year and MeSH terms."""
    p = write_jsonl(tmp_path / "p.jsonl", [GOOD_PUBMED])
    docs = list(read_pubmed_jsonl(p, RejectSink()))
    assert len(docs) == 1
    d = docs[0]
    assert (d.doc_id, d.pmid, d.source) == ("pmid:123", "123", "pubmed")
    assert d.doc_props["mesh"] == ["Apoptosis"] and d.doc_props["year"] == "2011"
    assert d.url == "https://pubmed.ncbi.nlm.nih.gov/123/"
    recs = chunk_document(d)
    assert [r.citation_id for r in recs] == ["pmid:123#results"]
    assert recs[0].meta == {"year": "2011", "mesh": ["Apoptosis"]}  # MeSH travels with the passage for BM25


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"year": "2011", "sections": [{"label": "A", "text": "x"}]}', "pmid: missing field"),
        ('{"pmid": "1", "sections": []}', "sections"),
        ('{"pmid": "1", "sections": [{"label": "A", "text": ""}]}', "sections.0.text"),
        ('{"pmid": "abc", "sections": [{"label": "A", "text": "x"}]}', "pmid"),
    ],
)
def test_pubmed_jsonl_bad_rows_are_rejected_with_line(tmp_path: Path, line: str, reason: str) -> None:
    """Each malformed row is reported with file, 1-based line and a reason; good rows around it still load."""
    p = write_jsonl(tmp_path / "p.jsonl", [GOOD_PUBMED, line, {**GOOD_PUBMED, "pmid": "124"}])
    sink = RejectSink()
    docs = list(read_pubmed_jsonl(p, sink))
    assert [d.pmid for d in docs] == ["123", "124"]
    assert len(sink.rejects) == 1
    rej = sink.rejects[0]
    assert rej.line == 2 and rej.file == str(p) and reason in rej.reason


def test_strict_mode_raises_row_error(tmp_path: Path) -> None:
    """With strict, the first bad row aborts with a RowError naming the line."""
    p = write_jsonl(tmp_path / "p.jsonl", [GOOD_PUBMED, "{oops"])
    with pytest.raises(RowError) as ei:
        list(read_pubmed_jsonl(p, RejectSink(strict=True)))
    assert ei.value.line == 2


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    """A missing file is a DataFileError whose message names the expected path."""
    missing = tmp_path / "nope.jsonl"
    for reader in (read_pubmed_jsonl, read_bioasq, read_medquad, read_zh_consultations, read_pubmed_xml):
        with pytest.raises(DataFileError, match=r"nope\.jsonl"):
            list(reader(missing, RejectSink()))


def test_non_utf8_file_is_a_data_file_error(tmp_path: Path) -> None:
    p = tmp_path / "p.jsonl"
    p.write_bytes(b'{"pmid": "1"}\n\xff\xfe\n')
    with pytest.raises(DataFileError, match="UTF-8"):
        list(read_pubmed_jsonl(p, RejectSink()))


def test_bioasq_groups_snippets_by_pmid_with_stable_ids(tmp_path: Path) -> None:
    """Snippets of one PMID form one document; passages are numbered in file order; duplicates dropped."""
    rows = [
        {"document": "7", "text": "Title of seven.", "section": "title"},
        {"document": "8", "text": "Other paper.", "section": "abstract"},
        {"document": "7", "text": "First snippet.", "section": "abstract"},
        {"document": "7", "text": "First snippet.", "section": "abstract"},
        {"document": 7, "text": "Second snippet.", "section": "abstract"},
        {"document": "9", "section": "abstract"},
    ]
    p = write_jsonl(tmp_path / "b.jsonl", rows)
    sink = RejectSink()
    docs = {d.pmid: d for d in read_bioasq(p, sink)}
    assert set(docs) == {"7", "8"}
    assert docs["7"].title == "Title of seven." and docs["7"].doc_id == "bioasq:7"
    ids = [(r.citation_id, r.text) for r in chunk_document(docs["7"])]
    assert ids == [("bioasq:7#1", "Title of seven."), ("bioasq:7#2", "First snippet."),
                   ("bioasq:7#3", "Second snippet.")]
    again = {d.pmid: d for d in read_bioasq(p, RejectSink())}
    assert [r.citation_id for r in chunk_document(again["7"])] == [i for i, _ in ids]
    assert [r.line for r in sink.rejects] == [6]


def test_medquad_ids_focus_prefix_and_duplicate_ids(tmp_path: Path) -> None:
    """medquad:<id> for unique ids; reused ids get a content-hash suffix; exact repeats are dropped; the
    passage text starts with the focus topic and section heading, never the question (the question is what users
    ask, so indexing it would make question -> own answer retrieval circular); the question stays in the metadata."""
    base = {"source": "GHR", "url": "https://x", "focus": "F", "cuis": ["C1"], "semantic_group": "Disorders",
            "qtype": "information"}
    rows = [
        {**base, "id": "A", "question": "What is F ?", "answer": "F is a thing."},
        {**base, "id": "B", "question": "What is G ?", "answer": "G is a thing."},
        {**base, "id": "B", "question": "What causes G ?", "answer": "Genes."},
        {**base, "id": "B", "question": "What causes G ?", "answer": "Genes."},
        {**base, "id": "C", "question": "", "answer": "No question."},
    ]
    p = write_jsonl(tmp_path / "m.jsonl", rows)
    sink = RejectSink()
    docs = list(read_medquad(p, sink))
    cids = [chunk_document(d)[0].citation_id for d in docs]
    assert cids[0] == "medquad:A"
    assert len(cids) == 3 and cids[1].startswith("medquad:B-") and cids[2].startswith("medquad:B-")
    assert cids[1] != cids[2]
    rec = chunk_document(docs[0])[0]
    assert rec.text.startswith("F — overview\n") and "What is F" not in rec.text
    assert rec.url == "https://x" and rec.meta["qtype"] == "information" and rec.meta["question"] == "What is F ?"
    assert docs[0].doc_id == "medkg:doc:medquad:A"
    assert [r.line for r in sink.rejects] == [5]


def test_zh_consultations_ids_are_line_numbers(tmp_path: Path) -> None:
    rows = [
        {"department": "内分泌科", "title": "糖尿病", "ask": "怎么办", "answer": "控制饮食。"},
        "",
        {"department": "神经科", "title": "头痛", "ask": "头痛", "answer": "休息。"},
        {"department": "神经科", "title": "缺答案", "ask": "?"},
    ]
    p = write_jsonl(tmp_path / "z.jsonl", rows)
    sink = RejectSink()
    recs = [r for d in read_zh_consultations(p, sink) for r in chunk_document(d)]
    assert [r.citation_id for r in recs] == ["zhdlg:1", "zhdlg:3"]
    assert all(r.lang == "zh" for r in recs)
    assert recs[1].meta["department"] == "神经科"
    assert "头痛" in recs[1].text and "休息" in recs[1].text
    assert [r.line for r in sink.rejects] == [4]


def test_pubmed_xml(tmp_path: Path) -> None:
    """PMID, title, labelled sections, MeSH headings and year are read; an article without abstract is
    rejected with the line where it starts; MedlineDate gives the year."""
    p = tmp_path / "mine.xml"
    p.write_text(PUBMED_XML, encoding="utf-8")
    sink = RejectSink()
    docs = list(read_pubmed_xml(p, sink))
    assert [d.pmid for d in docs] == ["111", "333"]
    d = docs[0]
    assert d.title == "Metformin in type 2 diabetes mellitus."
    assert d.doc_props["mesh"] == ["Diabetes Mellitus, Type 2", "Metformin"] and d.doc_props["year"] == "2019"
    recs = chunk_document(d)
    assert [r.citation_id for r in recs] == ["pmid:111#background", "pmid:111#results"]
    assert recs[1].text == "Patients had no fever & no headache."
    assert docs[1].doc_props["year"] == "1998"
    assert chunk_document(docs[1])[0].citation_id == "pmid:333#abstract"
    assert len(sink.rejects) == 1 and "no AbstractText" in sink.rejects[0].reason
    assert PUBMED_XML.splitlines()[sink.rejects[0].line - 1].strip() == "<PubmedArticle>"


def test_pubmed_xml_malformed(tmp_path: Path) -> None:
    p = tmp_path / "bad.xml"
    p.write_text("<PubmedArticleSet><PubmedArticle></PubmedArticleSet>", encoding="utf-8")
    with pytest.raises(DataFileError, match="malformed XML"):
        list(read_pubmed_xml(p, RejectSink()))


def test_csv_rows_and_list_cells(tmp_path: Path) -> None:
    """CSV files of the same shape: header names the fields, ';' separates list cells, extra cells are rejected."""
    p = tmp_path / "m.csv"
    p.write_text(
        "id,source,url,focus,cuis,semantic_group,qtype,question,answer\n"
        'A,GHR,https://x,F,C1; C2,,information,What is F ?,"F is rare, and inherited."\n'
        "B,GHR,https://y,G,,,information,What is G ?,G.,extra\n"
        "C,GHR,https://z,H,,,information,,No question.\n",
        encoding="utf-8",
    )
    sink = RejectSink()
    docs = list(read_medquad(p, sink))
    assert [d.cite_stem for d in docs] == ["medquad:A"]
    assert docs[0].passage_meta["cuis"] == ["C1", "C2"] and docs[0].sections[0].text == "F is rare, and inherited."
    assert [r.line for r in sink.rejects] == [3, 4]
    assert "10 cells where the header has 9" in sink.rejects[0].reason and "question" in sink.rejects[1].reason


def test_user_files_are_discovered_by_shape(tmp_path: Path) -> None:
    """Extra .jsonl/.csv/.xml files in literature/ become their own sources, format sniffed from the columns."""
    from ingest.literature import default_sources

    lit = tmp_path / "literature"
    write_jsonl(lit / "my_snippets.jsonl", [{"document": "5", "text": "x", "section": "abstract"}])
    (lit / "clinic.csv").write_text("department,title,ask,answer\n内科,头痛,头痛怎么办,休息。\n", encoding="utf-8")
    (lit / "mine.xml").write_text(PUBMED_XML, encoding="utf-8")
    (lit / "notes.txt").write_text("not literature", encoding="utf-8")
    write_jsonl(lit / "other.jsonl", [{"foo": 1}])
    found = {s.name: s for s in default_sources(tmp_path)}
    assert {"bioasq:my_snippets", "zhdlg:clinic", "pubmed-xml:mine"} <= set(found)
    assert not any("notes" in n or "other" in n for n in found)
    clinic = found["zhdlg:clinic"]
    from ingest.literature import read_source

    recs = [r for d in read_source(clinic, RejectSink()) for r in chunk_document(d)]
    assert [r.citation_id for r in recs] == ["zhdlg:clinic-2"] and recs[0].source == "zhdlg:clinic"

"""Readers of the literature sources (JSONL), one function per source, each yielding :class:`SourceDocument`.

Every reader takes any path with the source's shape, validates each row (malformed JSON or a missing/empty
required field becomes a :class:`~medkg.errors.RowError` sent to the :class:`RejectSink`: collected, or raised
in strict mode) and raises :class:`~medkg.errors.DataFileError` naming the path when the file is missing.

Id schemes (stable across re-ingests of the same file):

- PubMed JSONL (``pmid, year, mesh, sections[label, text]``): Document ``pmid:<pmid>``, passages
  ``pmid:<pmid>#<section label>`` (see :mod:`ingest.literature.chunking`).
- BioASQ snippets (``document`` = PMID, ``text``, ``section``): snippets are grouped by PMID into one Document
  ``bioasq:<pmid>``; passages ``bioasq:<pmid>#<n>``, n = 1, 2, ... in the order the PMID's snippets appear in the
  file (exact duplicate snippets are dropped). Re-reading the same file gives the same ids; the order-based n
  was preferred over a content hash because the ids stay short and readable.
- MedQuAD (``id, source, url, focus, cuis, semantic_group, qtype, question, answer``): passage ``medquad:<id>``
  (``medquad:<id>#1``, ``#2``, ... when the answer is chunked), Document ``medkg:doc:medquad:<id>`` (the passage
  already owns ``medquad:<id>``). The upstream file reuses some ids for different questions (about 2,500 ids);
  such rows get ``<id>-<h>`` with h = first 8 hex digits of sha1(question + answer), so every passage stays
  distinct and its id depends only on its own content. Rows repeating another row exactly are dropped.
- Chinese consultations (``department, title, ask, answer``): passage ``zhdlg:<n>``, n = 1-based line number,
  Document ``medkg:doc:zhdlg:<n>``, ``lang = "zh"``.

Every reader also reads CSV files (``.csv``, a header row with the same column names; ``mesh`` and ``cuis``
cells hold ``;``-separated lists; the line number reported for a bad row is the CSV line). PubMed abstracts
with labelled sections come as JSONL or PubMed XML (:mod:`ingest.literature.pubmed_xml`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ingest.literature.documents import Section, SourceDocument
from ingest.literature.rows import Sink, iter_rows, validate_row
from medkg.errors import RowError

__all__ = ["MEDQUAD_SECTION_HEADINGS", "medquad_heading", "read_bioasq", "read_medquad", "read_pubmed_jsonl",
           "read_zh_consultations"]

_NonEmpty = Field(min_length=1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def _id_str(v: object) -> object:
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


def _split_list(v: object) -> object:
    """CSV cells hold lists as ``a; b; c``."""
    return [x.strip() for x in v.split(";") if x.strip()] if isinstance(v, str) else v


class _PubmedSection(_Strict):
    label: str = ""
    text: str = _NonEmpty


class _PubmedRow(_Strict):
    pmid: str = Field(min_length=1, pattern=r"^\d+$")
    year: str | None = None
    mesh: list[str] = Field(default_factory=list)
    sections: list[_PubmedSection] = Field(min_length=1)

    _pmid = field_validator("pmid", "year", mode="before")(_id_str)
    _mesh = field_validator("mesh", mode="before")(_split_list)


class _BioasqRow(_Strict):
    document: str = Field(min_length=1, pattern=r"^\d+$")
    text: str = _NonEmpty
    section: str | None = None

    _doc = field_validator("document", mode="before")(_id_str)


class _MedquadRow(_Strict):
    id: str = Field(min_length=1, pattern=r"^\S+$")
    source: str | None = None
    url: str | None = None
    focus: str | None = None
    cuis: list[str] | None = None
    _cuis = field_validator("cuis", mode="before")(_split_list)
    semantic_group: str | None = None
    qtype: str | None = None
    question: str = _NonEmpty
    answer: str = _NonEmpty


class _ZhRow(_Strict):
    department: str = _NonEmpty
    title: str = ""
    ask: str = ""
    answer: str = _NonEmpty


def _props(**kw: str | int | float | list[str] | None) -> dict[str, str | int | float | list[str]]:
    return {k: v for k, v in kw.items() if v not in (None, "", [])}


def read_pubmed_jsonl(
    path: Path, sink: Sink, *, source: str = "pubmed", limit: int | None = None
) -> Iterator[SourceDocument]:
    """PubMed abstracts as labelled sections (the PubMedQA layout)."""
    n = 0
    for line, obj in iter_rows(path, sink):
        row = validate_row(_PubmedRow, obj, path, line, sink)
        if row is None:
            continue
        yield SourceDocument(
            doc_id=f"pmid:{row.pmid}",
            cite_stem=f"pmid:{row.pmid}",
            id_style="section",
            source=source,
            pmid=row.pmid,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{row.pmid}/",
            sections=tuple(Section(label=s.label or "abstract", text=s.text) for s in row.sections),
            doc_props=_props(pmid=row.pmid, year=row.year, mesh=row.mesh),
            passage_meta=_props(year=row.year, mesh=row.mesh),  # MeSH terms: BM25 indexes them with the text
            line=line,
        )
        n += 1
        if limit is not None and n >= limit:
            return


def read_bioasq(
    path: Path, sink: Sink, *, source: str = "bioasq", limit: int | None = None
) -> Iterator[SourceDocument]:
    """BioASQ snippets grouped by PMID (one Document per PMID, one passage per snippet in file order)."""
    groups: dict[str, list[_BioasqRow]] = {}
    first_line: dict[str, int] = {}
    for line, obj in iter_rows(path, sink):
        row = validate_row(_BioasqRow, obj, path, line, sink)
        if row is None:
            continue
        if row.document not in groups:
            if limit is not None and len(groups) >= limit:
                continue
            groups[row.document] = []
            first_line[row.document] = line
        if all(r.text != row.text for r in groups[row.document]):
            groups[row.document].append(row)
    for pmid, rows in groups.items():
        title = next((r.text for r in rows if (r.section or "").lower() == "title"), None)
        yield SourceDocument(
            doc_id=f"bioasq:{pmid}",
            cite_stem=f"bioasq:{pmid}",
            id_style="counter",
            source=source,
            pmid=pmid,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            title=title,
            sections=tuple(Section(label=r.section or "snippet", text=r.text) for r in rows),
            doc_props=_props(pmid=pmid),
            line=first_line[pmid],
        )


# MedQuAD answers are sections cut out of consumer-health pages (MedlinePlus, GHR, NIDDK, CancerGov ...); the
# row's ``qtype`` names the section the answer came from. On the page, the answer sits under the page title (the
# focus) and that section's heading, and a reader finds it by both, so the passage is headed
# "<focus> — <section heading>" the way a PubMed passage keeps its section label. The heading carries the
# section's meaning that the bare answer text often lacks (a "treatment" section need not say "treatment"),
# which tells apart the several answers about one focus. The headings are the pages' own section names, made
# readable; the question text is never used (it is what users ask; indexing it would make question → own answer
# retrieval circular). An unknown qtype is used as it is.
MEDQUAD_SECTION_HEADINGS: dict[str, str] = {
    "information": "overview",
    "symptoms": "symptoms",
    "treatment": "treatment",
    "inheritance": "inheritance pattern",
    "frequency": "frequency",
    "genetic changes": "genetic changes",
    "causes": "causes",
    "exams and tests": "exams and tests (diagnosis)",
    "research": "research and clinical trials",
    "outlook": "outlook (prognosis)",
    "susceptibility": "who is at risk (susceptibility)",
    "considerations": "considerations",
    "prevention": "prevention",
    "stages": "stages",
    "complications": "complications",
    "support groups": "support groups",
}


def medquad_heading(focus: str | None, qtype: str | None) -> str | None:
    """The heading of a MedQuAD passage: ``"Glaucoma — symptoms"`` (focus and readable section name); either part
    alone when the other is missing; None when both are."""
    section = MEDQUAD_SECTION_HEADINGS.get((qtype or "").strip().lower(), (qtype or "").strip()) or None
    focus = (focus or "").strip() or None
    if focus and section:
        return f"{focus} — {section}"
    return focus or section


def _short_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]


def read_medquad(
    path: Path, sink: Sink, *, source: str = "medquad", limit: int | None = None
) -> Iterator[SourceDocument]:
    """MedQuAD question/answer pairs: the answer, headed by its focus and section (:func:`medquad_heading`); the
    question is kept in the metadata only, never in the indexed text."""
    rows: list[tuple[int, _MedquadRow]] = []
    seen_ids: dict[str, int] = {}
    for line, obj in iter_rows(path, sink):
        row = validate_row(_MedquadRow, obj, path, line, sink)
        if row is None:
            continue
        rows.append((line, row))
        seen_ids[row.id] = seen_ids.get(row.id, 0) + 1
    emitted: set[str] = set()
    for line, row in rows:
        local = row.id if seen_ids[row.id] == 1 else f"{row.id}-{_short_hash(row.question, row.answer)}"
        if local in emitted:  # an exact repeat of an earlier row
            continue
        emitted.add(local)
        meta = _props(
            focus=row.focus,
            qtype=row.qtype,
            question=row.question,
            cuis=row.cuis or [],
            semantic_group=row.semantic_group,
            site=row.source,
            medquad_id=row.id,
        )
        yield SourceDocument(
            doc_id=f"medkg:doc:medquad:{local}",
            cite_stem=f"medquad:{local}",
            id_style="single",
            source=source,
            url=row.url or None,
            title=row.focus or None,
            prefix=medquad_heading(row.focus, row.qtype),  # heads each chunk; the question is NOT indexed
            sections=(Section(label="answer", text=row.answer),),
            doc_props=meta,
            passage_meta=meta,
            line=line,
        )
        if limit is not None and len(emitted) >= limit:
            return


def read_zh_consultations(
    path: Path, sink: Sink, *, source: str = "zhdlg", limit: int | None = None, id_prefix: str = ""
) -> Iterator[SourceDocument]:
    """Chinese online consultations; passage text = title, question and answer on separate lines. Ids are
    ``zhdlg:<id_prefix><line>`` (a user's own file gets ``<file stem>-`` so its lines do not collide)."""
    n = 0
    for line, obj in iter_rows(path, sink):
        row = validate_row(_ZhRow, obj, path, line, sink)
        if row is None:
            continue
        if not (row.title or row.ask):
            sink(RowError(path, line, "title and ask are both empty"))
            continue
        question = "\n".join(t for t in (row.title, row.ask) if t)
        meta = _props(department=row.department)
        yield SourceDocument(
            doc_id=f"medkg:doc:zhdlg:{id_prefix}{line}",
            cite_stem=f"zhdlg:{id_prefix}{line}",
            id_style="single",
            source=source,
            lang="zh",
            title=row.title or None,
            sections=(Section(label="question", text=question), Section(label="answer", text=row.answer)),
            doc_props=meta,
            passage_meta=meta,
            line=line,
        )
        n += 1
        if limit is not None and n >= limit:
            return

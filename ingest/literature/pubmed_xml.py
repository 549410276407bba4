"""Reader of PubMed XML (the ``PubmedArticleSet`` format of E-utilities ``efetch`` and the baseline files).

Per ``PubmedArticle``: ``MedlineCitation/PMID``, ``Article/ArticleTitle``, ``Article/Abstract/AbstractText``
(one section per element, its ``Label`` attribute, else ``NlmCategory``, else ``abstract``),
``MeshHeadingList/MeshHeading/DescriptorName`` and the year of ``JournalIssue/PubDate`` (``Year``, else the
first four digits of ``MedlineDate``). Ids are those of the PubMed JSONL reader (``pmid:<pmid>#<section>``);
the title is kept as the Document's title and passages' ``title``, not as a passage of its own.

Parsed with the standard library's pull parser, fed line by line so a rejected article names its line;
DTDs and external entities are never fetched.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from ingest.literature.documents import Section, SourceDocument
from ingest.literature.rows import Sink
from ingest.readers.base import decode_text
from medkg.errors import DataFileError, RowError

__all__ = ["read_pubmed_xml"]

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _text(el: ET.Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _article(el: ET.Element, path: Path, line: int, source: str) -> SourceDocument:
    pmid = _text(el.find("MedlineCitation/PMID"))
    if not pmid.isdigit():
        raise RowError(path, line, "PubmedArticle without a numeric MedlineCitation/PMID")
    art = el.find("MedlineCitation/Article")
    title = _text(art.find("ArticleTitle")) if art is not None else ""
    sections: list[Section] = []
    for ab in el.iterfind("MedlineCitation/Article/Abstract/AbstractText"):
        text = _text(ab)
        if text:
            label = ab.get("Label") or ab.get("NlmCategory") or "abstract"
            sections.append(Section(label=label, text=text))
    if not sections:
        raise RowError(path, line, f"PMID {pmid}: no AbstractText")
    mesh = [_text(d) for d in el.iterfind("MedlineCitation/MeshHeadingList/MeshHeading/DescriptorName") if _text(d)]
    year = _text(el.find("MedlineCitation/Article/Journal/JournalIssue/PubDate/Year"))
    if not year:
        m = _YEAR.search(_text(el.find("MedlineCitation/Article/Journal/JournalIssue/PubDate/MedlineDate")))
        year = m.group(1) if m else ""
    props: dict[str, str | int | float | list[str]] = {"pmid": pmid}
    if year:
        props["year"] = year
    if mesh:
        props["mesh"] = mesh
    return SourceDocument(
        doc_id=f"pmid:{pmid}",
        cite_stem=f"pmid:{pmid}",
        id_style="section",
        source=source,
        pmid=pmid,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        title=title or None,
        sections=tuple(sections),
        doc_props=props,
        passage_meta={k: v for k, v in props.items() if k in ("year", "mesh")},
        line=line,
    )


def read_pubmed_xml(
    path: Path, sink: Sink, *, source: str = "pubmed", limit: int | None = None
) -> Iterator[SourceDocument]:
    """Articles of a ``PubmedArticleSet`` file; an article without PMID or abstract is rejected with its line."""
    if not path.is_file():
        raise DataFileError(path, "file not found (expected a PubMed XML file at this path)")
    text = decode_text(path)  # encoding and "file is empty" checked before any article is read
    parser: ET.XMLPullParser[Any] = ET.XMLPullParser(events=("start", "end"))
    start_line = 0
    n = 0
    try:
        for lineno, raw in enumerate(io.StringIO(text), start=1):
            parser.feed(raw)
            for item in parser.read_events():
                event, el = cast(tuple[str, Any], item)
                if not isinstance(el, ET.Element) or el.tag != "PubmedArticle":
                    continue
                if event == "start":
                    start_line = lineno
                    continue
                try:
                    doc = _article(el, path, start_line, source)
                except RowError as e:
                    sink(e)
                    continue
                finally:
                    el.clear()
                yield doc
                n += 1
                if limit is not None and n >= limit:
                    return
        parser.close()
    except ET.ParseError as e:
        line, col = e.position
        raise DataFileError(path, f"malformed XML at line {line}, column {col}: {e}") from e


"""What a literature reader yields: one source document with its sections, before chunking.

A reader knows the source's id scheme, so each :class:`SourceDocument` already carries its Document node id
(``doc_id``), the citation-id stem of its passages (``cite_stem``) and how its chunks are named (``id_style``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["IdStyle", "Section", "SourceDocument"]

# How chunk citation ids are formed from ``cite_stem`` (see ingest.literature.chunking):
#   "section": <stem>#<section label slug>[-<k>]   (PubMed: pmid:123#results, pmid:123#results-2)
#   "single":  <stem> when the document is one chunk, else <stem>#1, <stem>#2, ...   (medquad:<id>, zhdlg:<n>)
#   "counter": <stem>#1, <stem>#2, ... over all chunks of the document in order   (bioasq:<pmid>#<n>)
IdStyle = Literal["section", "single", "counter"]


class Section(BaseModel):
    """A labelled piece of a document (an abstract section, a snippet, an answer)."""

    model_config = ConfigDict(frozen=True)

    label: str | None = None
    text: str


class SourceDocument(BaseModel):
    """One document of one literature source, validated, ready to be chunked into passages."""

    model_config = ConfigDict(frozen=True)

    doc_id: str = Field(description="Document node id, e.g. 'pmid:21645374', 'bioasq:34022131', 'medkg:doc:medquad:X'.")
    cite_stem: str = Field(description="Citation id of the passages without '#part', e.g. 'pmid:21645374'.")
    id_style: IdStyle
    source: str
    lang: str = "en"
    title: str | None = None
    url: str | None = None
    pmid: str | None = None
    prefix: str | None = Field(default=None, description="Text heading every chunk (MedQuAD: focus — section).")
    sections: tuple[Section, ...]
    doc_props: dict[str, str | int | float | list[str]] = Field(default_factory=dict)
    passage_meta: dict[str, str | int | float | list[str]] = Field(default_factory=dict)
    line: int = Field(default=0, description="1-based line (first line for grouped sources) in the file, for reports.")

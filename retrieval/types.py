"""Retrieval's data types: passages (the unit that is indexed and cited) and entity mentions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Mention", "PassageRecord"]


class PassageRecord(BaseModel):
    """A chunk of a document, the unit that is embedded, indexed and cited.

    ``citation_id`` is stable across re-ingests: ``pmid:21645374#results``, ``medquad:<id>``,
    ``bioasq:<pmid>#<n>``, ``zhdlg:<n>``. It is also the ``Passage`` node id in the graph (prefix ``medkg:``
    is *not* added: the scheme is the prefix).
    """

    model_config = ConfigDict(frozen=True)

    citation_id: str
    doc_id: str = Field(description="Id of the Document node, e.g. 'pmid:21645374', 'medkg:doc:medquad:0000001_1-1'.")
    text: str
    source: str = Field(description="pubmed | bioasq | medquad | zhdlg | user source name")
    lang: str = "en"
    section: str | None = None
    url: str | None = None
    pmid: str | None = None
    title: str | None = None
    meta: dict[str, str | int | float | list[str]] = Field(default_factory=dict)


class Mention(BaseModel):
    """A KG concept found in a text: character span, the matched surface form, and ConText flags."""

    model_config = ConfigDict(frozen=True)

    node_id: str
    label: str
    start: int
    end: int
    surface: str
    negated: bool = False
    score: float = 1.0

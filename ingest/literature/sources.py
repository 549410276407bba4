"""The literature sources a run reads by default (one :class:`~ingest.literature.LiteratureReader` each), and how to
name user files.

Default layout under the data directory (``../shared/data`` or ``--data DIR``):

====================  =====================================  ==========
source (graph name)   file                                   format
====================  =====================================  ==========
pubmed                literature/pubmed_abstracts.jsonl      pubmed_jsonl
bioasq                literature/bioasq_snippets.jsonl       bioasq
medquad               literature/medquad.jsonl               medquad
zhdlg                 dialogue/zh_consultations.jsonl        zh_consultations
pubmed-xml:<stem>     literature/*.xml (user's own files)    pubmed_xml
<format>:<stem>       literature/*.jsonl|*.csv (user's own)  sniffed
====================  =====================================  ==========

A user's own file in ``literature/`` is its own source (``pubmed-xml:<stem>``, ``bioasq:<stem>`` ...), so
re-ingesting one file never removes another's passages. The format of a ``.jsonl``/``.csv`` file is recognised
from the column names of its first row (``sections`` → PubMed; ``document`` + ``text`` → BioASQ;
``question`` + ``answer`` + ``id`` → MedQuAD; ``department`` + ``answer`` → consultations). Citation ids follow
the format's scheme, so a PMID or MedQuAD id that also occurs in a bundled file names the same passage;
consultation ids get the file stem (``zhdlg:<stem>-<line>``). Files can also be passed explicitly as
:class:`LiteratureSource`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ingest.literature.documents import SourceDocument
from ingest.literature.pubmed_xml import read_pubmed_xml
from ingest.literature.readers import read_bioasq, read_medquad, read_pubmed_jsonl, read_zh_consultations
from ingest.literature.rows import RejectSink, Sink, iter_rows

__all__ = ["READERS", "LiteratureSource", "SourceFormat", "default_sources", "has_literature", "read_source"]

SourceFormat = Literal["pubmed_jsonl", "pubmed_xml", "bioasq", "medquad", "zh_consultations"]
Reader = Callable[..., Iterator[SourceDocument]]

READERS: dict[str, Reader] = {
    "pubmed_jsonl": read_pubmed_jsonl,
    "pubmed_xml": read_pubmed_xml,
    "bioasq": read_bioasq,
    "medquad": read_medquad,
    "zh_consultations": read_zh_consultations,
}


class LiteratureSource(BaseModel):
    """One file to ingest: the graph source name it is written under, its path and its format."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][\w.:-]*$")
    path: Path
    format: SourceFormat
    id_prefix: str = Field(default="", pattern=r"^[\w.-]*$", description="consultations only: zhdlg:<prefix><line>")


def default_sources(data_dir: Path) -> list[LiteratureSource]:
    """The four bundled sources plus the user's own files in ``<data_dir>/literature/`` (see the module doc)."""
    out = [
        LiteratureSource(name="pubmed", path=data_dir / "literature" / "pubmed_abstracts.jsonl", format="pubmed_jsonl"),
        LiteratureSource(name="bioasq", path=data_dir / "literature" / "bioasq_snippets.jsonl", format="bioasq"),
        LiteratureSource(name="medquad", path=data_dir / "literature" / "medquad.jsonl", format="medquad"),
        LiteratureSource(
            name="zhdlg", path=data_dir / "dialogue" / "zh_consultations.jsonl", format="zh_consultations"
        ),
    ]
    defaults = {s.path.name for s in out}
    lit = data_dir / "literature"
    if lit.is_dir():
        for p in sorted(lit.iterdir()):
            if p.name in defaults or not p.is_file():
                continue
            fmt = "pubmed_xml" if p.suffix.lower() == ".xml" else _sniff(p)
            if fmt is None:
                continue
            prefix = {"pubmed_xml": "pubmed-xml", "pubmed_jsonl": "pubmed", "zh_consultations": "zhdlg"}.get(fmt, fmt)
            stem = re.sub(r"[^\w.-]", "_", p.stem)
            out.append(
                LiteratureSource(
                    name=f"{prefix}:{stem}",
                    path=p,
                    format=fmt,
                    id_prefix=f"{stem}-" if fmt == "zh_consultations" else "",
                )
            )
    return out


def _sniff(path: Path) -> SourceFormat | None:
    """The format of a user's ``.jsonl``/``.csv`` file from the keys of its first row (None: not literature)."""
    if path.suffix.lower() not in (".jsonl", ".csv"):
        return None
    keys: set[str] = set()
    for _, row in iter_rows(path, RejectSink()):
        keys = set(row)
        break
    if "sections" in keys:
        return "pubmed_jsonl"
    if {"document", "text"} <= keys:
        return "bioasq"
    if {"id", "question", "answer"} <= keys:
        return "medquad"
    if {"department", "answer"} <= keys:
        return "zh_consultations"
    return None


def has_literature(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds any default literature file (the bundled sample has none), so ``ingest all``
    can skip the literature part instead of failing."""
    return any(s.path.is_file() for s in default_sources(data_dir))


def read_source(src: LiteratureSource, sink: Sink, *, limit: int | None = None) -> Iterator[SourceDocument]:
    """Documents of one source (raises ``DataFileError`` if its file is missing)."""
    if src.format == "zh_consultations":
        return read_zh_consultations(src.path, sink, source=src.name, limit=limit, id_prefix=src.id_prefix)
    return READERS[src.format](src.path, sink, source=src.name, limit=limit)

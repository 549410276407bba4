"""The literature sources ``ingest_literature`` reads by default, and how to name user files.

Default layout under the data directory (``../shared/data`` or ``--data DIR``):

====================  =====================================  ==========
source (graph name)   file                                   format
====================  =====================================  ==========
pubmed                literature/pubmed_abstracts.jsonl      pubmed_jsonl
bioasq                literature/bioasq_snippets.jsonl       bioasq
medquad               literature/medquad.jsonl               medquad
zhdlg                 dialogue/zh_consultations.jsonl        zh_consultations
pubmed-xml:<stem>     literature/*.xml (user's own files)    pubmed_xml
====================  =====================================  ==========

Each PubMed XML file is its own source (``pubmed-xml:<file stem>``) so re-ingesting one file never removes
another's passages. Other files of a known format can be passed explicitly as :class:`LiteratureSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ingest.literature.documents import SourceDocument
from ingest.literature.pubmed_xml import read_pubmed_xml
from ingest.literature.readers import read_bioasq, read_medquad, read_pubmed_jsonl, read_zh_consultations
from ingest.literature.rows import RejectSink

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


def default_sources(data_dir: Path) -> list[LiteratureSource]:
    """The four bundled sources plus every ``literature/*.xml`` PubMed file under ``data_dir``."""
    out = [
        LiteratureSource(name="pubmed", path=data_dir / "literature" / "pubmed_abstracts.jsonl", format="pubmed_jsonl"),
        LiteratureSource(name="bioasq", path=data_dir / "literature" / "bioasq_snippets.jsonl", format="bioasq"),
        LiteratureSource(name="medquad", path=data_dir / "literature" / "medquad.jsonl", format="medquad"),
        LiteratureSource(
            name="zhdlg", path=data_dir / "dialogue" / "zh_consultations.jsonl", format="zh_consultations"
        ),
    ]
    lit = data_dir / "literature"
    if lit.is_dir():
        out.extend(
            LiteratureSource(name=f"pubmed-xml:{p.stem}", path=p, format="pubmed_xml")
            for p in sorted(lit.glob("*.xml"))
        )
    return out


def has_literature(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds any default literature file (the bundled sample has none), so ``ingest all``
    can skip the literature part instead of failing."""
    return any(s.path.is_file() for s in default_sources(data_dir))


def read_source(src: LiteratureSource, sink: RejectSink, *, limit: int | None = None) -> Iterator[SourceDocument]:
    """Documents of one source (raises ``DataFileError`` if its file is missing)."""
    return READERS[src.format](src.path, sink, source=src.name, limit=limit)

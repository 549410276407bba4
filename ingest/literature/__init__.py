"""Literature as ingest sources: readers (PubMed JSONL/XML, BioASQ, MedQuAD, Chinese consultations) turned into one
pipeline :class:`LiteratureReader` per file (chunking into cited passages, entity linking as MENTIONS), the index
step after the graph write (:class:`LiteratureIndex`), and the linking evaluation against MeSH."""

from ingest.literature.chunking import ChunkConfig, chunk_document, chunk_text, split_sentences
from ingest.literature.documents import Section, SourceDocument
from ingest.literature.graph import passage_from_node
from ingest.literature.indexer import PassageIndexerLike
from ingest.literature.indexing import (
    LiteratureIndex,
    LiteratureSetup,
    linker_factory,
    literature_readers,
    reconcile_index,
)
from ingest.literature.linking_eval import LinkingScores, evaluate_linking
from ingest.literature.pubmed_xml import read_pubmed_xml
from ingest.literature.reader import LiteratureReader
from ingest.literature.readers import (
    medquad_heading,
    read_bioasq,
    read_medquad,
    read_pubmed_jsonl,
    read_zh_consultations,
)
from ingest.literature.sources import LiteratureSource, default_sources, has_literature, read_source
from ingest.report import RejectSink

__all__ = [
    "ChunkConfig",
    "LinkingScores",
    "LiteratureIndex",
    "LiteratureReader",
    "LiteratureSetup",
    "LiteratureSource",
    "PassageIndexerLike",
    "RejectSink",
    "Section",
    "SourceDocument",
    "chunk_document",
    "chunk_text",
    "default_sources",
    "evaluate_linking",
    "has_literature",
    "linker_factory",
    "literature_readers",
    "medquad_heading",
    "passage_from_node",
    "read_bioasq",
    "read_medquad",
    "read_pubmed_jsonl",
    "read_pubmed_xml",
    "read_source",
    "read_zh_consultations",
    "reconcile_index",
    "split_sentences",
]

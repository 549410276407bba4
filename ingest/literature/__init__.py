"""Literature ingestion: readers (PubMed JSONL/XML, BioASQ, MedQuAD, Chinese consultations), chunking into cited
passages, graph writing with entity linking (MENTIONS), indexing, and the linking evaluation against MeSH."""

from ingest.literature.chunking import ChunkConfig, chunk_document, chunk_text, split_sentences
from ingest.literature.documents import Section, SourceDocument
from ingest.literature.graph import passage_from_node
from ingest.literature.indexer import PassageIndexerLike
from ingest.literature.linking_eval import LinkingScores, evaluate_linking
from ingest.literature.pipeline import ingest_literature, reconcile_index
from ingest.literature.pubmed_xml import read_pubmed_xml
from ingest.literature.readers import (
    medquad_heading,
    read_bioasq,
    read_medquad,
    read_pubmed_jsonl,
    read_zh_consultations,
)
from ingest.literature.rows import RejectSink
from ingest.literature.sources import LiteratureSource, default_sources, has_literature, read_source

__all__ = [
    "ChunkConfig",
    "LinkingScores",
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
    "ingest_literature",
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

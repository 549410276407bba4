"""medkg retrieval layer: passage indexes (FAISS + BM25), entity linking, graph walk, fusion (weighted z-scores for
English, weighted RRF for Chinese), evidence bundles.

Heavy libraries (torch, sentence-transformers, faiss, bm25s, jieba, langchain-core) load on first use, never
when this package is imported. ``MedkgRetriever`` (LangChain) and ``DictionaryLinker`` are resolved lazily.
"""

from __future__ import annotations

import importlib
from typing import Any

from retrieval.bundle import EvidenceBundle, EvidenceNode, EvidencePassage, EvidenceRelationship, EvidenceSubgraph
from retrieval.embedder import Embedder, EmbedderConfig, load_embedder
from retrieval.evaluation import (
    EvalQuery,
    QueryRuns,
    cross_validate_fusion,
    fuse_runs,
    label_precision,
    percentiles,
    recall_metrics,
    run_queries,
    score_setting,
    select_fusion,
    silver_relevance,
    split_halves,
)
from retrieval.faiss_index import REBUILD_COMMAND, FaissIndex
from retrieval.fusion import FusedHit, FusionSetting, fuse, rrf, zscore_fusion
from retrieval.graph_walk import GraphConfig, GraphRetriever, Linker
from retrieval.indexing import IndexUpdate, PassageIndexer
from retrieval.models import cpu_has_bf16
from retrieval.negation import NegationDetector
from retrieval.retriever import HybridRetriever, RetrieverConfig
from retrieval.text import detect_lang
from retrieval.types import Mention, PassageRecord

__all__ = [
    "REBUILD_COMMAND",
    "DictionaryLinker",
    "Embedder",
    "EmbedderConfig",
    "EvalQuery",
    "EvidenceBundle",
    "EvidenceNode",
    "EvidencePassage",
    "EvidenceRelationship",
    "EvidenceSubgraph",
    "FaissIndex",
    "FusedHit",
    "FusionSetting",
    "GraphConfig",
    "GraphRetriever",
    "HybridRetriever",
    "IndexUpdate",
    "Linker",
    "LinkerEntry",
    "MedkgRetriever",
    "Mention",
    "NegationDetector",
    "PassageIndexer",
    "PassageRecord",
    "QueryRuns",
    "RetrieverConfig",
    "cpu_has_bf16",
    "cross_validate_fusion",
    "detect_lang",
    "fuse",
    "fuse_runs",
    "label_precision",
    "linker_cache_path",
    "load_embedder",
    "percentiles",
    "recall_metrics",
    "rrf",
    "run_queries",
    "score_setting",
    "select_fusion",
    "silver_relevance",
    "split_halves",
    "zscore_fusion",
]

_LAZY = {
    "MedkgRetriever": "retrieval.langchain",
    "DictionaryLinker": "retrieval.linker",
    "LinkerEntry": "retrieval.linker",
    "linker_cache_path": "retrieval.linker",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'retrieval' has no attribute {name!r}")

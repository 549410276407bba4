"""The medical knowledge graph: schema, the ``GraphStore`` protocol and the ``BaseGraphStore`` that checks its
arguments, and its embedded and Neo4j implementations."""

from kg.base import BaseGraphStore
from kg.factory import open_store
from kg.normalize import normalize_name, strip_semantic_tag
from kg.schema import ID_PREFIXES, LABELS, REL_TYPES, RelSpec, rel_spec
from kg.store import DeleteReport, GraphStore, WriteReport, store_waits_on_server

__all__ = [
    "ID_PREFIXES",
    "LABELS",
    "REL_TYPES",
    "BaseGraphStore",
    "DeleteReport",
    "GraphStore",
    "RelSpec",
    "WriteReport",
    "normalize_name",
    "open_store",
    "rel_spec",
    "store_waits_on_server",
    "strip_semantic_tag",
]

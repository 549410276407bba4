"""SQL of the embedded store, as named constants with ``?``/``:name`` parameters only.

Id lists travel as one JSON array parameter read with ``json_each`` so no statement text depends on input.
"""

from __future__ import annotations

__all__ = [
    "ALL_NODE_DOCS",
    "ALL_REL_EDGES",
    "COUNT_NODES_BY_LABEL",
    "COUNT_RELS",
    "COUNT_RELS_BY_TYPE",
    "DDL",
    "DELETE_NAMES_OF",
    "DELETE_NODES",
    "DELETE_NODE_SOURCE",
    "DELETE_RELS_OF_NODES",
    "DELETE_RELS_OF_SOURCE",
    "DROP_OLD_NAMES",
    "EXISTING_IDS",
    "EXISTING_REL_KEYS",
    "FIND_ANY",
    "FIND_ANY_FTS",
    "FIND_EXACT",
    "FIND_PREFIX",
    "FTS_ADD_NAMES_OF",
    "FTS_DDL",
    "FTS_DROP_NAMES_OF",
    "FTS_REBUILD",
    "HAS_FTS",
    "INSERT_NAME",
    "INSERT_NODE_SOURCE",
    "NODES_BY_IDS",
    "NODE_IDS",
    "NODE_IDS_OF_SOURCE",
    "RELS_BY_ROWIDS",
    "RELS_IN",
    "RELS_OUT",
    "RELS_TOUCHING_IN",
    "RELS_TOUCHING_OUT",
    "SCHEMA_VERSION",
    "SNAPSHOT_PROBE",
    "UPDATE_NODE_DOC",
    "UPSERT_NODE",
    "UPSERT_REL",
]

SCHEMA_VERSION = 3

_IDS = "(SELECT value FROM json_each(:ids))"

DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY NOT NULL, label TEXT NOT NULL, name TEXT NOT NULL, "
    "doc TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label, id)",
    # Lookup keys (normalised name and synonyms); ``rid`` feeds the trigram index below.
    "CREATE TABLE IF NOT EXISTS node_names (rid INTEGER PRIMARY KEY, key TEXT NOT NULL, node_id TEXT NOT NULL, "
    "UNIQUE (key, node_id))",
    "CREATE INDEX IF NOT EXISTS node_names_node ON node_names(node_id)",
    "CREATE TABLE IF NOT EXISTS node_sources (source TEXT NOT NULL, node_id TEXT NOT NULL, "
    "PRIMARY KEY (source, node_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS node_sources_node ON node_sources(node_id)",
    "CREATE TABLE IF NOT EXISTS rels (type TEXT NOT NULL, start_id TEXT NOT NULL, end_id TEXT NOT NULL, "
    "source TEXT NOT NULL, weight REAL, doc TEXT NOT NULL, PRIMARY KEY (type, start_id, end_id, source))",
    "CREATE INDEX IF NOT EXISTS rels_out ON rels(start_id, type, weight, end_id, source)",
    "CREATE INDEX IF NOT EXISTS rels_in ON rels(end_id, type, weight, start_id, source)",
    "CREATE INDEX IF NOT EXISTS rels_source ON rels(source)",
)

# Substring search: an FTS5 trigram index over node_names (external content). The store keeps it in step with
# set-based statements in the same transaction (per-row triggers made node upserts 2.6x slower).
# Optional: a SQLite without FTS5/trigram (< 3.34) falls back to scanning node_names.
FTS_DDL: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS node_names_fts USING fts5(key, content='node_names', content_rowid='rid', "
    "tokenize='trigram')",
)
FTS_REBUILD = "INSERT INTO node_names_fts (node_names_fts) VALUES ('rebuild')"
FTS_ADD_NAMES_OF = (
    "INSERT INTO node_names_fts (rowid, key) SELECT rid, key FROM node_names "
    "WHERE node_id IN (SELECT value FROM json_each(:ids))"
)
FTS_DROP_NAMES_OF = (
    "INSERT INTO node_names_fts (node_names_fts, rowid, key) SELECT 'delete', rid, key FROM node_names "
    "WHERE node_id IN (SELECT value FROM json_each(:ids))"
)
HAS_FTS = "SELECT count(*) FROM sqlite_master WHERE name = 'node_names_fts'"
DROP_OLD_NAMES = "DROP TABLE IF EXISTS node_names"
ALL_NODE_DOCS = "SELECT doc FROM nodes"

NODES_BY_IDS = "SELECT n.doc FROM json_each(:ids) AS j JOIN nodes AS n ON n.id = j.value"
EXISTING_IDS = "SELECT n.id FROM json_each(:ids) AS j JOIN nodes AS n ON n.id = j.value"
UPSERT_NODE = (
    "INSERT INTO nodes (id, label, name, doc) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET label = excluded.label, name = excluded.name, doc = excluded.doc"
)
DELETE_NAMES_OF = f"DELETE FROM node_names WHERE node_id IN {_IDS}"  # noqa: S608 - constant text
INSERT_NAME = "INSERT OR IGNORE INTO node_names (key, node_id) VALUES (?, ?)"
INSERT_NODE_SOURCE = "INSERT OR IGNORE INTO node_sources (source, node_id) VALUES (?, ?)"

EXISTING_REL_KEYS = (
    "SELECT r.type, r.start_id, r.end_id, r.source FROM json_each(:keys) AS j JOIN rels AS r "
    "ON r.type = json_extract(j.value, '$[0]') AND r.start_id = json_extract(j.value, '$[1]') "
    "AND r.end_id = json_extract(j.value, '$[2]') AND r.source = json_extract(j.value, '$[3]')"
)
UPSERT_REL = (
    "INSERT INTO rels (type, start_id, end_id, source, weight, doc) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (type, start_id, end_id, source) DO UPDATE SET weight = excluded.weight, doc = excluded.doc"
)

# Lookup keys: exact, prefix (index range [q, q + U+10FFFF)), and substring (scan).
_FIND = (
    "SELECT n.doc, MIN({rank}) AS rank "
    "FROM node_names AS k JOIN nodes AS n ON n.id = k.node_id "
    "WHERE {where} AND (:labels IS NULL OR n.label IN (SELECT value FROM json_each(:labels))) "
    "GROUP BY n.id ORDER BY rank, n.name, n.id LIMIT :limit"
)
FIND_EXACT = _FIND.format(rank="0", where="k.key = :q")
FIND_PREFIX = _FIND.format(
    rank="CASE WHEN k.key = :q THEN 0 ELSE 1 END", where="k.key >= :q AND k.key < :q || char(1114111)"
)
_ANY_RANK = "CASE WHEN k.key = :q THEN 0 WHEN substr(k.key, 1, length(:q)) = :q THEN 1 ELSE 2 END"
FIND_ANY = _FIND.format(rank=_ANY_RANK, where="instr(k.key, :q) > 0")
FIND_ANY_FTS = _FIND.format(
    rank=_ANY_RANK,
    where="k.rid IN (SELECT rowid FROM node_names_fts WHERE node_names_fts MATCH :phrase) AND instr(k.key, :q) > 0",
)

_REL_FILTER = (
    "AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types))) "
    "AND (:min_weight IS NULL OR weight IS NULL OR weight >= :min_weight)"
)
RELS_TOUCHING_OUT = (
    f"SELECT rowid, type, start_id, end_id, source, weight FROM rels WHERE start_id IN {_IDS} {_REL_FILTER}"  # noqa: S608
)
RELS_TOUCHING_IN = (
    f"SELECT rowid, type, start_id, end_id, source, weight FROM rels WHERE end_id IN {_IDS} {_REL_FILTER}"  # noqa: S608
)
# The walk cache (kg.embedded.cache): every relationship's key and weight, read once per committed state.
ALL_REL_EDGES = "SELECT rowid, type, start_id, end_id, source, weight FROM rels"
COUNT_RELS = "SELECT count(*) FROM rels"
SNAPSHOT_PROBE = "SELECT 1 FROM nodes LIMIT 1"
RELS_BY_ROWIDS = "SELECT r.rowid, r.doc FROM json_each(:ids) AS j JOIN rels AS r ON r.rowid = j.value"
RELS_OUT = (
    "SELECT type, start_id, end_id, source, doc FROM rels WHERE start_id = :id "
    "AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types)))"
)
RELS_IN = (
    "SELECT type, start_id, end_id, source, doc FROM rels WHERE end_id = :id "
    "AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types)))"
)

COUNT_NODES_BY_LABEL = "SELECT label, count(*) FROM nodes GROUP BY label"
COUNT_RELS_BY_TYPE = "SELECT type, count(*) FROM rels GROUP BY type"
NODE_IDS = (
    "SELECT id FROM nodes WHERE (:label IS NULL OR label = :label) "
    "AND (:source IS NULL OR id IN (SELECT node_id FROM node_sources WHERE source = :source)) ORDER BY id"
)

NODE_IDS_OF_SOURCE = "SELECT node_id FROM node_sources WHERE source = ?"
DELETE_RELS_OF_SOURCE = "DELETE FROM rels WHERE source = ?"
DELETE_RELS_OF_NODES = (
    f"DELETE FROM rels WHERE start_id IN {_IDS} OR end_id IN {_IDS}"  # noqa: S608 - constant text
)
DELETE_NODES = f"DELETE FROM nodes WHERE id IN {_IDS}"  # noqa: S608 - constant text
DELETE_NODE_SOURCE = "DELETE FROM node_sources WHERE source = ?"
UPDATE_NODE_DOC = "UPDATE nodes SET doc = ? WHERE id = ?"

"""Cypher of the Neo4j store, as named constants with ``$parameters`` only.

Labels and relationship types cannot be parameters, so the per-label and per-type statements are generated
once at import from the closed vocabulary in :mod:`kg.schema` (never from input) and looked up by name.

Every node carries its kind label plus the common label ``Entity``, set together at creation; the unique
constraint on ``Entity.id`` lets relationship endpoints and lookups use one index whatever the kind. (On
ArcadeDB a multi-label node is a synthetic type such as ``Disease~Entity``: adding a label later fails, so
labels are only ever written by the CREATE of the node, and a relabel deletes and recreates it.)
"""

from __future__ import annotations

from kg.schema import LABELS, REL_TYPES

__all__ = [
    "CONSTRAINT_ENTITY_ID",
    "COUNT_NODES_BY_LABEL",
    "COUNT_RELS_BY_TYPE",
    "CREATE_NODES",
    "DELETE_RELS_OF_SOURCE",
    "DETACH_DELETE_NODES",
    "EDGES_AMONG",
    "EDGES_TOUCHING",
    "EDGE_KEYS_TOUCHING",
    "ELEMENT_IDS",
    "ELEMENT_IDS_OF_LABEL",
    "ENTITY",
    "EXISTING_IDS",
    "FIND_NODES",
    "INDEX_ENTITY_LABEL",
    "INDEX_ENTITY_SEARCH",
    "INDEX_REL_SOURCE",
    "NODES_BY_IDS",
    "NODES_OF_LABEL_BY_IDS",
    "NODES_OF_SOURCE",
    "NODE_IDS",
    "NODE_IDS_OF_LABEL",
    "RELS_IN",
    "RELS_OF_NODES",
    "RELS_OUT",
    "SCHEMA",
    "SCHEMA_STATEMENTS",
    "SET_SOURCES",
    "SHOW_CONSTRAINT_NAMES",
    "SHOW_INDEX_NAMES",
    "UPDATE_NODES",
    "UPSERT_RELS",
    "WRITE_STATEMENTS",
]

ENTITY = "Entity"

# -- schema (created before any load; every statement idempotent) ------------------------------------
CONSTRAINT_ENTITY_ID = "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"
INDEX_ENTITY_LABEL = "CREATE INDEX entity_label IF NOT EXISTS FOR (n:Entity) ON (n.label)"
# A TEXT index serves CONTAINS on Neo4j 5 (ArcadeDB accepts it as a plain index).
INDEX_ENTITY_SEARCH = "CREATE TEXT INDEX entity_search IF NOT EXISTS FOR (n:Entity) ON (n.search_text)"
INDEX_REL_SOURCE: dict[str, str] = {
    t: f"CREATE INDEX rel_{t.lower()}_source IF NOT EXISTS FOR ()-[r:{t}]-() ON (r.source)" for t in REL_TYPES
}
SCHEMA: dict[str, str] = {
    "entity_id": CONSTRAINT_ENTITY_ID,
    "entity_label": INDEX_ENTITY_LABEL,
    "entity_search": INDEX_ENTITY_SEARCH,
    **{f"rel_{t.lower()}_source": INDEX_REL_SOURCE[t] for t in REL_TYPES},
}
"""Schema statements by the name of the constraint/index they create (``ensure_schema`` sends the missing ones)."""
SCHEMA_STATEMENTS: tuple[str, ...] = tuple(SCHEMA.values())
SHOW_INDEX_NAMES = "SHOW INDEXES YIELD name RETURN name"
SHOW_CONSTRAINT_NAMES = "SHOW CONSTRAINTS YIELD name RETURN name"

# -- writes ----------------------------------------------------------------------------------------
# The store reads which ids/keys exist first (same transaction), then CREATEs the new and SETs the existing:
# MERGE on a multi-label pattern scans the synthetic type on ArcadeDB (quadratic), CREATE + MATCH by the
# Entity.id index does not; the unique constraint still refuses duplicates. Rows are the property maps themselves
# (they hold ``id``): no wrapper map to encode and unpack per row.
CREATE_NODES: dict[str, str] = {
    label: f"UNWIND $rows AS props CREATE (n:{label}:Entity) SET n = props" for label in LABELS
}
UPDATE_NODES = "UNWIND $rows AS props MATCH (n:Entity {id: props.id}) SET n = props"
# Relationship upserts first resolve each distinct end id to its element id (ELEMENT_IDS, one index lookup per
# node rather than two per relationship: on ArcadeDB an Entity.id lookup probes every label's synthetic type, ~35 us,
# while an element-id match is a direct record load), then run one statement per type and batch: the relationship
# with the same (type, start, end, source) is looked up from both ends, CREATEd where there is none and SET where
# there is (SET on the null of an OPTIONAL MATCH does nothing). It returns the rows that found both ends and how many
# of them existed. Not MERGE: ArcadeDB's relationship MERGE took 4-8x longer on dense nodes.
ELEMENT_IDS = "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN collect([id, elementId(n)]) AS pairs"
# ArcadeDB only, as NODES_OF_LABEL_BY_IDS: ends whose label the relationship type fixes are resolved under it; the
# ids it misses are then looked up with ELEMENT_IDS.
ELEMENT_IDS_OF_LABEL: dict[str, str] = {
    label: f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN collect([id, elementId(n)]) AS pairs"
    for label in LABELS
}
UPSERT_RELS: dict[str, str] = {
    t: (
        "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.a MATCH (b) WHERE elementId(b) = row.b "
        f"OPTIONAL MATCH (a)-[old:{t}]->(b) WHERE old.source = row.source "
        f"FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END | CREATE (a)-[r:{t}]->(b) SET r = row.props) "
        "SET old = row.props RETURN count(*) AS n, count(old) AS existed"
    )
    for t in REL_TYPES
}
DELETE_RELS_OF_SOURCE: dict[str, str] = {
    t: f"MATCH ()-[r:{t}]->() WHERE r.source = $source DELETE r RETURN count(*) AS n" for t in REL_TYPES
}
SET_SOURCES = "UNWIND $rows AS row MATCH (n:Entity {id: row.id}) SET n.sources = row.sources"
DETACH_DELETE_NODES = "UNWIND $ids AS id MATCH (n:Entity {id: id}) DETACH DELETE n"

# -- reads -----------------------------------------------------------------------------------------
# Lookups return ONE record holding a list: ArcadeDB writes every record to the socket on its own, so 5,000 rows
# cost about twice one 5,000-element list.
NODES_BY_IDS = "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN collect(properties(n)) AS ps"
# ArcadeDB only: an Entity.id lookup probes the index of every label's type (~20 us for an absent id), one label's
# ~4 us. Upserts look a batch up by each node's own label first; an id stored under another label is then missed,
# CREATE trips the Entity.id constraint and the store redoes the batch with NODES_BY_IDS. On Neo4j only Entity.id is
# indexed, so this form would scan the label there.
NODES_OF_LABEL_BY_IDS: dict[str, str] = {
    label: f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN collect(properties(n)) AS ps" for label in LABELS
}
EXISTING_IDS = "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN collect(n.id) AS ids"
_REL_RETURN = "RETURN type(r) AS type, startNode(r).id AS start, endNode(r).id AS end, properties(r) AS p"
RELS_OUT = f"MATCH (a:Entity {{id: $id}})-[r]->(b) WHERE $types IS NULL OR type(r) IN $types {_REL_RETURN}"
RELS_IN = f"MATCH (a:Entity {{id: $id}})<-[r]-(b) WHERE $types IS NULL OR type(r) IN $types {_REL_RETURN}"
RELS_OF_NODES = f"UNWIND $ids AS id MATCH (a:Entity {{id: id}})-[r]-(b) {_REL_RETURN}"
EDGES_TOUCHING = (
    "UNWIND $ids AS id MATCH (a:Entity {id: id})-[r]-(b) "
    "WHERE ($types IS NULL OR type(r) IN $types) "
    "AND ($min_weight IS NULL OR r.weight IS NULL OR r.weight >= $min_weight) "
    f"{_REL_RETURN}"
)
_EDGE_FILTER = (
    "($types IS NULL OR type(r) IN $types) AND ($min_weight IS NULL OR r.weight IS NULL OR r.weight >= $min_weight)"
)
# The neighbourhood walk ranks levels on keys and weights only, then reads the full relationships among the
# kept nodes once (each relationship once: from its start node). Both return one row per id with a list: on
# ArcadeDB a record costs far more than a list element (4,860 relationships: ~0.85 s as rows, ~0.25 s as lists).
EDGE_KEYS_TOUCHING = (
    f"UNWIND $ids AS id MATCH (a:Entity {{id: id}})-[r]-(b) WHERE {_EDGE_FILTER} "
    "RETURN id, collect([type(r), startNode(r).id, endNode(r).id, r.source, r.weight]) AS edges"
)
EDGES_AMONG = (
    f"UNWIND $ids AS id MATCH (a:Entity {{id: id}})-[r]->(b:Entity) WHERE b.id IN $ids AND {_EDGE_FILTER} "
    "RETURN id AS start, collect([type(r), b.id, properties(r)]) AS edges"
)
FIND_NODES = (
    "MATCH (n:Entity) WHERE n.search_text CONTAINS $q AND ($labels IS NULL OR n.label IN $labels) "
    "WITH n, CASE WHEN $q IN n.name_keys THEN 0 WHEN any(k IN n.name_keys WHERE k STARTS WITH $q) THEN 1 "
    "ELSE 2 END AS rank WHERE rank <= $max_rank "
    "RETURN properties(n) AS p, rank ORDER BY rank, n.name, n.id LIMIT $limit"
)
COUNT_NODES_BY_LABEL = "MATCH (n:Entity) RETURN n.label AS label, count(*) AS n"
COUNT_RELS_BY_TYPE = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n"
NODE_IDS = "MATCH (n:Entity) WHERE $source IS NULL OR $source IN n.sources RETURN collect(n.id) AS ids"
# Per label: scans only that label's nodes (readers ask for every Disease id, say, to link by name).
NODE_IDS_OF_LABEL: dict[str, str] = {
    label: f"MATCH (n:{label}:Entity) WHERE $source IS NULL OR $source IN n.sources RETURN collect(n.id) AS ids"
    for label in LABELS
}
NODES_OF_SOURCE = "MATCH (n:Entity) WHERE $source IN n.sources RETURN collect([n.id, n.sources]) AS rows"

WRITE_STATEMENTS: tuple[str, ...] = (
    *CREATE_NODES.values(), UPDATE_NODES, *UPSERT_RELS.values(),
    *DELETE_RELS_OF_SOURCE.values(), SET_SOURCES, DETACH_DELETE_NODES, *SCHEMA_STATEMENTS,
)
"""Statements that write: the store sends these only through ``execute_write`` (a unit test checks it)."""

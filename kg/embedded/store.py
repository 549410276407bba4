"""``EmbeddedGraphStore``: the in-process, durable default :class:`~kg.store.GraphStore` on SQLite.

One SQLite file in WAL mode (``synchronous=FULL``); every public write is one ``BEGIN IMMEDIATE``
transaction, so a crash or a failed call leaves the last committed state. Tables: ``nodes`` (JSON columns
for synonyms/sources/props), ``node_names`` (normalised name/synonym → id, for exact/prefix/substring
lookup), ``node_sources`` (source → id) and ``rels`` keyed by ``(type, start, end, source)``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kg.algo import EdgeFetcher, merge_nodes, name_keys, select_neighbourhood, shortest_paths
from kg.base import BaseGraphStore
from kg.embedded import sql
from kg.embedded.cache import GraphCache, materialise, sql_fetcher, walk_nodes
from kg.store import DeleteReport, WriteReport
from medkg.errors import MissingEndpointError, StoreError, StoreUnavailableError
from medkg.types import GraphCounts, Node, Relationship, Subgraph
from medkg.types import Path as GraphPath

__all__ = ["EmbeddedGraphStore"]

log = logging.getLogger(__name__)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _node(row: Sequence[Any]) -> Node:
    """A stored row whose first column is the node's JSON document."""
    return Node.model_validate_json(row[0])


def _rel(doc: str) -> Relationship:
    """A relationship's stored JSON document."""
    return Relationship.model_validate_json(doc)


class EmbeddedGraphStore(BaseGraphStore):
    """A :class:`~kg.store.GraphStore` in one SQLite file at ``path`` (created with its folder if absent).

    Arguments are checked by :class:`~kg.base.BaseGraphStore`; this class implements its hooks.
    Safe to share between threads (calls are serialised); several processes may read while one writes.
    Raises :class:`StoreUnavailableError` naming ``path`` if the file cannot be opened or is not a store.
    Walks (``neighbourhood``, ``paths``) use an in-memory adjacency (:class:`~kg.embedded.cache.GraphCache`)
    while the store holds at most ``max_cached_relationships`` relationships; it is rebuilt after any write.
    """

    def __init__(self, path: Path, *, max_cached_relationships: int = 2_000_000) -> None:
        self.path = Path(path)
        self.max_cached_relationships = max_cached_relationships
        self._writes = 0  # bumped by every write: a cached adjacency from an older count is stale
        self._cache: GraphCache | None = None
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        except (OSError, sqlite3.Error) as e:
            raise StoreUnavailableError(f"cannot open the graph store at {self.path}: {e}") from e
        try:
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("graph store %s: journal mode is %s, not wal", self.path, mode)
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA cache_size=-65536")
            self._conn.execute("PRAGMA temp_store=MEMORY")
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            self._conn.close()
            raise StoreUnavailableError(f"cannot open the graph store at {self.path}: {e}") from e
        if 0 < version < 2:
            self._conn.close()
            raise StoreUnavailableError(
                f"the graph store at {self.path} has the old schema version {version} (now {sql.SCHEMA_VERSION}); "
                "delete it and ingest again"
            )
        if version > sql.SCHEMA_VERSION:
            self._conn.close()
            raise StoreUnavailableError(
                f"the graph store at {self.path} has schema version {version}, newer than this medkg "
                f"({sql.SCHEMA_VERSION}); upgrade medkg or point MEDKG_HOME elsewhere"
            )
        self._schema_ready = False
        self._fts = False

    def __repr__(self) -> str:
        return f"EmbeddedGraphStore({str(self.path)!r})"

    # -- plumbing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read snapshot (one deferred transaction; nested reads share the outer one)."""
        with self._lock:
            try:
                if not self._schema_ready:
                    self._create_schema()
                outer = not self._conn.in_transaction
                if outer:
                    self._conn.execute("BEGIN")
                try:
                    yield self._conn
                finally:
                    if outer and self._conn.in_transaction:
                        self._conn.execute("COMMIT")
            except sqlite3.Error as e:
                raise StoreError(f"graph store {self.path}: {e}") from e

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction; any exception rolls it back."""
        with self._lock:
            self._writes += 1
            self._cache = None
            try:
                if not self._schema_ready:
                    self._create_schema()
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise StoreError(f"graph store {self.path}: cannot start a write: {e}") from e
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as e:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.Error):
                    raise StoreError(f"graph store {self.path}: write rolled back: {e}") from e
                raise

    def _create_schema(self) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version == 2:  # v2 -> v3: node_names gained a rowid for the trigram index; rebuilt below
                conn.execute(sql.DROP_OLD_NAMES)
            for statement in sql.DDL:
                conn.execute(statement)
            had_fts = bool(conn.execute(sql.HAS_FTS).fetchone()[0])
            try:
                for statement in sql.FTS_DDL:
                    conn.execute(statement)
            except sqlite3.OperationalError as e:  # no FTS5 or no trigram tokenizer: substring search scans
                log.warning("graph store %s: no trigram index (%s); substring search will scan", self.path, e)
            self._fts = bool(conn.execute(sql.HAS_FTS).fetchone()[0])
            if version == 2:
                nodes = [Node.model_validate_json(doc) for (doc,) in conn.execute(sql.ALL_NODE_DOCS)]
                conn.executemany(sql.INSERT_NAME, [(k, n.id) for n in nodes for k in sorted(name_keys(n))])
                log.info("graph store %s: migrated to schema version %d", self.path, sql.SCHEMA_VERSION)
            if self._fts and (version == 2 or not had_fts):
                conn.execute(sql.FTS_REBUILD)
            conn.execute(f"PRAGMA user_version={sql.SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except sqlite3.Error:
            conn.execute("ROLLBACK")
            raise
        self._schema_ready = True

    def ensure_schema(self) -> None:
        """Create the tables and indexes if absent (idempotent)."""
        with self._lock:
            try:
                self._create_schema()
            except sqlite3.Error as e:
                raise StoreError(f"graph store {self.path}: cannot create the schema: {e}") from e

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- writes -----------------------------------------------------------------------------------

    def _drop_names(self, conn: sqlite3.Connection, ids: list[str]) -> None:
        """Delete the lookup keys of ``ids`` (and their trigram entries)."""
        param = {"ids": _dumps(ids)}
        if self._fts:
            conn.execute(sql.FTS_DROP_NAMES_OF, param)
        conn.execute(sql.DELETE_NAMES_OF, param)

    def _upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport:
        ids = list(dict.fromkeys(n.id for n in nodes))
        with self._write() as conn:
            existing = {n.id: n for n in map(_node, conn.execute(sql.NODES_BY_IDS, {"ids": _dumps(ids)}))}
            merged, created, updated = merge_nodes(nodes, existing)
            changed = [n for i, n in merged.items() if existing.get(i) != n]
            conn.executemany(sql.UPSERT_NODE, [(n.id, n.label, n.name, n.model_dump_json()) for n in changed])
            renamed = [n.id for n in changed if n.id in existing]
            if renamed:
                self._drop_names(conn, renamed)
            conn.executemany(sql.INSERT_NAME, [(k, n.id) for n in changed for k in sorted(name_keys(n))])
            if self._fts and changed:
                conn.execute(sql.FTS_ADD_NAMES_OF, {"ids": _dumps([n.id for n in changed])})
            conn.executemany(sql.INSERT_NODE_SOURCE, [(s, n.id) for n in changed for s in n.sources])
        log.debug("upserted %d nodes (%d new, %d existing, %d changed)", len(nodes), created, updated, len(changed))
        return WriteReport(rows=len(nodes), created=created, updated=updated)

    def _upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport:
        last: dict[tuple[str, str, str, str], Relationship] = {r.key: r for r in rels}
        ends = list(dict.fromkeys(i for r in rels for i in (r.start, r.end)))
        with self._write() as conn:
            present = {row[0] for row in conn.execute(sql.EXISTING_IDS, {"ids": _dumps(ends)})}
            missing = [i for i in ends if i not in present]
            if missing:
                raise MissingEndpointError(missing)
            found = conn.execute(sql.EXISTING_REL_KEYS, {"keys": _dumps([list(k) for k in last])}).fetchall()
            conn.executemany(sql.UPSERT_REL, [
                (r.type, r.start, r.end, r.source, r.weight, r.model_dump_json()) for r in last.values()
            ])
        updated = len(found)
        return WriteReport(rows=len(rels), created=len(last) - updated, updated=updated)

    def _delete_source(self, source: str) -> DeleteReport:
        with self._write() as conn:
            rels_deleted = conn.execute(sql.DELETE_RELS_OF_SOURCE, (source,)).rowcount
            ids = [row[0] for row in conn.execute(sql.NODE_IDS_OF_SOURCE, (source,))]
            doomed: list[str] = []
            kept = 0
            for node in (_node(row) for row in conn.execute(sql.NODES_BY_IDS, {"ids": _dumps(ids)}).fetchall()):
                rest = [s for s in node.sources if s != source]
                if rest:
                    doc = node.model_copy(update={"sources": tuple(rest)}).model_dump_json()
                    conn.execute(sql.UPDATE_NODE_DOC, (doc, node.id))
                    kept += 1
                else:
                    doomed.append(node.id)
            if doomed:
                param = {"ids": _dumps(doomed)}
                rels_deleted += conn.execute(sql.DELETE_RELS_OF_NODES, param).rowcount
                self._drop_names(conn, doomed)
                conn.execute(sql.DELETE_NODES, param)
            conn.execute(sql.DELETE_NODE_SOURCE, (source,))
        log.info("deleted source %s: %d nodes, %d detached, %d relationships", source, len(doomed), kept, rels_deleted)
        return DeleteReport(source=source, nodes_deleted=len(doomed), nodes_detached=kept,
                            relationships_deleted=rels_deleted)

    # -- reads ------------------------------------------------------------------------------------

    def _nodes_by_id(self, ids: list[str]) -> dict[str, Node]:
        with self._read() as conn:
            rows = conn.execute(sql.NODES_BY_IDS, {"ids": _dumps(ids)}).fetchall()
        return {n.id: n for n in map(_node, rows)}

    def _existing_ids(self, ids: list[str]) -> set[str]:
        with self._read() as conn:
            return {row[0] for row in conn.execute(sql.EXISTING_IDS, {"ids": _dumps(ids)})}

    def _find_nodes(self, q: str, labels: list[str] | None, limit: int, exact: bool) -> list[Node]:
        params = {"q": q, "labels": None if labels is None else _dumps(labels), "limit": limit}
        with self._read() as conn:
            if exact:
                rows = conn.execute(sql.FIND_EXACT, params).fetchall()
            else:
                rows = conn.execute(sql.FIND_PREFIX, params).fetchall()
                if len(rows) < limit:
                    if self._fts and len(q) >= 3:  # the trigram index needs 3 characters
                        phrase = '"' + q.replace('"', '""') + '"'
                        rows = conn.execute(sql.FIND_ANY_FTS, {**params, "phrase": phrase}).fetchall()
                    else:
                        rows = conn.execute(sql.FIND_ANY, params).fetchall()
        return [_node(row) for row in rows]

    def _relationships_of(
        self, node_id: str, rel_types: list[str] | None, direction: str, limit: int
    ) -> list[Relationship]:
        params = {"id": node_id, "types": None if rel_types is None else _dumps(rel_types)}
        rows: list[Any] = []
        with self._read() as conn:
            if direction in ("out", "both"):
                rows += conn.execute(sql.RELS_OUT, params).fetchall()
            if direction in ("in", "both"):
                rows += [r for r in conn.execute(sql.RELS_IN, params) if direction == "in" or r[1] != r[2]]
        rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
        return [_rel(r[4]) for r in rows[:limit]]

    def _graph(self, conn: sqlite3.Connection) -> GraphCache | None:
        """The adjacency of the snapshot ``conn`` reads (inside ``_read``), or None when the graph is too big."""
        conn.execute(sql.SNAPSHOT_PROBE).fetchone()  # start the read snapshot before asking for its version
        token = (self._writes, int(conn.execute("PRAGMA data_version").fetchone()[0]))
        if self._cache is not None and self._cache.token == token:
            return self._cache
        self._cache = None
        if int(conn.execute(sql.COUNT_RELS).fetchone()[0]) > self.max_cached_relationships:
            return None
        self._cache = GraphCache(conn.execute(sql.ALL_REL_EDGES), token)
        log.debug("graph store %s: cached the adjacency of %d relationships", self.path, self._cache.n_edges)
        return self._cache

    def _fetchers(
        self, conn: sqlite3.Connection, rel_types: Sequence[str] | None, min_weight: float | None
    ) -> tuple[EdgeFetcher, EdgeFetcher | None]:
        graph = self._graph(conn)
        if graph is not None:
            return graph.fetchers(rel_types, min_weight)
        return sql_fetcher(conn, rel_types, min_weight), None

    def _neighbourhood(
        self, node_ids: list[str], hops: int, rel_types: list[str] | None, limit: int, min_weight: float | None
    ) -> Subgraph:
        with self._read() as conn:
            fetch, among = self._fetchers(conn, rel_types, min_weight)
            wanted = node_ids
            nodes = walk_nodes(conn, self._cache, wanted)
            walk = select_neighbourhood([i for i in wanted if i in nodes], hops, limit, fetch, among)
            nodes.update(walk_nodes(conn, self._cache, [i for i in walk.node_ids if i not in nodes]))
            rels = materialise(conn, self._cache, walk.edges)
        return Subgraph.model_construct(nodes=[nodes[i] for i in walk.node_ids], relationships=rels)

    def _paths(
        self, start: str, end: str, max_hops: int, rel_types: list[str] | None, limit: int
    ) -> list[GraphPath]:
        with self._read() as conn:
            if len(self.existing_ids([start, end])) < len({start, end}):
                return []
            fetch, _ = self._fetchers(conn, rel_types, None)
            found = shortest_paths(start, end, max_hops, limit, fetch)
            nodes = walk_nodes(conn, self._cache, list({i for p in found for i in p[0]}))
            rels = materialise(conn, self._cache, [e for p in found for e in p[1]])
        by_ref = {e.ref: r for e, r in zip((e for p in found for e in p[1]), rels, strict=True)}
        return [GraphPath(nodes=[nodes[i] for i in ids], relationships=[by_ref[e.ref] for e in es])
                for ids, es in found]

    def counts(self) -> GraphCounts:
        with self._read() as conn:
            nodes = dict(conn.execute(sql.COUNT_NODES_BY_LABEL).fetchall())
            rels = dict(conn.execute(sql.COUNT_RELS_BY_TYPE).fetchall())
        return GraphCounts(nodes=nodes, relationships=rels)

    def _node_ids(self, label: str | None, source: str | None) -> list[str]:
        with self._read() as conn:
            return [row[0] for row in conn.execute(sql.NODE_IDS, {"label": label, "source": source})]

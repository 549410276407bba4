"""``Neo4jGraphStore``: the :class:`~kg.store.GraphStore` on Neo4j 5 over Bolt (tested against ArcadeDB's Bolt server).

Writes run as managed transactions (``execute_write``), one per public call, in ``UNWIND $rows`` statements of
``batch_size`` rows; nodes are merged in Python inside the transaction (read what exists, merge, then CREATE the
new and ``SET n = props`` on the existing) so the result equals the embedded store's.
Walks fetch edges level by level and rank them with :mod:`kg.algo`.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j import exceptions as nx

from kg.algo import Edge, EdgeFetcher, merge_node, merge_nodes, select_neighbourhood, shortest_paths
from kg.base import BaseGraphStore
from kg.neo4j import cypher
from kg.neo4j.codec import node_from_props, node_props, rel_from_record
from kg.neo4j.reads import Key, walk_fetchers
from kg.neo4j.writes import chunks as _chunks
from kg.neo4j.writes import collected as _collected
from kg.neo4j.writes import write_rels
from kg.store import DeleteReport, WriteReport
from medkg.errors import InputValidationError, StoreError, StoreUnavailableError
from medkg.types import GraphCounts, Node, Relationship, Subgraph
from medkg.types import Path as GraphPath

__all__ = ["Neo4jGraphStore"]

log = logging.getLogger(__name__)

T = TypeVar("T")
_UNAVAILABLE = (nx.ServiceUnavailable, nx.SessionExpired, nx.AuthError)


class Neo4jGraphStore(BaseGraphStore):
    """A :class:`~kg.store.GraphStore` in a Neo4j 5 database reached over Bolt.

    The constructor only builds the driver; the first call connects. A dead server or wrong credentials raise
    :class:`StoreUnavailableError` naming the URI. Arguments are checked by :class:`~kg.base.BaseGraphStore`;
    this class implements its hooks. Thread-safe (the driver pools sessions).
    """

    waits_on_server: ClassVar[bool] = True
    """Writes are mostly server time: ingest overlaps them with reading (see :func:`kg.store.store_waits_on_server`)."""

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j", batch_size: int = 5000) -> None:
        if batch_size < 1:
            raise InputValidationError(f"batch_size must be >= 1, got {batch_size}")
        self.uri = uri
        self.database = database
        self.batch_size = batch_size
        self.server_agent: str | None = None
        self._connected = False
        self._schema_ready = False
        self._lock = threading.Lock()
        try:
            self._driver: Driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=10.0,
                                                        max_transaction_retry_time=5.0)
        except (ValueError, nx.ConfigurationError) as e:
            raise StoreUnavailableError(f"cannot use Neo4j URI {uri!r}: {e}") from e

    def __repr__(self) -> str:
        return f"Neo4jGraphStore({self.uri!r}, database={self.database!r})"

    @property
    def is_arcadedb(self) -> bool:
        """Whether the server is ArcadeDB's Bolt endpoint (the test server), per its agent string."""
        self._connect()
        return "ArcadeDB" in (self.server_agent or "")

    # -- plumbing ---------------------------------------------------------------------------------

    def _unavailable(self, e: Exception) -> StoreUnavailableError:
        what = "authentication failed" if isinstance(e, nx.AuthError) else "cannot reach the server"
        return StoreUnavailableError(f"Neo4j at {self.uri} (database {self.database!r}): {what}: {e}")

    def _connect(self) -> None:
        if self._connected:
            return
        with self._lock:
            if self._connected:
                return
            try:
                self._driver.verify_connectivity()
                self.server_agent = self._driver.get_server_info().agent
            except _UNAVAILABLE as e:
                raise self._unavailable(e) from e
            except (nx.Neo4jError, nx.DriverError, OSError) as e:
                raise StoreUnavailableError(f"Neo4j at {self.uri}: {e}") from e
            log.info("connected to %s (%s)", self.uri, self.server_agent)
            self._connected = True

    def _run(self, work: Callable[[ManagedTransaction], T], *, write: bool,
             on_constraint: Callable[[ManagedTransaction], T] | None = None) -> T:
        """Run ``work`` in one managed transaction. A ConstraintError (ArcadeDB: two transactions creating one id)
        rolls it back and runs ``on_constraint`` (default: ``work`` again) once; a second one raises StoreError."""
        self._connect()
        for attempt in (1, 2):
            try:
                with self._driver.session(database=self.database) as session:
                    return session.execute_write(work) if write else session.execute_read(work)
            except nx.ConstraintError as e:
                if attempt == 2:
                    raise StoreError(f"Neo4j at {self.uri}: constraint violated, transaction rolled back: {e}") from e
                log.debug("constraint error on %s, running the transaction once more", self.uri)
                work = on_constraint or work
            except _UNAVAILABLE as e:
                raise self._unavailable(e) from e
            except (nx.Neo4jError, nx.DriverError) as e:
                raise StoreError(f"Neo4j at {self.uri}: transaction rolled back: {e}") from e
        raise AssertionError("unreachable")

    def ensure_schema(self) -> None:
        """Create the Entity.id constraint and the indexes that are absent (idempotent); run before loading."""

        def names(statement: str) -> set[str]:
            return self._run(lambda tx: {r["name"] for r in tx.run(statement)}, write=False)

        present = names(cypher.SHOW_INDEX_NAMES) | names(cypher.SHOW_CONSTRAINT_NAMES)
        for name, statement in cypher.SCHEMA.items():
            if name not in present:
                self._run(lambda tx, s=statement: tx.run(s).consume(), write=True)  # type: ignore[misc]
        self._schema_ready = True

    def _ensure_schema_once(self) -> None:
        """Writes need the Entity.id constraint first (an unindexed load is orders of magnitude slower)."""
        if not self._schema_ready:
            self.ensure_schema()

    def close(self) -> None:
        self._driver.close()

    # -- helpers inside a transaction ----------------------------------------------------------------

    def _nodes_in(self, tx: ManagedTransaction, ids: Sequence[str], statement: str = cypher.NODES_BY_IDS
                  ) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for chunk in _chunks(ids, self.batch_size):
            for p in _collected(tx.run(statement, ids=list(chunk)), "ps"):
                node = node_from_props(p)
                out[node.id] = node
        return out

    def _nodes_by_own_label(self, tx: ManagedTransaction, nodes: Sequence[Node]) -> dict[str, Node]:
        """The stored nodes among ``nodes`` looked up under each one's own label (see NODES_OF_LABEL_BY_IDS)."""
        by_label: dict[str, list[str]] = defaultdict(list)
        for n in nodes:
            by_label[n.label].append(n.id)
        out: dict[str, Node] = {}
        for label, ids in by_label.items():
            out.update(self._nodes_in(tx, list(dict.fromkeys(ids)), cypher.NODES_OF_LABEL_BY_IDS[label]))
        return out

    def _ids_in(self, tx: ManagedTransaction, ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(ids, self.batch_size):
            out.update(_collected(tx.run(cypher.EXISTING_IDS, ids=list(chunk)), "ids"))
        return out

    def _write_rels(self, tx: ManagedTransaction, rels: Sequence[Relationship]) -> int:
        return write_rels(tx, rels, self.batch_size, self.uri, by_label=self.is_arcadedb)

    @staticmethod
    def _rels(records: Any) -> dict[Key, Relationship]:
        out: dict[Key, Relationship] = {}
        for rec in records:
            r = rel_from_record(rec["type"], rec["start"], rec["end"], rec["p"])
            out[r.key] = r
        return out

    # -- writes -----------------------------------------------------------------------------------

    def _upsert_nodes(self, nodes: Sequence[Node]) -> WriteReport:
        self._ensure_schema_once()
        ids = list(dict.fromkeys(n.id for n in nodes))

        def work(tx: ManagedTransaction, *, by_label: bool = False) -> tuple[int, int]:
            existing = self._nodes_by_own_label(tx, nodes) if by_label else self._nodes_in(tx, ids)
            # New ids (most of a load) skip the Node-level merge: node_props sorts and de-duplicates the lists the
            # same way, so only a repeated id within the batch needs folding.
            fresh: dict[str, Node] = {}
            for n in nodes:
                if n.id not in existing:
                    prev = fresh.get(n.id)
                    fresh[n.id] = n if prev is None else merge_node(prev, n)
            merged, _, updated = merge_nodes([n for n in nodes if n.id in existing], existing)
            created = len(fresh)
            changed = [*fresh.values(), *(n for i, n in merged.items() if existing[i] != n)]
            relabelled = [n.id for n in changed if n.id in existing and existing[n.id].label != n.label]
            saved: dict[Key, Relationship] = {}
            if relabelled:  # labels are fixed at creation (ArcadeDB): delete and recreate, keeping relationships
                saved = self._rels(tx.run(cypher.RELS_OF_NODES, ids=relabelled))
                tx.run(cypher.DETACH_DELETE_NODES, ids=relabelled).consume()
            gone = set(relabelled)
            groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
            for n in changed:  # label None: update in place; else create with that label
                groups[None if n.id in existing and n.id not in gone else n.label].append(node_props(n))
            for label, rows in groups.items():
                statement = cypher.UPDATE_NODES if label is None else cypher.CREATE_NODES[label]
                for chunk in _chunks(rows, self.batch_size):
                    tx.run(statement, rows=list(chunk)).consume()
            self._write_rels(tx, list(saved.values()))
            return created, updated

        if self.is_arcadedb:  # cheaper lookups there; an id stored under another label trips the constraint
            created, updated = self._run(lambda tx: work(tx, by_label=True), write=True, on_constraint=work)
        else:
            created, updated = self._run(work, write=True)
        return WriteReport(rows=len(nodes), created=created, updated=updated)

    def _upsert_relationships(self, rels: Sequence[Relationship]) -> WriteReport:
        self._ensure_schema_once()
        last = list({r.key: r for r in rels}.values())

        created = self._run(lambda tx: self._write_rels(tx, last), write=True)
        return WriteReport(rows=len(rels), created=created, updated=len(last) - created)

    def _delete_source(self, source: str) -> DeleteReport:
        def work(tx: ManagedTransaction) -> DeleteReport:
            rels_deleted = 0
            for statement in cypher.DELETE_RELS_OF_SOURCE.values():
                rels_deleted += int(tx.run(statement, source=source).single(strict=True)["n"])
            keep: list[dict[str, Any]] = []
            doomed: list[str] = []
            for node_id, sources in _collected(tx.run(cypher.NODES_OF_SOURCE, source=source), "rows"):
                rest = [s for s in sources if s != source]
                if rest:
                    keep.append({"id": node_id, "sources": rest})
                else:
                    doomed.append(node_id)
            for chunk in _chunks(keep, self.batch_size):
                tx.run(cypher.SET_SOURCES, rows=list(chunk)).consume()
            for ids in _chunks(doomed, self.batch_size):
                rels_deleted += len(self._rels(tx.run(cypher.RELS_OF_NODES, ids=list(ids))))
                tx.run(cypher.DETACH_DELETE_NODES, ids=list(ids)).consume()
            return DeleteReport(source=source, nodes_deleted=len(doomed), nodes_detached=len(keep),
                                relationships_deleted=rels_deleted)

        report = self._run(work, write=True)
        log.info("deleted source %s: %d nodes, %d detached, %d relationships", source, report.nodes_deleted,
                 report.nodes_detached, report.relationships_deleted)
        return report

    # -- reads ------------------------------------------------------------------------------------

    def _nodes_by_id(self, ids: list[str]) -> dict[str, Node]:
        return self._run(lambda tx: self._nodes_in(tx, ids), write=False)

    def _existing_ids(self, ids: list[str]) -> set[str]:
        return self._run(lambda tx: self._ids_in(tx, ids), write=False)

    def _find_nodes(self, q: str, labels: list[str] | None, limit: int, exact: bool) -> list[Node]:
        params = {"q": q, "labels": labels, "max_rank": 0 if exact else 2,
                  "limit": limit}
        return self._run(lambda tx: [node_from_props(r["p"]) for r in tx.run(cypher.FIND_NODES, params)], write=False)

    def _relationships_of(
        self, node_id: str, rel_types: list[str] | None, direction: str, limit: int
    ) -> list[Relationship]:
        params = {"id": node_id, "types": rel_types}

        def work(tx: ManagedTransaction) -> dict[Key, Relationship]:
            out: dict[Key, Relationship] = {}
            if direction in ("out", "both"):
                out.update(self._rels(tx.run(cypher.RELS_OUT, params)))
            if direction in ("in", "both"):
                out.update(self._rels(tx.run(cypher.RELS_IN, params)))
            return out

        found = self._run(work, write=False)
        return [found[k] for k in sorted(found)[:limit]]

    def _walk(
        self,
        ids: Sequence[str],
        rel_types: Sequence[str] | None,
        min_weight: float | None,
        walk: Callable[[list[str], EdgeFetcher], tuple[T, list[str]]],
    ) -> tuple[T, dict[str, Node], dict[Any, Relationship]]:
        """In one read transaction: run ``walk`` from the existing ``ids`` with an edge fetcher. ``walk`` returns
        its result and the node ids it needs; returns the result, those nodes and every edge fetched."""
        types = None if rel_types is None else list(rel_types)

        def work(tx: ManagedTransaction) -> tuple[T, dict[str, Node], dict[Any, Relationship]]:
            seen: dict[Any, Relationship] = {}

            def fetch(frontier: Sequence[str]) -> list[Edge]:
                found = self._rels(tx.run(cypher.EDGES_TOUCHING, ids=list(frontier), types=types,
                                          min_weight=min_weight))
                seen.update(found)
                return [Edge(r.type, r.start, r.end, r.source, r.weight, k) for k, r in found.items()]

            nodes = self._nodes_in(tx, list(dict.fromkeys(ids)))
            result, needed = walk([i for i in dict.fromkeys(ids) if i in nodes], fetch)
            nodes.update(self._nodes_in(tx, [i for i in dict.fromkeys(needed) if i not in nodes]))
            return result, nodes, seen

        return self._run(work, write=False)

    def _neighbourhood(
        self, node_ids: list[str], hops: int, rel_types: list[str] | None, limit: int, min_weight: float | None
    ) -> Subgraph:
        params = {"types": rel_types, "min_weight": min_weight}

        def work(tx: ManagedTransaction) -> Subgraph:
            full: dict[Key, Relationship] = {}
            fetch, among = walk_fetchers(tx, params, self.batch_size, full)
            wanted = node_ids
            nodes = self._nodes_in(tx, wanted)
            walk = select_neighbourhood([i for i in wanted if i in nodes], hops, limit, fetch, among)
            nodes.update(self._nodes_in(tx, [i for i in walk.node_ids if i not in nodes]))
            return Subgraph.model_construct(nodes=[nodes[i] for i in walk.node_ids],
                                            relationships=[full[e.ref] for e in walk.edges])  # type: ignore[index]

        return self._run(work, write=False)

    def _paths(
        self, start: str, end: str, max_hops: int, rel_types: list[str] | None, limit: int
    ) -> list[GraphPath]:

        def walk(present: list[str], fetch: EdgeFetcher) -> tuple[list[tuple[list[str], list[Edge]]], list[str]]:
            if len(present) < len({start, end}):
                return [], []
            found = shortest_paths(start, end, max_hops, limit, fetch)
            return found, [i for p in found for i in p[0]]

        found, nodes, seen = self._walk([start, end], rel_types, None, walk)
        return [GraphPath(nodes=[nodes[i] for i in ids], relationships=[seen[e.ref] for e in es]) for ids, es in found]

    def counts(self) -> GraphCounts:
        def work(tx: ManagedTransaction) -> GraphCounts:
            nodes = {r["label"]: int(r["n"]) for r in tx.run(cypher.COUNT_NODES_BY_LABEL)}
            rels = {r["type"]: int(r["n"]) for r in tx.run(cypher.COUNT_RELS_BY_TYPE)}
            return GraphCounts(nodes=nodes, relationships=rels)

        return self._run(work, write=False)

    def _node_ids(self, label: str | None, source: str | None) -> list[str]:
        statement = cypher.NODE_IDS if label is None else cypher.NODE_IDS_OF_LABEL[label]
        found = self._run(lambda tx: _collected(tx.run(statement, source=source), "ids"), write=False)
        return sorted(found)

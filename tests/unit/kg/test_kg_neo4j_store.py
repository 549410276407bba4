"""Neo4j-store specifics: unreachable servers, the read/write split of every Cypher constant, the retry."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from neo4j import exceptions as nx

from kg.neo4j import Neo4jGraphStore, cypher
from kg.schema import LABELS, REL_TYPES
from medkg.errors import MissingEndpointError, StoreError, StoreUnavailableError
from tests.conftest import BoltServer
from tests.contract import fixtures as fx

_WRITE_WORDS = re.compile(r"\b(MERGE|CREATE|DELETE|SET|REMOVE|DROP)\b")
_ALL_CONSTANTS: set[str] = set()
for _name in cypher.__all__:
    _value = getattr(cypher, _name)
    if isinstance(_value, str):
        _ALL_CONSTANTS.add(_value)
    elif isinstance(_value, dict):
        _ALL_CONSTANTS.update(_value.values())
    elif isinstance(_value, tuple):
        _ALL_CONSTANTS.update(_value)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_dead_server_is_unavailable_naming_the_uri() -> None:
    """Nothing listening on the port: StoreUnavailableError naming the URI, on the first call."""
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    store = Neo4jGraphStore(uri=uri, user="neo4j", password="whatever-pw")
    try:
        with pytest.raises(StoreUnavailableError, match=re.escape(uri)):
            store.ensure_schema()
        with pytest.raises(StoreUnavailableError, match=re.escape(uri)):
            store.counts()
    finally:
        store.close()


def test_bad_uri_is_unavailable() -> None:
    """A URI the driver cannot use is reported as StoreUnavailableError naming it."""
    with pytest.raises(StoreUnavailableError, match="ftp://nowhere"):
        Neo4jGraphStore(uri="ftp://nowhere:7687", user="neo4j", password="x")


@pytest.mark.bolt
def test_wrong_password_is_unavailable_naming_the_uri(bolt_server: BoltServer) -> None:
    """Wrong credentials: StoreUnavailableError naming the URI and saying authentication failed."""
    store = Neo4jGraphStore(uri=bolt_server.uri, user=bolt_server.user, password="not-the-password",
                            database=bolt_server.database)
    try:
        with pytest.raises(StoreUnavailableError, match=re.escape(bolt_server.uri) + ".*authentication failed"):
            store.counts()
    finally:
        store.close()


def test_constants_cover_the_vocabulary() -> None:
    """One CREATE/id-list statement per label, one upsert per relationship type, generated from kg.schema only."""
    assert set(cypher.CREATE_NODES) == set(cypher.NODE_IDS_OF_LABEL) == set(LABELS)
    assert set(cypher.UPSERT_RELS) == set(REL_TYPES) == set(cypher.DELETE_RELS_OF_SOURCE)
    assert all(f"(n:{label}:Entity)" in s for label, s in cypher.CREATE_NODES.items())
    assert all(f"CREATE (a)-[r:{t}]->(b)" in s and f"[old:{t}]" in s for t, s in cypher.UPSERT_RELS.items())


class _Counters:
    relationships_created = 0


class _Summary:
    counters = _Counters()


class _Result:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def consume(self) -> _Summary:
        return _Summary()

    def single(self, strict: bool = False) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None


class _Tx:
    def __init__(self, log: list[tuple[str, str]], mode: str, missing: frozenset[str] = frozenset()) -> None:
        self.log, self.mode, self.missing = log, mode, missing

    def run(self, query: str, parameters: dict[str, Any] | None = None, **kw: Any) -> _Result:
        self.log.append((self.mode, query))
        params = {**(parameters or {}), **kw}
        if query == cypher.EXISTING_IDS:
            return _Result([{"ids": params["ids"]}])
        if query == cypher.ELEMENT_IDS:
            return _Result([{"pairs": [[i, f"#1:{n}"] for n, i in enumerate(params["ids"]) if i not in self.missing]}])
        if query in cypher.UPSERT_RELS.values():
            return _Result([{"n": len(params["rows"]), "existed": 0}])
        if query in cypher.DELETE_RELS_OF_SOURCE.values():
            return _Result([{"n": 0}])
        return _Result([])


class _Session:
    def __init__(self, driver: _Driver) -> None:
        self.driver = driver

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute_write(self, work: Callable[[_Tx], Any]) -> Any:
        if self.driver.fail_writes:
            self.driver.fail_writes -= 1
            raise nx.ConstraintError("duplicate key")
        return work(_Tx(self.driver.log, "write", self.driver.missing))

    def execute_read(self, work: Callable[[_Tx], Any]) -> Any:
        return work(_Tx(self.driver.log, "read"))


class _Driver:
    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.fail_writes = 0
        self.missing: frozenset[str] = frozenset()

    def session(self, **kw: Any) -> _Session:
        assert kw.get("database") == "neo4j"
        return _Session(self)

    def close(self) -> None:
        return None


def _fake_store() -> tuple[Neo4jGraphStore, _Driver]:
    store = Neo4jGraphStore(uri="bolt://127.0.0.1:1", user="neo4j", password="x")
    store._driver.close()
    driver = _Driver()
    store._driver = driver  # type: ignore[assignment]
    store._connected = True
    return store, driver


def test_writes_only_in_write_transactions() -> None:
    """Every statement is a named constant; write statements run only via execute_write, reads via execute_read."""
    store, driver = _fake_store()
    store.ensure_schema()
    store.upsert_nodes(fx.NODES)
    store.upsert_relationships(fx.RELS)
    store.delete_source("cmekg")
    store.get_nodes([fx.T2DM])
    store.existing_ids([fx.T2DM])
    store.find_nodes("diabetes", labels=["Disease"])
    store.relationships_of(fx.T2DM)
    store.neighbourhood([fx.T2DM], hops=2)
    store.paths(fx.T2DM, fx.DM)
    store.counts()
    store.node_ids(label="Disease", source="cmekg")
    assert driver.log
    for mode, query in driver.log:
        assert query in _ALL_CONSTANTS, query
        if mode == "read":
            assert query not in cypher.WRITE_STATEMENTS and not _WRITE_WORDS.search(query), query
        elif query not in cypher.WRITE_STATEMENTS:
            assert not _WRITE_WORDS.search(query), query
    assert {q for m, q in driver.log if m == "write"} & set(cypher.UPSERT_RELS.values())


def test_constraint_error_is_retried_once() -> None:
    """A ConstraintError (ArcadeDB's concurrent MERGE) is retried once; a second one becomes a StoreError."""
    store, driver = _fake_store()
    driver.fail_writes = 1
    assert store.upsert_nodes(fx.NODES[:2]).created == 2
    driver.fail_writes = 2
    with pytest.raises(StoreError, match="constraint"):
        store.upsert_nodes(fx.NODES[:2])


def test_relationship_ends_resolved_once_and_missing_ones_refused_before_writing() -> None:
    """Each distinct end is looked up once (one ELEMENT_IDS statement for the call); a missing end raises
    MissingEndpointError naming it before any relationship statement is sent."""
    store, driver = _fake_store()
    store.upsert_relationships(fx.RELS)
    assert [q for _, q in driver.log].count(cypher.ELEMENT_IDS) == 1
    driver.log.clear()
    driver.missing = frozenset({fx.T2DM})
    with pytest.raises(MissingEndpointError) as err:
        store.upsert_relationships(fx.RELS)
    assert fx.T2DM in str(err.value)
    assert not {q for _, q in driver.log} & set(cypher.UPSERT_RELS.values())

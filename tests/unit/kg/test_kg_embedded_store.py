"""Embedded-store specifics beyond the contract: durability, opening errors, threads, the factory."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pytest

from kg.embedded import EmbeddedGraphStore
from kg.factory import open_store
from medkg.errors import StoreError, StoreUnavailableError
from medkg.settings import Settings
from tests.contract import fixtures as fx


def test_data_survives_reopen(tmp_path: Path) -> None:
    """What one store object committed, a new one on the same file reads back."""
    path = tmp_path / "g" / "graph.sqlite3"
    store = EmbeddedGraphStore(path)
    fx.load(store)
    counts = store.counts()
    store.close()
    again = EmbeddedGraphStore(path)
    try:
        assert again.counts() == counts
        assert again.get_node(fx.ZH_DM) == fx.NODES[6]
    finally:
        again.close()


def test_corrupt_file_is_unavailable_naming_the_path(tmp_path: Path) -> None:
    """A file that is not a SQLite database raises StoreUnavailableError naming it."""
    path = tmp_path / "graph.sqlite3"
    path.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(StoreUnavailableError, match=r"graph\.sqlite3"):
        EmbeddedGraphStore(path)


def test_directory_is_unavailable(tmp_path: Path) -> None:
    """A path that is a directory cannot be opened as a store."""
    with pytest.raises(StoreUnavailableError, match=re.escape(str(tmp_path))):
        EmbeddedGraphStore(tmp_path)


def test_newer_schema_version_is_refused(tmp_path: Path) -> None:
    """A store written by a newer medkg (higher user_version) is refused rather than misread."""
    path = tmp_path / "graph.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(StoreUnavailableError, match="schema version 99"):
        EmbeddedGraphStore(path)


def test_closed_store_raises_store_error(tmp_path: Path) -> None:
    """Using a closed store is a StoreError, not a foreign sqlite3 exception."""
    store = EmbeddedGraphStore(tmp_path / "graph.sqlite3")
    store.ensure_schema()
    store.close()
    with pytest.raises(StoreError):
        store.counts()


def test_threads_share_one_store(tmp_path: Path) -> None:
    """Concurrent readers and a writer on one store object neither fail nor see half a batch."""
    store = EmbeddedGraphStore(tmp_path / "graph.sqlite3")
    fx.load(store)
    errors: list[BaseException] = []
    seen: list[int] = []

    def write() -> None:
        try:
            for b in range(20):
                store.upsert_nodes([fx.node(f"medkg:t{b}-{j}", "Symptom", f"s{b} {j}") for j in range(50)])
        except BaseException as e:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(e)

    def read() -> None:
        try:
            for _ in range(40):
                seen.append(store.counts().nodes["Symptom"])
                store.neighbourhood([fx.T2DM], hops=2)
        except BaseException as e:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert errors == []
    assert all((n - 6) % 50 == 0 for n in seen)


def test_factory_opens_the_embedded_store_under_home(tmp_path: Path) -> None:
    """open_store with the default settings gives an EmbeddedGraphStore at <home>/store/graph.sqlite3."""
    store = open_store(Settings(home=tmp_path))
    try:
        assert isinstance(store, EmbeddedGraphStore)
        assert store.path == tmp_path / "store" / "graph.sqlite3"
        assert store.counts().nodes == {}
    finally:
        store.close()


@pytest.mark.parametrize("query", ["mellitus", "blood", "ITIS", "分泌科", "pa", "zzz", "sugar", "n"])
def test_trigram_search_equals_scan(tmp_path: Path, query: str) -> None:
    """Substring search through the trigram index returns exactly what a scan of all names returns."""
    store = EmbeddedGraphStore(tmp_path / "graph.sqlite3")
    fx.load(store)
    assert store._fts
    indexed = store.find_nodes(query, limit=50)
    store._fts = False
    scanned = store.find_nodes(query, limit=50)
    store.close()
    assert indexed == scanned


def test_schema_v2_is_migrated(tmp_path: Path) -> None:
    """A version-2 store (names without the trigram index) opens, is migrated and finds by substring."""
    path = tmp_path / "graph.sqlite3"
    store = EmbeddedGraphStore(path)
    fx.load(store)
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE node_names_fts")
        conn.execute("DROP TABLE node_names")
        conn.execute("CREATE TABLE node_names (key TEXT NOT NULL, node_id TEXT NOT NULL, PRIMARY KEY (key, node_id))")
        conn.execute("PRAGMA user_version=2")
    conn.close()
    store = EmbeddedGraphStore(path)
    try:
        assert [n.id for n in store.find_nodes("mellitus")] == [fx.DM, fx.T2DM]
        assert [n.id for n in store.find_nodes("t2dm", exact=True)] == [fx.T2DM]
    finally:
        store.close()


def test_trigram_index_stays_in_step(tmp_path: Path) -> None:
    """After renames, merges and a source deletion the trigram index passes FTS5's integrity check."""
    path = tmp_path / "graph.sqlite3"
    store = EmbeddedGraphStore(path)
    fx.load(store)
    store.upsert_nodes([fx.node(fx.POLYURIA, "Symptom", "Frequent urination", synonyms=("pollakiuria",))])
    store.upsert_nodes(fx.NODES[:5])
    store.delete_source("cmekg")
    assert [n.id for n in store.find_nodes("kiuria")] == [fx.POLYURIA]
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO node_names_fts (node_names_fts, rank) VALUES ('integrity-check', 1)")
        stale = conn.execute("SELECT count(*) FROM node_names_fts WHERE node_names_fts MATCH '\"polyuria\"'")
        assert stale.fetchone()[0] == 0
    conn.close()

"""The one :class:`~kg.store.GraphStore` an app instance uses, opened lazily and re-tried while the backend is down."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kg import GraphStore
from medkg.errors import StoreUnavailableError
from medkg.settings import Settings

__all__ = ["StoreFactory", "StoreHolder", "open_app_store"]

log = logging.getLogger(__name__)

StoreFactory = Callable[[Settings], GraphStore]


def open_app_store(settings: Settings) -> GraphStore:
    """The store named by ``settings``, schema ensured, like :func:`kg.open_store`, except that a store whose
    first contact fails is closed before the error propagates. The API retries while Neo4j is down, and
    ``kg.open_store`` leaves the failed store's driver open, which would leak one connection pool per retry."""
    store: GraphStore
    if settings.store == "neo4j":
        from kg.neo4j import Neo4jGraphStore

        store = Neo4jGraphStore(
            uri=settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            batch_size=settings.batch_size,
        )
    else:
        from kg.embedded import EmbeddedGraphStore

        store = EmbeddedGraphStore(settings.store_dir / "graph.sqlite3")
    try:
        store.ensure_schema()
    except BaseException:
        store.close()
        raise
    return store


class StoreHolder:
    """Holds the app's store. :meth:`get` opens it on first use; if opening fails with
    :class:`StoreUnavailableError` the error propagates (the request gets a 503) and the next call tries again,
    so the API recovers by itself once Neo4j is up. Thread-safe: sync endpoints run in a thread pool."""

    def __init__(self, settings: Settings, factory: StoreFactory) -> None:
        self._settings = settings
        self._factory = factory
        self._store: GraphStore | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def kind(self) -> str:
        """'embedded' or 'neo4j'."""
        return self._settings.store

    @property
    def is_open(self) -> bool:
        return self._store is not None

    def get(self) -> GraphStore:
        """The open store; raises :class:`StoreUnavailableError` when it cannot be opened (now)."""
        with self._lock:
            if self._closed:
                raise StoreUnavailableError("the API is shutting down; the graph store is closed")
            if self._store is None:
                self._store = self._factory(self._settings)
                log.info("graph store opened (%s)", self._settings.store)
            return self._store

    def close(self) -> None:
        """Close the store if it was opened; later :meth:`get` calls fail."""
        with self._lock:
            self._closed = True
            store, self._store = self._store, None
        if store is not None:
            store.close()
            log.info("graph store closed")

"""The one :class:`~kg.store.GraphStore` an app instance uses, opened lazily and re-tried while the backend is down."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kg import GraphStore, open_store
from medkg.errors import StoreUnavailableError
from medkg.settings import Settings

__all__ = ["StoreFactory", "StoreHolder", "open_app_store"]

log = logging.getLogger(__name__)

StoreFactory = Callable[[Settings], GraphStore]


def open_app_store(settings: Settings) -> GraphStore:
    """The store named by ``settings``, schema ensured (:func:`kg.open_store`, which closes a store whose first
    contact fails, so the API's retries while Neo4j is down leak no connection pool)."""
    return open_store(settings)


class StoreHolder:
    """Holds the app's store. :meth:`get` opens it on first use; if opening fails with
    :class:`StoreUnavailableError` the error propagates (the request gets a 503) and a call at least
    ``retry_interval`` seconds later tries again, so the API recovers by itself once Neo4j is up without every
    request waiting for a connection timeout meanwhile. Thread-safe: sync endpoints run in a thread pool."""

    def __init__(self, settings: Settings, factory: StoreFactory, *, retry_interval: float = 2.0) -> None:
        self._settings = settings
        self._factory = factory
        self._retry_interval = retry_interval
        self._store: GraphStore | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._failure: StoreUnavailableError | None = None
        self._failed_at = 0.0

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
                waited = time.monotonic() - self._failed_at
                if self._failure is not None and waited < self._retry_interval:
                    raise StoreUnavailableError(
                        f"{self._failure} (next connection attempt in {self._retry_interval - waited:.1f} s)"
                    ) from self._failure
                try:
                    self._store = self._factory(self._settings)
                except StoreUnavailableError as e:
                    self._failure, self._failed_at = e, time.monotonic()
                    raise
                self._failure = None
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

"""Open the store named by the settings: the embedded one under ``<home>/store`` or Neo4j over Bolt."""

from __future__ import annotations

from kg.store import GraphStore
from medkg.settings import Settings

__all__ = ["open_store"]


def open_store(settings: Settings) -> GraphStore:
    """The configured :class:`GraphStore`, schema ensured. Raises ``StoreUnavailableError`` naming the path/URI."""
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
        store.close()  # a half-opened store must not leak its driver/connection
        raise
    return store

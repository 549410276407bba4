"""The embedded (in-process, SQLite) graph store: medkg's default backend."""

from kg.embedded.store import EmbeddedGraphStore

__all__ = ["EmbeddedGraphStore"]

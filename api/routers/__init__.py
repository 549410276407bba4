"""The API's routers: ``health``, ``graph`` (read-only graph exploration), ``browser`` (Neo4j Browser files) and
``allocate`` (solver-backed allocation)."""

from api.routers import allocate, browser, graph, health

__all__ = ["allocate", "browser", "graph", "health"]

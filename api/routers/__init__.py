"""The API's routers: ``health``, ``graph`` (read-only graph exploration) and ``browser`` (Neo4j Browser files)."""

from api.routers import browser, graph, health

__all__ = ["browser", "graph", "health"]

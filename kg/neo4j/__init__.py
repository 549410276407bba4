"""The Neo4j graph store (Bolt, official ``neo4j`` driver); Cypher lives in :mod:`kg.neo4j.cypher`."""

from kg.neo4j.store import Neo4jGraphStore

__all__ = ["Neo4jGraphStore"]

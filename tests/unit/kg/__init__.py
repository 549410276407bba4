"""Unit tests of the graph stores (kg.embedded, kg.neo4j)."""

"""Run the GraphStore contract suite against every implementation."""

from __future__ import annotations

import pytest

from kg.store import GraphStore
from tests.contract.read_tests import CountsTests, FindTests, NeighbourhoodTests, PathsTests
from tests.contract.store_tests import (
    BadInputTests,
    DeleteBySourceTests,
    IdempotencyTests,
    TransactionTests,
    UpsertNodesTests,
    UpsertRelationshipsTests,
)


class _AllContracts(
    UpsertNodesTests,
    UpsertRelationshipsTests,
    FindTests,
    NeighbourhoodTests,
    PathsTests,
    CountsTests,
    DeleteBySourceTests,
    BadInputTests,
    IdempotencyTests,
    TransactionTests,
):
    """Every capability mixin."""


class TestEmbeddedStore(_AllContracts):
    @pytest.fixture
    def store(self, embedded_store: GraphStore) -> GraphStore:
        return embedded_store

    def test_is_a_graph_store(self, store: GraphStore) -> None:
        """The embedded store satisfies the GraphStore protocol."""
        assert isinstance(store, GraphStore)


@pytest.mark.bolt
class TestNeo4jStore(_AllContracts):
    @pytest.fixture
    def store(self, bolt_store: GraphStore) -> GraphStore:
        return bolt_store

    def test_is_a_graph_store(self, store: GraphStore) -> None:
        """The Neo4j store satisfies the GraphStore protocol."""
        assert isinstance(store, GraphStore)

"""Run the GraphStore contract suite against every implementation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg import BaseGraphStore
from kg.store import GraphStore
from tests.contract import fixtures as fx
from tests.contract.fixtures import load as fixtures_load
from tests.contract.read_tests import CountsTests, FindTests, NeighbourhoodTests, PathsTests
from tests.contract.store_tests import (
    BadInputTests,
    DeleteBySourceTests,
    IdempotencyTests,
    TransactionTests,
    UpsertNodesTests,
    UpsertRelationshipsTests,
)
from tests.contract.temp_store import TempStore


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
        """The embedded store satisfies the GraphStore protocol and checks arguments through BaseGraphStore."""
        assert isinstance(store, GraphStore) and isinstance(store, BaseGraphStore)


class TestTempStore(_AllContracts):
    """The store tests use instead of a fake (tests/contract/temp_store.py) keeps the whole contract."""

    @pytest.fixture
    def store(self) -> Iterator[GraphStore]:
        s = TempStore()
        yield s
        s.close()

    def test_views_and_cleanup(self) -> None:
        """``nodes``/``rels`` show what is stored; close removes the temporary folder."""
        s = TempStore()
        fixtures_load(s)
        assert set(s.nodes) == {n.id for n in fx.NODES} and set(s.rels) == {r.key for r in fx.RELS}
        folder = s.path.parent
        s.close()
        assert not folder.exists()


@pytest.mark.bolt
class TestNeo4jStore(_AllContracts):
    @pytest.fixture
    def store(self, bolt_store: GraphStore) -> GraphStore:
        return bolt_store

    def test_is_a_graph_store(self, store: GraphStore) -> None:
        """The Neo4j store satisfies the GraphStore protocol and checks arguments through BaseGraphStore."""
        assert isinstance(store, GraphStore) and isinstance(store, BaseGraphStore)

"""The GraphStore contract as capability mixins (the shape of haystack's ``haystack/testing/document_store.py``).

Write-side mixins live here, read-side ones in :mod:`tests.contract.read_tests`. Each mixin uses a single
function-scoped ``store`` fixture yielding an empty store with its schema ensured;
a test class per implementation composes the mixins and overrides that fixture. Each test's docstring names
the behaviour it pins.
"""

from __future__ import annotations

import pytest

from kg.store import GraphStore
from medkg.errors import EmptyInputError, InputValidationError, MissingEndpointError
from medkg.types import Node, Relationship
from tests.contract import fixtures as fx
from tests.contract.fixtures import load, node, rel

__all__ = [
    "BY_ID",
    "BadInputTests",
    "DeleteBySourceTests",
    "IdempotencyTests",
    "TransactionTests",
    "UpsertNodesTests",
    "UpsertRelationshipsTests",
    "ids",
    "keys",
]

BY_ID = {n.id: n for n in fx.NODES}


def ids(nodes: list[Node]) -> list[str]:
    return [n.id for n in nodes]


def keys(rels: list[Relationship]) -> list[tuple[str, str, str, str]]:
    return [r.key for r in rels]


class UpsertNodesTests:
    def test_upsert_creates_nodes(self, store: GraphStore) -> None:
        """A call with new ids creates every node and reports them as created."""
        report = store.upsert_nodes(fx.NODES)
        assert (report.rows, report.created, report.updated) == (len(fx.NODES), len(fx.NODES), 0)
        assert store.existing_ids([n.id for n in fx.NODES]) == {n.id for n in fx.NODES}

    def test_round_trip(self, store: GraphStore) -> None:
        """get_node returns a Node equal to the one written (props of every scalar/list type, lang, synonyms)."""
        load(store)
        for n in fx.NODES:
            assert store.get_node(n.id) == n
        got = store.get_node(fx.METFORMIN)
        assert got is not None
        assert isinstance(got.props["year"], int) and isinstance(got.props["approved"], bool)

    def test_get_node_missing_is_none(self, store: GraphStore) -> None:
        """An unknown id reads as None, not an error."""
        load(store)
        assert store.get_node("DOID:0000") is None

    def test_get_nodes_keeps_request_order(self, store: GraphStore) -> None:
        """get_nodes returns existing nodes in the order asked for and skips missing ids."""
        load(store)
        asked = [fx.SUGAR, "DOID:0000", fx.T2DM, fx.ZH_DM, fx.HEADACHE]
        assert ids(store.get_nodes(asked)) == [fx.SUGAR, fx.T2DM, fx.ZH_DM, fx.HEADACHE]
        assert store.get_nodes([]) == []

    def test_existing_ids(self, store: GraphStore) -> None:
        """existing_ids is the subset of the given ids present in the store."""
        load(store)
        assert store.existing_ids([fx.T2DM, "DOID:0000", fx.ZH_ENDO]) == {fx.T2DM, fx.ZH_ENDO}
        assert store.existing_ids([]) == set()

    def test_merge_unions_synonyms_and_sources(self, store: GraphStore) -> None:
        """Re-upserting an id unions synonyms and sources, sorted, and reports it as updated."""
        load(store)
        report = store.upsert_nodes([node(fx.DM, "Disease", "Diabetes mellitus", "cmekg", "alpha",
                                          synonyms=("diabetes", "DM"))])
        assert (report.rows, report.created, report.updated) == (1, 0, 1)
        got = store.get_node(fx.DM)
        assert got is not None
        assert got.synonyms == ("DM", "diabetes")
        assert got.sources == ("alpha", "cmekg", "hetionet")

    def test_merge_overwrites_scalars_and_prop_keys(self, store: GraphStore) -> None:
        """name/lang and each props key given are overwritten; props keys not given are kept."""
        load(store)
        store.upsert_nodes([node(fx.METFORMIN, "Compound", "Metformin hydrochloride", lang="en",
                                 props={"mw": 165.6, "salt": "HCl"})])
        got = store.get_node(fx.METFORMIN)
        assert got is not None
        assert got.name == "Metformin hydrochloride"
        assert got.lang == "en"
        assert got.props == {"mw": 165.6, "approved": True, "year": 1995, "salt": "HCl"}

    def test_synonyms_and_sources_stored_sorted_unique(self, store: GraphStore) -> None:
        """Synonyms and sources are stored sorted and de-duplicated, even on creation."""
        store.upsert_nodes([node("medkg:x", "Symptom", "X", "b", "a", "b", synonyms=("zeta", "alpha", "zeta"))])
        got = store.get_node("medkg:x")
        assert got is not None
        assert (got.synonyms, got.sources) == (("alpha", "zeta"), ("a", "b"))

    def test_repeated_id_in_one_call_is_merged(self, store: GraphStore) -> None:
        """An id given twice in one call is merged in order: one node, last name, union of synonyms."""
        report = store.upsert_nodes([node("medkg:x", "Symptom", "X", synonyms=("a",)),
                                     node("medkg:x", "Symptom", "Y", "other", synonyms=("b",))])
        assert (report.rows, report.created, report.updated) == (2, 1, 0)
        got = store.get_node("medkg:x")
        assert got is not None
        assert (got.name, got.synonyms, got.sources) == ("Y", ("a", "b"), ("hetionet", "other"))

    def test_rename_updates_lookup(self, store: GraphStore) -> None:
        """After a rename, find_nodes finds the new name and no longer the old one."""
        load(store)
        store.upsert_nodes([node(fx.POLYURIA, "Symptom", "Frequent urination")])
        assert ids(store.find_nodes("frequent urination", exact=True)) == [fx.POLYURIA]
        assert store.find_nodes("polyuria") == []

    def test_relabel_keeps_relationships(self, store: GraphStore) -> None:
        """A new label for an existing id is overwritten, and the node keeps its relationships."""
        load(store)
        store.upsert_nodes([node(fx.FATIGUE, "Disease", "Fatigue")])
        got = store.get_node(fx.FATIGUE)
        assert got is not None and got.label == "Disease"
        assert len(store.relationships_of(fx.FATIGUE)) == 3
        assert store.counts().nodes["Disease"] == 9

    def test_relabel_in_a_batch_of_new_nodes(self, store: GraphStore) -> None:
        """One batch holding a relabelled id and new ids: the new ones are created once, the old one updated."""
        load(store)
        before = store.counts()
        report = store.upsert_nodes([node("medkg:new:1", "Symptom", "New one"), node(fx.FATIGUE, "Disease", "Fatigue"),
                                     node("medkg:new:2", "Disease", "New two")])
        assert (report.rows, report.created, report.updated) == (3, 2, 1)
        after = store.counts()
        assert after.nodes["Disease"] == before.nodes["Disease"] + 2
        assert after.nodes["Symptom"] == before.nodes["Symptom"]  # +1 new, -1 relabelled
        assert [n.label for n in store.get_nodes(["medkg:new:1", fx.FATIGUE, "medkg:new:2"])] == [
            "Symptom", "Disease", "Disease"]
        assert len(store.relationships_of(fx.FATIGUE)) == 3


class UpsertRelationshipsTests:
    def test_creates_relationships(self, store: GraphStore) -> None:
        """Relationships are created and read back equal through relationships_of."""
        store.upsert_nodes(fx.NODES)
        report = store.upsert_relationships(fx.RELS)
        assert (report.rows, report.created, report.updated) == (len(fx.RELS), len(fx.RELS), 0)
        want = sorted((r for r in fx.RELS if fx.T2DM in (r.start, r.end)), key=lambda r: r.key)
        assert store.relationships_of(fx.T2DM) == want

    def test_ends_found_whatever_their_label(self, store: GraphStore) -> None:
        """An end stored under another label than the relationship type's schema names is still found."""
        store.upsert_nodes([node("medkg:d:1", "Disease", "One"), node("medkg:d:2", "Disease", "Two")])
        report = store.upsert_relationships([rel("HAS_SYMPTOM", "medkg:d:1", "medkg:d:2")])
        assert report.created == 1
        assert [r.end for r in store.relationships_of("medkg:d:1")] == ["medkg:d:2"]

    def test_same_fact_from_two_sources_is_two_relationships(self, store: GraphStore) -> None:
        """Identity is (type, start, end, source): two sources give two relationships."""
        load(store)
        got = store.relationships_of(fx.PANCREAS)
        assert [(r.source, r.weight) for r in got] == [("hetionet", 0.5), ("manual", 0.7)]

    def test_weight_and_props_overwritten(self, store: GraphStore) -> None:
        """Re-upserting a relationship key overwrites weight and props, and reports it as updated."""
        load(store)
        report = store.upsert_relationships([rel("COOCCURS_WITH", fx.T2DM, fx.HTN, weight=0.1, enrichment=3.0)])
        assert (report.created, report.updated) == (0, 1)
        got = [r for r in store.relationships_of(fx.T2DM, rel_types=["COOCCURS_WITH"])]
        assert got == [rel("COOCCURS_WITH", fx.T2DM, fx.HTN, weight=0.1, enrichment=3.0)]

    def test_relationships_of_direction_types_limit(self, store: GraphStore) -> None:
        """relationships_of honours direction ('out', 'in', 'both'), rel_types and limit, sorted by key."""
        load(store)
        out = store.relationships_of(fx.HTN, direction="out")
        assert keys(out) == [("HAS_SYMPTOM", fx.HTN, fx.FATIGUE, "hetionet"),
                             ("HAS_SYMPTOM", fx.HTN, fx.HEADACHE, "hetionet")]
        inc = store.relationships_of(fx.HTN, direction="in")
        assert keys(inc) == [("COOCCURS_WITH", fx.T2DM, fx.HTN, "hetionet"),
                             ("TREATS", fx.LISINOPRIL, fx.HTN, "hetionet")]
        assert keys(store.relationships_of(fx.HTN)) == sorted(keys(out) + keys(inc))
        assert keys(store.relationships_of(fx.HTN, rel_types=["TREATS"])) == [keys(inc)[1]]
        assert len(store.relationships_of(fx.HTN, limit=3)) == 3
        assert store.relationships_of(fx.ATORVASTATIN) == []


class DeleteBySourceTests:
    def test_delete_source_detaches_and_deletes(self, store: GraphStore) -> None:
        """Nodes only that source vouched for go (with all their relationships); shared nodes lose the source."""
        load(store)
        report = store.delete_source("cmekg")
        assert (report.source, report.nodes_deleted, report.nodes_detached, report.relationships_deleted) == (
            "cmekg", 4, 1, 5)
        assert store.existing_ids([fx.ZH_DM, fx.ZH_HTN, fx.ZH_ENDO, fx.SUGAR, fx.ENDO]) == {fx.ENDO}
        endo = store.get_node(fx.ENDO)
        assert endo is not None and endo.sources == ("hetionet",)
        c = store.counts()
        assert c.nodes["Disease"] == 6 and "Food" not in c.nodes
        assert "TREATED_IN" not in c.relationships and "SAME_AS" not in c.relationships
        assert sum(c.relationships.values()) == len(fx.RELS) - 5
        assert store.node_ids(source="cmekg") == []
        assert store.find_nodes("糖尿病") == []

    def test_delete_relationship_only_source(self, store: GraphStore) -> None:
        """A source that vouches only for relationships deletes just those."""
        load(store)
        report = store.delete_source("manual")
        assert (report.nodes_deleted, report.nodes_detached, report.relationships_deleted) == (0, 0, 3)
        assert [r.source for r in store.relationships_of(fx.PANCREAS)] == ["hetionet"]

    def test_delete_unknown_source(self, store: GraphStore) -> None:
        """Deleting a source nobody used changes nothing."""
        load(store)
        report = store.delete_source("nobody")
        assert (report.nodes_deleted, report.nodes_detached, report.relationships_deleted) == (0, 0, 0)
        assert sum(store.counts().nodes.values()) == len(fx.NODES)


class BadInputTests:
    def test_unknown_label_rejected(self, store: GraphStore) -> None:
        """A label outside kg.schema raises InputValidationError (a ValueError-like input error) and writes nothing."""
        with pytest.raises(InputValidationError, match="Wizard"):
            store.upsert_nodes([fx.NODES[0], node("medkg:x", "Wizard", "X")])
        assert store.counts().nodes == {}

    def test_unknown_rel_type_rejected(self, store: GraphStore) -> None:
        """A relationship type outside kg.schema raises InputValidationError and writes nothing."""
        load(store)
        with pytest.raises(InputValidationError, match="CURES"):
            store.upsert_relationships([rel("TREATS", fx.ATORVASTATIN, fx.HTN), rel("CURES", fx.METFORMIN, fx.DM)])
        assert store.relationships_of(fx.ATORVASTATIN) == []

    def test_unknown_label_or_type_in_reads(self, store: GraphStore) -> None:
        """Reads reject unknown labels and relationship types, bad directions and negative limits."""
        load(store)
        with pytest.raises(InputValidationError):
            store.find_nodes("diabetes", labels=["Wizard"])
        with pytest.raises(InputValidationError):
            store.neighbourhood([fx.T2DM], rel_types=["CURES"])
        with pytest.raises(InputValidationError):
            store.paths(fx.T2DM, fx.DM, rel_types=["CURES"])
        with pytest.raises(InputValidationError):
            store.relationships_of(fx.T2DM, direction="sideways")
        with pytest.raises(InputValidationError):
            store.node_ids(label="Wizard")
        with pytest.raises(InputValidationError):
            store.neighbourhood([fx.T2DM], hops=-1)

    def test_negative_counts_rejected(self, store: GraphStore) -> None:
        """Every count argument (limit, hops, max_hops) must be >= 0; the message names the argument."""
        load(store)
        with pytest.raises(InputValidationError, match="limit"):
            store.find_nodes("diabetes", limit=-1)
        with pytest.raises(InputValidationError, match="limit"):
            store.relationships_of(fx.T2DM, limit=-1)
        with pytest.raises(InputValidationError, match="limit"):
            store.neighbourhood([fx.T2DM], limit=-1)
        with pytest.raises(InputValidationError, match="max_hops"):
            store.paths(fx.T2DM, fx.DM, max_hops=-1)
        with pytest.raises(InputValidationError, match="limit"):
            store.paths(fx.T2DM, fx.DM, limit=-1)
        with pytest.raises(InputValidationError, match="CURES"):
            store.relationships_of(fx.T2DM, rel_types=["CURES"])

    def test_empty_source_rejected(self, store: GraphStore) -> None:
        """delete_source('') raises InputValidationError and deletes nothing."""
        load(store)
        with pytest.raises(InputValidationError, match="source"):
            store.delete_source("")
        assert sum(store.counts().nodes.values()) == len(fx.NODES)

    def test_empty_batches_and_id_lists(self, store: GraphStore) -> None:
        """Empty batches write nothing and report zero rows; empty id lists read as empty."""
        assert store.upsert_nodes([]).rows == 0
        assert store.upsert_relationships([]).rows == 0
        assert store.get_nodes([]) == [] and store.existing_ids([]) == set()
        assert store.neighbourhood([]).nodes == []

    def test_empty_query_rejected(self, store: GraphStore) -> None:
        """A search text that normalises to nothing raises EmptyInputError."""
        with pytest.raises(EmptyInputError):
            store.find_nodes(" -- ")


class IdempotencyTests:
    def test_upserting_twice_changes_nothing(self, store: GraphStore) -> None:
        """The same nodes and relationships upserted twice give identical counts, nodes and relationships."""
        load(store)
        before = (store.counts(), store.get_nodes(store.node_ids()),
                  [store.relationships_of(i, direction="out") for i in store.node_ids()])
        nodes_report = store.upsert_nodes(fx.NODES)
        rels_report = store.upsert_relationships(fx.RELS)
        assert (nodes_report.created, nodes_report.updated) == (0, len(fx.NODES))
        assert (rels_report.created, rels_report.updated) == (0, len(fx.RELS))
        after = (store.counts(), store.get_nodes(store.node_ids()),
                 [store.relationships_of(i, direction="out") for i in store.node_ids()])
        assert after == before

    def test_ensure_schema_is_idempotent(self, store: GraphStore) -> None:
        """ensure_schema may run again on a store with data."""
        load(store)
        store.ensure_schema()
        assert sum(store.counts().nodes.values()) == len(fx.NODES)


class TransactionTests:
    def test_missing_endpoint_rolls_back_the_whole_call(self, store: GraphStore) -> None:
        """One missing endpoint raises MissingEndpointError naming it, and no relationship of the call is written."""
        load(store)
        batch = [rel("TREATS", fx.ATORVASTATIN, fx.HTN), rel("COOCCURS_WITH", fx.T2DM, fx.HTN, weight=0.01),
                 rel("TREATS", fx.ATORVASTATIN, "DOID:0000")]
        with pytest.raises(MissingEndpointError) as err:
            store.upsert_relationships(batch)
        assert err.value.missing == ["DOID:0000"]
        assert store.relationships_of(fx.ATORVASTATIN) == []
        (cooc,) = store.relationships_of(fx.T2DM, rel_types=["COOCCURS_WITH"])
        assert cooc.weight == 0.4

    def test_empty_batches_are_no_ops(self, store: GraphStore) -> None:
        """Empty node and relationship batches write nothing and report zero rows."""
        load(store)
        assert store.upsert_nodes([]).rows == 0
        assert store.upsert_relationships([]).rows == 0
        assert sum(store.counts().nodes.values()) == len(fx.NODES)

    def test_store_usable_after_failed_call(self, store: GraphStore) -> None:
        """A failed call leaves the store as it was and ready for the next call."""
        load(store)
        with pytest.raises(MissingEndpointError):
            store.upsert_relationships([rel("TREATS", fx.ATORVASTATIN, "DOID:0000")])
        store.upsert_relationships([rel("TREATS", fx.ATORVASTATIN, fx.HTN)])
        assert len(store.relationships_of(fx.ATORVASTATIN)) == 1

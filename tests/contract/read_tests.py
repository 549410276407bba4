"""The GraphStore contract, read side: find, neighbourhood, paths, counts (see :mod:`tests.contract.store_tests`)."""

from __future__ import annotations

from kg.store import GraphStore
from tests.contract import fixtures as fx
from tests.contract.fixtures import load
from tests.contract.store_tests import BY_ID, ids, keys

__all__ = ["CountsTests", "FindTests", "NeighbourhoodTests", "PathsTests"]


class FindTests:
    def test_find_by_name_case_insensitive(self, store: GraphStore) -> None:
        """The name matches whatever its case; the whole Node comes back."""
        load(store)
        assert store.find_nodes("type 2 DIABETES Mellitus") == [BY_ID[fx.T2DM]]

    def test_find_by_synonym(self, store: GraphStore) -> None:
        """Any synonym matches."""
        load(store)
        assert ids(store.find_nodes("t2dm")) == [fx.T2DM]
        assert ids(store.find_nodes("Acetaminophen", exact=True)) == [fx.PARACETAMOL]

    def test_find_accent_and_punctuation_insensitive(self, store: GraphStore) -> None:
        """Accents, apostrophes and hyphens are folded (kg.normalize.normalize_name)."""
        load(store)
        assert ids(store.find_nodes("meniere disease", exact=True)) == [fx.MENIERE]
        assert ids(store.find_nodes("MÉNIÈRE")) == [fx.MENIERE]
        assert ids(store.find_nodes("crohns-disease", exact=True)) == [fx.CROHN]
        assert ids(store.find_nodes("crohn")) == [fx.CROHN]

    def test_find_chinese(self, store: GraphStore) -> None:
        """Chinese names and synonyms match exactly and by prefix."""
        load(store)
        assert store.find_nodes("糖尿病", exact=True) == [BY_ID[fx.ZH_DM]]
        assert ids(store.find_nodes("消渴")) == [fx.ZH_DM]
        assert ids(store.find_nodes("糖尿")) == [fx.ZH_DM]
        assert ids(store.find_nodes("分泌")) == [fx.ZH_ENDO]
        assert ids(store.find_nodes("分泌科")) == [fx.ZH_ENDO]

    def test_exact_versus_prefix_and_substring(self, store: GraphStore) -> None:
        """exact=True only matches whole names/synonyms; otherwise prefix and substring matches follow."""
        load(store)
        assert store.find_nodes("diabetes", exact=True) == []
        assert ids(store.find_nodes("diabetes")) == [fx.DM, fx.T2DM]
        assert ids(store.find_nodes("mellitus")) == [fx.DM, fx.T2DM]

    def test_ranking_exact_prefix_substring_then_name(self, store: GraphStore) -> None:
        """Exact matches first, then prefix, then substring; ties by name."""
        load(store)
        assert ids(store.find_nodes("diabetes mellitus")) == [fx.DM, fx.T2DM]
        assert ids(store.find_nodes("diabetes mellitus", exact=True)) == [fx.DM]
        assert ids(store.find_nodes("pa")) == [fx.PANCREAS, fx.PARACETAMOL, fx.ABD_PAIN]
        assert ids(store.find_nodes("high")) == [fx.HYPERGLYCEMIA, fx.HTN]

    def test_label_filter(self, store: GraphStore) -> None:
        """labels restricts the result to nodes of those labels."""
        load(store)
        assert ids(store.find_nodes("high", labels=["Symptom"])) == [fx.HYPERGLYCEMIA]
        assert ids(store.find_nodes("high", labels=["Disease", "Compound"])) == [fx.HTN]
        assert store.find_nodes("diabetes", labels=["Food"]) == []

    def test_limit(self, store: GraphStore) -> None:
        """At most limit nodes, the best-ranked ones."""
        load(store)
        assert ids(store.find_nodes("pa", limit=2)) == [fx.PANCREAS, fx.PARACETAMOL]
        assert ids(store.find_nodes("diabetes", limit=1)) == [fx.DM]

    def test_no_match(self, store: GraphStore) -> None:
        """A name nothing matches gives an empty list."""
        load(store)
        assert store.find_nodes("zzz unknown") == []


class NeighbourhoodTests:
    def test_one_hop(self, store: GraphStore) -> None:
        """hops=1: the seed, its neighbours (by weight, None last), and only the relationships touching the seed."""
        load(store)
        sub = store.neighbourhood([fx.T2DM])
        assert ids(sub.nodes) == [fx.T2DM, fx.METFORMIN, fx.HYPERGLYCEMIA, fx.PANCREAS, fx.POLYURIA, fx.HTN,
                                  fx.FATIGUE, fx.ENDO]
        assert sorted(keys(sub.relationships)) == sorted(r.key for r in fx.RELS if fx.T2DM in (r.start, r.end))
        assert sub.nodes[0] == BY_ID[fx.T2DM]

    def test_two_hops(self, store: GraphStore) -> None:
        """hops=2 adds second-level nodes after the first level, and the relationships on the walked paths."""
        load(store)
        sub = store.neighbourhood([fx.T2DM], hops=2)
        assert ids(sub.nodes)[8:] == [fx.LISINOPRIL, fx.DM, fx.HEADACHE, fx.CROHN, fx.ZH_ENDO]
        kept = set(ids(sub.nodes))
        assert len(sub.relationships) == 15
        assert all(r.start in kept and r.end in kept for r in sub.relationships)
        assert ("HAS_SYMPTOM", fx.HTN, fx.FATIGUE, "hetionet") in keys(sub.relationships)
        assert ("COOCCURS_WITH", fx.CROHN, fx.UC, "hetionet") not in keys(sub.relationships)

    def test_rel_types_restrict_the_walk(self, store: GraphStore) -> None:
        """rel_types restricts which relationships are walked and returned."""
        load(store)
        sub = store.neighbourhood([fx.T2DM], hops=2, rel_types=["HAS_SYMPTOM"])
        assert ids(sub.nodes) == [fx.T2DM, fx.HYPERGLYCEMIA, fx.POLYURIA, fx.FATIGUE, fx.DM, fx.HTN, fx.CROHN]
        assert {r.type for r in sub.relationships} == {"HAS_SYMPTOM"}
        assert len(sub.relationships) == 6

    def test_min_weight(self, store: GraphStore) -> None:
        """min_weight skips lighter relationships but keeps those without a weight."""
        load(store)
        sub = store.neighbourhood([fx.T2DM], min_weight=0.5)
        assert ids(sub.nodes) == [fx.T2DM, fx.METFORMIN, fx.HYPERGLYCEMIA, fx.PANCREAS, fx.POLYURIA, fx.ENDO]
        assert len(sub.relationships) == 6

    def test_limit_keeps_nearest_heaviest(self, store: GraphStore) -> None:
        """limit caps the nodes besides the seeds: nearest first, then heaviest relationship, then id."""
        load(store)
        sub = store.neighbourhood([fx.T2DM], hops=2, limit=2)
        assert ids(sub.nodes) == [fx.T2DM, fx.METFORMIN, fx.HYPERGLYCEMIA]
        assert sorted(keys(sub.relationships)) == [("HAS_SYMPTOM", fx.T2DM, fx.HYPERGLYCEMIA, "hetionet"),
                                                   ("TREATS", fx.METFORMIN, fx.T2DM, "hetionet")]
        sub = store.neighbourhood([fx.T2DM], hops=2, limit=9)
        assert ids(sub.nodes)[-2:] == [fx.LISINOPRIL, fx.DM]

    def test_several_seeds_and_missing_seed(self, store: GraphStore) -> None:
        """Seeds come first in the given order; unknown seed ids are skipped; hops=0 returns just the seeds."""
        load(store)
        sub = store.neighbourhood([fx.HTN, "DOID:0000", fx.T2DM], hops=0)
        assert ids(sub.nodes) == [fx.HTN, fx.T2DM]
        assert sub.relationships == []
        sub = store.neighbourhood([fx.HTN, fx.T2DM])
        assert ids(sub.nodes)[:2] == [fx.HTN, fx.T2DM]
        assert ("COOCCURS_WITH", fx.T2DM, fx.HTN, "hetionet") in keys(sub.relationships)
        assert store.neighbourhood(["DOID:0000"]).nodes == []

    def test_isolated_node(self, store: GraphStore) -> None:
        """A node without relationships is its own neighbourhood."""
        load(store)
        sub = store.neighbourhood([fx.ATORVASTATIN], hops=2)
        assert (ids(sub.nodes), sub.relationships) == ([fx.ATORVASTATIN], [])


class PathsTests:
    def test_shortest_path_ignores_direction(self, store: GraphStore) -> None:
        """The shortest path is found walking relationships against their direction too."""
        load(store)
        (path,) = store.paths(fx.METFORMIN, fx.HYPERGLYCEMIA)
        assert ids(path.nodes) == [fx.METFORMIN, fx.T2DM, fx.HYPERGLYCEMIA]
        assert keys(path.relationships) == [("TREATS", fx.METFORMIN, fx.T2DM, "hetionet"),
                                            ("HAS_SYMPTOM", fx.T2DM, fx.HYPERGLYCEMIA, "hetionet")]
        assert path.nodes[0] == BY_ID[fx.METFORMIN]

    def test_only_shortest_paths(self, store: GraphStore) -> None:
        """Longer paths are not returned; all equally short ones are, ordered by node ids; limit caps them."""
        load(store)
        got = store.paths(fx.HYPERGLYCEMIA, fx.ENDO)
        assert [ids(p.nodes) for p in got] == [[fx.HYPERGLYCEMIA, fx.DM, fx.ENDO], [fx.HYPERGLYCEMIA, fx.T2DM, fx.ENDO]]
        assert len(store.paths(fx.HYPERGLYCEMIA, fx.ENDO, limit=1)) == 1
        (path,) = store.paths(fx.METFORMIN, fx.HEADACHE)
        assert ids(path.nodes) == [fx.METFORMIN, fx.T2DM, fx.HTN, fx.HEADACHE]

    def test_parallel_relationships_are_distinct_paths(self, store: GraphStore) -> None:
        """Two relationships between the same nodes give two paths."""
        load(store)
        got = store.paths(fx.PANCREAS, fx.T2DM)
        assert [p.relationships[0].source for p in got] == ["hetionet", "manual"]

    def test_max_hops(self, store: GraphStore) -> None:
        """No path longer than max_hops is returned."""
        load(store)
        assert store.paths(fx.METFORMIN, fx.HEADACHE, max_hops=2) == []
        assert store.paths(fx.UC, fx.SUGAR, max_hops=6) == []
        (path,) = store.paths(fx.UC, fx.SUGAR, max_hops=7)
        assert len(path.relationships) == 7

    def test_rel_types(self, store: GraphStore) -> None:
        """rel_types restricts the relationships a path may use."""
        load(store)
        assert store.paths(fx.METFORMIN, fx.HEADACHE, rel_types=["HAS_SYMPTOM", "COOCCURS_WITH"]) == []
        (path,) = store.paths(fx.T2DM, fx.HEADACHE, rel_types=["HAS_SYMPTOM"])
        assert ids(path.nodes) == [fx.T2DM, fx.FATIGUE, fx.HTN, fx.HEADACHE]

    def test_no_path_and_trivial_path(self, store: GraphStore) -> None:
        """Unconnected or unknown ids give no path; a node to itself is one path of length 0."""
        load(store)
        assert store.paths(fx.ATORVASTATIN, fx.T2DM) == []
        assert store.paths("DOID:0000", fx.T2DM) == []
        (path,) = store.paths(fx.T2DM, fx.T2DM)
        assert (ids(path.nodes), path.relationships) == ([fx.T2DM], [])


class CountsTests:
    def test_counts_per_label_and_type(self, store: GraphStore) -> None:
        """counts gives the number of nodes per label and relationships per type."""
        assert store.counts().nodes == {} and store.counts().relationships == {}
        load(store)
        c = store.counts()
        assert c.nodes == {"Disease": 8, "Symptom": 6, "Compound": 4, "Department": 2, "Anatomy": 1, "Food": 1}
        assert c.relationships == {"HAS_SYMPTOM": 9, "TREATS": 2, "COOCCURS_WITH": 2, "TREATED_IN": 3, "SAME_AS": 1,
                                   "AVOID": 1, "RELATED_TO": 3}

    def test_node_ids_filters(self, store: GraphStore) -> None:
        """node_ids is sorted and filters by label and/or source."""
        load(store)
        assert store.node_ids() == sorted(n.id for n in fx.NODES)
        assert store.node_ids(label="Department") == [fx.ENDO, fx.ZH_ENDO]
        assert store.node_ids(source="cmekg") == sorted([fx.ZH_DM, fx.ZH_HTN, fx.ENDO, fx.ZH_ENDO, fx.SUGAR])
        assert store.node_ids(label="Disease", source="cmekg") == sorted([fx.ZH_DM, fx.ZH_HTN])
        assert store.node_ids(source="nobody") == []

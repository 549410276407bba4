"""Domain types validate input; citation ids follow <scheme>:<local id>[#<part>]."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from medkg.errors import DataFileError, MedkgError, MissingDependencyError, RowError
from medkg.extras import require
from medkg.types import Node, Relationship, node_citation, parse_citation, rel_citation


def test_node_requires_prefixed_id_and_source() -> None:
    Node(id="DOID:9352", label="Disease", name="type 2 diabetes mellitus", sources=("hetionet",))
    with pytest.raises(ValidationError):
        Node(id="9352", label="Disease", name="x", sources=("hetionet",))
    with pytest.raises(ValidationError):
        Node(id="DOID:9352", label="Disease", name="x", sources=())
    with pytest.raises(ValidationError):
        Node(id="DOID:9352", label="not a label", name="x", sources=("s",))


def test_node_props_must_be_neo4j_storable() -> None:
    """Nested maps cannot be stored as Neo4j properties, so they are rejected up front."""
    with pytest.raises(ValidationError):
        Node(id="DOID:1", label="Disease", name="x", sources=("s",), props={"bad": {"nested": 1}})


def test_relationship_key_and_citation() -> None:
    r = Relationship(type="HAS_SYMPTOM", start="DOID:9352", end="MESH:D006261", source="hsdn", weight=0.4)
    assert r.key == ("HAS_SYMPTOM", "DOID:9352", "MESH:D006261", "hsdn")
    assert r.citation == "kg:rel:HAS_SYMPTOM:DOID:9352->MESH:D006261#hsdn"
    with pytest.raises(ValidationError):
        Relationship(type="has symptom", start="DOID:1", end="MESH:D1", source="s")


def test_citation_round_trip() -> None:
    assert node_citation("DOID:9352") == "kg:node:DOID:9352"
    assert parse_citation("pmid:21645374#results") == ("pmid", "21645374", "results")
    assert parse_citation("medquad:0000001_1-1") == ("medquad", "0000001_1-1", None)
    assert parse_citation(rel_citation("TREATS", "DrugBank:DB00331", "DOID:9352", "pharmacotherapydb"))[0] == "kg"
    with pytest.raises(ValueError, match="not a citation"):
        parse_citation("nocolon")


def test_row_error_names_file_and_line() -> None:
    e = RowError("data/x.tsv", 17, "missing column 'doid_code'")
    assert isinstance(e, DataFileError) and isinstance(e, MedkgError)
    assert str(e) == "data/x.tsv: line 17: missing column 'doid_code'"
    assert e.line == 17


def test_missing_extra_names_the_extra() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'medkg\[ml\]'") as info:
        require("surely_not_an_installed_module_xyz", "ml")
    assert isinstance(info.value.__cause__, ImportError)

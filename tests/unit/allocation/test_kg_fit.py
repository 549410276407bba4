"""Department fit from the KG: exact names with the semantic tag removed, record links, explicit ids; no guessing."""

from __future__ import annotations

from typing import Any

import pytest

from medkg.types import Node, Relationship
from reasoning.allocation.service.kg_fit import DepartmentResolver, strip_semantic_tag
from reasoning.allocation.service.models import Department, PatientRequest

CUR, SYN = "curated", "synthea"
APPX = "medkg:zh:disease:阑尾炎"


@pytest.fixture
def kg(embedded_store: Any) -> Any:
    st = embedded_store
    st.upsert_nodes([
        Node(id="DOID:10763", label="Disease", name="hypertension", sources=(CUR,)),
        Node(id="DOID:7148", label="Disease", name="rheumatoid arthritis", sources=(CUR,)),
        Node(id=APPX, label="Disease", name="阑尾炎", lang="zh", sources=("zh_kg",)),
        Node(id="medkg:disease:a", label="Disease", name="Gout", sources=("disease_symptom",)),
        Node(id="DOID:13189", label="Disease", name="gout", sources=(CUR,)),
        Node(id="medkg:condition:1", label="Condition", name="Appendicitis", sources=(SYN,)),
        Node(id="medkg:condition:2", label="Condition", name="Appendicitis", sources=(SYN,)),
        Node(id="medkg:dept:cardiology", label="Department", name="Cardiology", sources=(CUR,)),
        Node(id="medkg:dept:general-surgery", label="Department", name="General Surgery", sources=(CUR,)),
        Node(id="medkg:dept:rheumatology", label="Department", name="Rheumatology", sources=(CUR,)),
    ])
    st.upsert_relationships([
        Relationship(type="TREATED_IN", start="DOID:10763", end="medkg:dept:cardiology", source=CUR,
                     props={"rank": 1}),
        Relationship(type="TREATED_IN", start="DOID:7148", end="medkg:dept:rheumatology", source=CUR,
                     props={"rank": 1}),
        Relationship(type="TREATED_IN", start=APPX, end="medkg:dept:general-surgery", source=CUR, props={"rank": 1}),
        Relationship(type="TREATED_IN", start="DOID:13189", end="medkg:dept:rheumatology", source=CUR,
                     props={"rank": 1}),
        Relationship(type="IS_A", start="medkg:condition:1", end=APPX, source=SYN),
        Relationship(type="IS_A", start="medkg:condition:2", end=APPX, source=SYN),
    ])
    return st


def _resolver(st: Any) -> DepartmentResolver:
    deps = [Department(id=d, kg_id=f"medkg:dept:{d}") for d in ("cardiology", "general-surgery", "rheumatology")]
    return DepartmentResolver(st, deps)


def test_strip_semantic_tag() -> None:
    assert strip_semantic_tag("Sepsis (disorder)") == "Sepsis"
    assert strip_semantic_tag("Severe anxiety (panic) (finding") == "Severe anxiety (panic)"
    assert strip_semantic_tag("Appendicitis") == "Appendicitis"


def test_semantic_tag_removed_before_the_exact_match(kg: Any) -> None:
    fit = _resolver(kg).fit("Hypertension (disorder)")
    assert fit.reason is None and fit.departments == [("cardiology", 1)]
    assert [f.id for f in fit.facts] == ["kg:node:DOID:10763",
                                         "kg:rel:TREATED_IN:DOID:10763->medkg:dept:cardiology#curated"]


def test_no_narrower_disease_by_substring(kg: Any) -> None:
    """'arthritis' is not 'rheumatoid arthritis': a broader term never resolves to a narrower disease."""
    fit = _resolver(kg).fit("arthritis")
    assert fit.reason == "no_kg_match" and fit.departments == []


def test_record_link_is_the_evidence(kg: Any) -> None:
    """No English Disease is named 'Appendicitis'; the Synthea records so named are IS_A 阑尾炎."""
    fit = _resolver(kg).fit("Appendicitis")
    assert fit.reason is None and fit.departments == [("general-surgery", 1)]
    ids = [f.id for f in fit.facts]
    assert ids[0] == f"kg:rel:IS_A:medkg:condition:1->{APPX}#synthea"
    assert f"kg:node:{APPX}" in ids and f"kg:rel:TREATED_IN:{APPX}->medkg:dept:general-surgery#curated" in ids


def test_explicit_condition_id(kg: Any) -> None:
    r = _resolver(kg)
    p = PatientRequest(id="p", condition="Appendicitis", condition_id=APPX, length_of_stay=1)
    assert r.resolve(p, "run").departments == [("general-surgery", 1)]
    assert r.fit("x", "DOID:0000").reason == "no_kg_match"
    assert r.fit("x", "medkg:dept:cardiology").reason == "no_kg_match"  # not a Disease


def test_same_name_prefers_the_disease_the_hospital_treats(kg: Any) -> None:
    fit = _resolver(kg).fit("gout")
    assert fit.facts[0].id == "kg:node:DOID:13189" and fit.departments == [("rheumatology", 1)]


def test_without_store_reports_no_kg() -> None:
    assert DepartmentResolver(None, []).fit("gout").reason == "no_kg"

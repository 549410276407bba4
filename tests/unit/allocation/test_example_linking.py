"""The example request picks, per encounter, a condition whose department the KG knows, and prefers such patients."""

from __future__ import annotations

from typing import Any

from medkg.types import Node, Relationship
from reasoning.allocation.service.example import example_stats

SYN, CUR = "synthea", "curated"
APPX = "medkg:zh:disease:阑尾炎"


def _enc(n: int, day: int, **props: Any) -> Node:
    return Node(id=f"medkg:enc:{n}", label="Encounter", name=f"enc {n}", sources=(SYN,),
                props={"encounter_class": "inpatient", "start": f"2020-01-{day:02d}T10:00:00Z",
                       "stop": f"2020-01-{day + 2:02d}T10:00:00Z", **props})


def _store(st: Any) -> Any:
    st.upsert_nodes([
        Node(id=APPX, label="Disease", name="阑尾炎", lang="zh", sources=("zh_kg",)),
        Node(id="medkg:dept:general-surgery", label="Department", name="General Surgery", sources=(CUR,)),
        _enc(1, 1, reason="Appendicitis"),  # reason linked through the records below
        _enc(2, 2),  # only a social finding: no candidate, skipped
        _enc(3, 9, reason="Impacted molars"),  # the most recent, but the KG knows no department for it
        _enc(4, 3),  # its recorded condition is linked; the social finding beside it is not a candidate
        Node(id="medkg:condition:1", label="Condition", name="Appendicitis", sources=(SYN,)),
        Node(id="medkg:condition:2", label="Condition", name="Full-time employment (finding)", sources=(SYN,)),
        Node(id="medkg:condition:3", label="Condition", name="Full-time employment (finding)", sources=(SYN,)),
    ])
    st.upsert_relationships([
        Relationship(type="TREATED_IN", start=APPX, end="medkg:dept:general-surgery", source=CUR, props={"rank": 1}),
        Relationship(type="IS_A", start="medkg:condition:1", end=APPX, source=SYN),
        Relationship(type="DIAGNOSED", start="medkg:enc:2", end="medkg:condition:2", source=SYN),
        Relationship(type="DIAGNOSED", start="medkg:enc:4", end="medkg:condition:3", source=SYN),
        Relationship(type="DIAGNOSED", start="medkg:enc:4", end="medkg:condition:1", source=SYN),
    ])
    return st


def test_conditions_resolved_and_counted(embedded_store: Any) -> None:
    req, stats = example_stats(_store(embedded_store), days=14)
    by_id = {p.id: p for p in req.patients}
    assert set(by_id) == {"medkg:enc:1", "medkg:enc:3", "medkg:enc:4"}  # enc 2 has no candidate
    assert by_id["medkg:enc:1"].condition == "Appendicitis" and by_id["medkg:enc:1"].condition_id is None
    # a record linked to a non-English disease keeps the record's words, with the disease id
    assert (by_id["medkg:enc:4"].condition, by_id["medkg:enc:4"].condition_id) == ("Appendicitis", APPX)
    assert by_id["medkg:enc:3"].condition == "Impacted molars"  # kept, the service reports no_kg_match
    assert (stats.encounters, stats.with_candidate, stats.with_fit) == (4, 3, 2)
    assert (stats.patients, stats.patients_with_fit) == (3, 2)


def test_limit_prefers_patients_with_a_fit(embedded_store: Any) -> None:
    req, stats = example_stats(_store(embedded_store), days=14, limit=2)
    assert {p.id for p in req.patients} == {"medkg:enc:1", "medkg:enc:4"}  # not the more recent enc 3
    assert stats.share_with_fit == 1.0
    assert req.patients[0].earliest == 0 and req.patients[1].earliest == 2

"""The general allocation service: KG department fit, capacity, shortfalls, emergency intake, explanations."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from medkg.types import Node, Relationship
from reasoning.allocation.service.models import (
    AllocationRequest,
    Department,
    Equipment,
    OperatingRoom,
    PatientRequest,
    Ward,
)
from reasoning.allocation.service.solver import AllocationService, request_run_id
from reasoning.allocation.service.synthetic import synthetic_request

SRC = "curated"


@pytest.fixture
def kg(embedded_store: Any) -> Any:
    """Hypertension -> cardiology (rank 1); osteoporosis -> endocrinology (1), rheumatology (2)."""
    st = embedded_store
    st.upsert_nodes([
        Node(id="DOID:10763", label="Disease", name="hypertension", sources=(SRC,)),
        Node(id="DOID:11476", label="Disease", name="osteoporosis", sources=(SRC,)),
        Node(id="medkg:dept:cardiology", label="Department", name="Cardiology", sources=(SRC,)),
        Node(id="medkg:dept:endocrinology", label="Department", name="Endocrinology", sources=(SRC,)),
        Node(id="medkg:dept:rheumatology", label="Department", name="Rheumatology", sources=(SRC,)),
    ])
    st.upsert_relationships([
        Relationship(type="TREATED_IN", start="DOID:10763", end="medkg:dept:cardiology", source=SRC, props={"rank": 1}),
        Relationship(type="TREATED_IN", start="DOID:11476", end="medkg:dept:endocrinology", source=SRC,
                     props={"rank": 1}),
        Relationship(type="TREATED_IN", start="DOID:11476", end="medkg:dept:rheumatology", source=SRC,
                     props={"rank": 2}),
    ])
    return st


def _hospital(patients: list[PatientRequest], beds: int = 2, **kw: Any) -> AllocationRequest:
    return AllocationRequest(
        days=7,
        departments=[Department(id="cardio", kg_id="medkg:dept:cardiology"),
                     Department(id="rheuma", kg_id="medkg:dept:rheumatology")],
        wards=[Ward(id="C1", department="cardio", beds=beds, features=["oxygen"]),
               Ward(id="R1", department="rheuma", beds=1, gender_policy="female_only")],
        operating_rooms=[OperatingRoom(id="OR1", minutes={"cardio": 120})],
        equipment=[Equipment(name="monitor", count=1)],
        patients=patients, **kw)


def test_kg_department_fit_is_cited(kg: Any) -> None:
    req = _hospital([PatientRequest(id="p1", condition="hypertension", length_of_stay=2)])
    resp = AllocationService(kg, time_limit=10).allocate(req)
    assert [a.ward for a in resp.assignments] == ["C1"]
    ex = resp.explanations[0]
    ids = {f.id for f in ex.facts}
    assert "kg:node:DOID:10763" in ids
    assert "kg:rel:TREATED_IN:DOID:10763->medkg:dept:cardiology#curated" in ids
    assert f"solver:{resp.run_id}#assign:p1" in ids
    assert "[kg:node:DOID:10763]" in ex.text


def test_second_ranked_department_used_when_first_is_absent(kg: Any) -> None:
    """Osteoporosis: the hospital has no endocrinology, so rheumatology (KG rank 2) is the fit."""
    req = _hospital([PatientRequest(id="p1", condition="osteoporosis", sex="female", length_of_stay=1)])
    resp = AllocationService(kg, time_limit=10).allocate(req)
    assert resp.assignments[0].ward == "R1" and resp.objective["second_choice_department"] == 0


def test_unknown_condition_is_reported_not_assigned(kg: Any) -> None:
    req = _hospital([PatientRequest(id="p1", condition="dragon pox", length_of_stay=1)])
    resp = AllocationService(kg, time_limit=10).allocate(req)
    assert resp.assignments == []
    assert [(u.patient_id, u.constraint) for u in resp.unassigned] == [("p1", "no_kg_match")]


def test_condition_without_store_is_reported() -> None:
    req = _hospital([PatientRequest(id="p1", condition="hypertension", length_of_stay=1)])
    resp = AllocationService(None, time_limit=10).allocate(req)
    assert resp.unassigned[0].constraint == "no_kg"


def test_gender_policy_blocks_with_reason() -> None:
    req = _hospital([PatientRequest(id="m", department="rheuma", sex="male", length_of_stay=1)])
    resp = AllocationService(None, time_limit=10).allocate(req)
    assert resp.unassigned[0].constraint == "gender_policy"


def test_capacity_shortfall_explains_itself() -> None:
    """Three one-day patients fixed on day 2 for two beds: one left out, short by one bed that day."""
    pats = [PatientRequest(id=f"p{i}", department="cardio", length_of_stay=1, earliest=2, latest=2, priority=1 + i)
            for i in range(3)]
    resp = AllocationService(None, time_limit=10).allocate(_hospital(pats))
    assert {a.patient_id for a in resp.assignments} == {"p1", "p2"}  # the lowest priority is left out
    (u,) = resp.unassigned
    assert u.patient_id == "p0" and u.constraint == "capacity:ward" and "ward:C1 on day 2" in u.detail
    (s,) = resp.shortfalls
    assert (s.resource, s.day, s.demand, s.capacity, s.short_by) == ("ward:C1", 2, 3, 2, 1)
    assert resp.objective["unassigned"] == 10_000 * 1 and resp.status == "OPTIMAL"


def test_equipment_and_operating_room_limits() -> None:
    pats = [PatientRequest(id="a", department="cardio", length_of_stay=1, equipment=["monitor"], latest=0),
            PatientRequest(id="b", department="cardio", length_of_stay=1, equipment=["monitor"], latest=1),
            PatientRequest(id="s", department="cardio", length_of_stay=1, surgery_minutes=200)]
    resp = AllocationService(None, time_limit=10).allocate(_hospital(pats, beds=3))
    days = {a.patient_id: a.admission_day for a in resp.assignments}
    assert days["a"] == 0 and days["b"] == 1  # one monitor: b waits a day
    assert resp.unassigned[0].patient_id == "s" and resp.unassigned[0].constraint == "operating_room"
    delay = next(f for e in resp.explanations if e.patient_id == "b" for f in e.facts if "#cost:delay:" in f.id)
    assert delay.values["days"] == 1 and delay.values["cost"] == resp.objective["delay"]


def test_emergency_intake_moves_an_elective_with_minimal_disruption() -> None:
    electives = [PatientRequest(id=f"e{i}", department="cardio", length_of_stay=2, latest=3) for i in range(2)]
    svc = AllocationService(None, time_limit=10)
    req = _hospital(electives)
    plan = svc.allocate(req)
    assert len(plan.assignments) == 2 and all(a.admission_day == 0 for a in plan.assignments)
    urgent = PatientRequest(id="u", department="cardio", length_of_stay=1, latest=0)
    resp = svc.admit_emergency(req, plan, urgent)
    assert "u" in {a.patient_id for a in resp.assignments}  # never left out while an elective can move
    assert resp.unassigned == []
    assert len(resp.changes) == 1 and "emergency" in resp.changes[0].reason  # exactly one elective moved
    assert resp.objective["changes"] == req.weights.change


def test_run_id_is_deterministic() -> None:
    req = _hospital([PatientRequest(id="p", department="cardio", length_of_stay=1)])
    assert request_run_id(req) == request_run_id(req.model_copy(deep=True))
    assert len(request_run_id(req)) == 12


def test_request_validation() -> None:
    with pytest.raises(ValidationError, match="unknown department"):
        _hospital([PatientRequest(id="p", department="nowhere", length_of_stay=1)])
    with pytest.raises(ValidationError, match="condition or a department"):
        PatientRequest(id="p", length_of_stay=1)


def test_synthetic_request_is_allocated_with_a_gap() -> None:
    resp = AllocationService(None, time_limit=20).allocate(synthetic_request(60, seed=3))
    assert len(resp.assignments) + len(resp.unassigned) == 60
    assert resp.gap is not None and resp.gap >= 0
    assert sum(resp.objective.values()) == resp.objective_total

"""General service: the bound counts patients no option exists for; plan entries and emergency ids are checked."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from medkg.errors import InputValidationError
from medkg.types import Node, Relationship
from reasoning.allocation.service.models import AllocationRequest, Assignment, Department, PatientRequest, Ward
from reasoning.allocation.service.solver import AllocationService


def _req(patients: list[PatientRequest], plan: list[Assignment] | None = None) -> AllocationRequest:
    return AllocationRequest(days=5, departments=[Department(id="cardio")],
                             wards=[Ward(id="C1", department="cardio", beds=1)], patients=patients,
                             current_plan=plan or [])


def test_bound_includes_the_patients_nothing_can_admit() -> None:
    """One patient fits, one is blocked (window outside the horizon): optimal means a zero gap, not 100%."""
    pats = [PatientRequest(id="ok", department="cardio", length_of_stay=1),
            PatientRequest(id="late", department="cardio", length_of_stay=1, earliest=9, priority=4)]
    resp = AllocationService(None, time_limit=10).allocate(_req(pats))
    assert [u.constraint for u in resp.unassigned] == ["window"]
    assert resp.status == "OPTIMAL" and resp.objective_total == 10_000 * 4
    assert resp.bound == pytest.approx(resp.objective_total) and resp.gap == pytest.approx(0.0)


def test_plan_entries_must_name_known_patients_and_wards() -> None:
    p = PatientRequest(id="a", department="cardio", length_of_stay=1)
    with pytest.raises(ValidationError, match="'ghost', who is not in patients"):
        _req([p], [Assignment(patient_id="ghost", department="cardio", ward="C1", admission_day=0, discharge_day=1)])
    with pytest.raises(ValidationError, match="not a ward of department 'cardio'"):
        _req([p], [Assignment(patient_id="a", department="cardio", ward="X", admission_day=0, discharge_day=1)])


def test_emergency_id_must_be_new() -> None:
    p = PatientRequest(id="a", department="cardio", length_of_stay=1)
    with pytest.raises(InputValidationError, match="already in the request"):
        AllocationService(None, time_limit=5).admit_emergency(_req([p]), [], p)


def test_second_choice_department_cost_is_explained(embedded_store: Any) -> None:
    """Endocrinology's ward is full on the only admission day: rheumatology, the KG's second department, takes her."""
    src = "curated"
    embedded_store.upsert_nodes([
        Node(id="DOID:11476", label="Disease", name="osteoporosis", sources=(src,)),
        Node(id="medkg:dept:endocrinology", label="Department", name="Endocrinology", sources=(src,)),
        Node(id="medkg:dept:rheumatology", label="Department", name="Rheumatology", sources=(src,)),
    ])
    embedded_store.upsert_relationships([
        Relationship(type="TREATED_IN", start="DOID:11476", end=f"medkg:dept:{d}", source=src, props={"rank": r})
        for r, d in ((1, "endocrinology"), (2, "rheumatology"))])
    req = AllocationRequest(
        days=3, departments=[Department(id=d, kg_id=f"medkg:dept:{d}") for d in ("endocrinology", "rheumatology")],
        wards=[Ward(id="E1", department="endocrinology", beds=1), Ward(id="R1", department="rheumatology", beds=1)],
        patients=[PatientRequest(id="first", department="endocrinology", length_of_stay=1, latest=0, priority=5),
                  PatientRequest(id="p", condition="osteoporosis", length_of_stay=1, latest=0)])
    resp = AllocationService(embedded_store, time_limit=10).allocate(req)
    assert {a.patient_id: a.ward for a in resp.assignments} == {"first": "E1", "p": "R1"}
    assert resp.objective["second_choice_department"] == 50
    ex = next(e for e in resp.explanations if e.patient_id == "p")
    fact = next(f for f in ex.facts if f.id == f"solver:{resp.run_id}#cost:second_choice_department:p")
    assert fact.values == {"department": "rheumatology", "rank": 2, "cost": 50}

"""General service: the bound counts patients no option exists for; plan entries and emergency ids are checked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from medkg.errors import InputValidationError
from reasoning.allocation.service_models import AllocationRequest, Assignment, Department, PatientRequest, Ward
from reasoning.allocation.service_solver import AllocationService


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

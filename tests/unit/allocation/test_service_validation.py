"""The general service's request model refuses what would yield a wrong plan (issue 18 items 8-10, 12), and a
left-out patient's explanation names the true reason."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from medkg.errors import InputValidationError
from reasoning.allocation.service.kg_fit import DepartmentResolver
from reasoning.allocation.service.models import AllocationRequest
from reasoning.allocation.service.options import build_problem
from reasoning.allocation.service.report import blocking_reasons
from reasoning.allocation.service.solver import AllocationService


def _body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "days": 7,
        "departments": [{"id": "cardio"}, {"id": "surg"}],
        "wards": [{"id": "C1", "department": "cardio", "beds": 1}, {"id": "S1", "department": "surg", "beds": 2}],
        "operating_rooms": [{"id": "OR1", "minutes": {"surg": 240}}],
        "equipment": [{"name": "monitor", "count": 1}],
        "patients": [{"id": "a", "department": "cardio", "length_of_stay": 2},
                     {"id": "b", "department": "surg", "length_of_stay": 3}],
    }
    body.update(extra)
    return body


def _plan(**entry: Any) -> list[dict[str, Any]]:
    return [{"patient_id": "a", "department": "cardio", "ward": "C1", "admission_day": 0, "discharge_day": 2} | entry]


def test_the_body_used_below_is_valid() -> None:
    AllocationRequest.model_validate(_body(current_plan=_plan()))


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("weight -1e18", {"weights": {"unassigned": -1e18}}, "weights.unassigned"),
    ("negative delay weight", {"weights": {"delay": -1}}, "greater than or equal to 0"),
    ("absurd weight", {"weights": {"unassigned_emergency": 10**18}}, "less than or equal to 1000000000"),
    ("infinite weight", {"weights": {"change": math.inf}}, "weights.change"),
    ("plan negative day", {"current_plan": _plan(admission_day=-1)}, "admission_day"),
    ("plan reversed days", {"current_plan": _plan(admission_day=3, discharge_day=2)}, "must be after the admission"),
    ("plan day 10^9", {"current_plan": _plan(admission_day=10**9, discharge_day=10**9 + 2)}, "outside the horizon"),
    ("plan discharge 10^9", {"current_plan": _plan(discharge_day=10**9)}, "discharged on day 1000000000"),
    ("plan same patient twice", {"current_plan": _plan() + _plan(admission_day=3, discharge_day=5)},
     "'a' more than once"),
    ("plan surgery outside stay", {"current_plan": _plan(surgery_day=5)}, "operated on day 5"),
    ("today == days", {"today": 7}, "today (7) must be before days (7)"),
    ("today > days", {"today": 30}, "must be before days"),
    ("duplicate ward", {"wards": [{"id": "C1", "department": "cardio", "beds": 1}] * 2}, "ward ids must be unique"),
    ("duplicate department", {"departments": [{"id": "cardio"}, {"id": "surg"}, {"id": "cardio"}]},
     "department ids must be unique; given more than once: 'cardio'"),
    ("duplicate equipment", {"equipment": [{"name": "monitor", "count": 1}, {"name": "monitor", "count": 5}]},
     "equipment names must be unique"),
    ("duplicate operating room", {"operating_rooms": [{"id": "OR1", "minutes": {"surg": 60}}] * 2},
     "operating room ids must be unique"),
    ("absurd OR minutes", {"operating_rooms": [{"id": "OR1", "minutes": {"surg": 10**20}}]}, "minutes.surg"),
    ("OR open day outside", {"operating_rooms": [{"id": "OR1", "minutes": {"surg": 60}, "open_days": [-1]}]},
     "open_days"),
]


@pytest.mark.parametrize(("change", "reason"), [(c, r) for _, c, r in INVALID], ids=[n for n, _, _ in INVALID])
def test_invalid_requests_are_refused_with_the_reason(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        AllocationRequest.model_validate(_body(**change))
    assert reason in str(info.value)


@pytest.mark.parametrize("seconds", [-1, 0, math.nan, math.inf, 1e12, 601])
def test_service_time_limit_is_checked(seconds: float) -> None:
    with pytest.raises(InputValidationError, match="time_limit must be a number of seconds in"):
        AllocationService(None, time_limit=seconds)


@pytest.mark.parametrize("workers", [0, -3, 10_000])
def test_service_workers_are_checked(workers: int) -> None:
    with pytest.raises(InputValidationError, match="workers must be an integer in"):
        AllocationService(None, time_limit=5, workers=workers)


def _delayed() -> AllocationRequest:
    """'a' already occupies the one bed until day 3; 'b' fits from day 3, a delay of 2 days (cost 2*10*3 = 60),
    while leaving 'b' out costs only 5 * 3 = 15 under these weights."""
    return AllocationRequest.model_validate({
        "days": 7, "today": 1, "departments": [{"id": "cardio"}],
        "wards": [{"id": "C1", "department": "cardio", "beds": 1}],
        "patients": [{"id": "a", "department": "cardio", "length_of_stay": 3},
                     {"id": "b", "department": "cardio", "length_of_stay": 1, "earliest": 1, "latest": 4}],
        "current_plan": [{"patient_id": "a", "department": "cardio", "ward": "C1", "admission_day": 0,
                          "discharge_day": 3}],
        "weights": {"unassigned": 5},
    })


def test_left_out_on_purpose_is_explained_by_the_weights_not_a_time_limit() -> None:
    resp = AllocationService(None, time_limit=10).allocate(_delayed())
    assert resp.status == "OPTIMAL"
    (u,) = resp.unassigned
    assert u.patient_id == "b" and u.constraint == "cost"
    assert "costs 15" in u.detail and "cost 60" in u.detail and "weights.unassigned" in u.detail
    assert "time limit" not in u.detail
    (e,) = [x for x in resp.explanations if x.patient_id == "b"]
    assert "time limit" not in e.text and "costs 15" in e.text


def test_free_option_left_by_the_solver_names_how_it_stopped() -> None:
    req = _delayed().model_copy(update={"weights": _delayed().weights.model_copy(update={"unassigned": 10_000})})
    prob = build_problem(req, DepartmentResolver(None, req.departments), "run")
    chosen = {"a": prob.options["a"][0]}  # as if the solver had stopped before admitting b
    (timed,) = blocking_reasons(prob, chosen, stopped="Time limit reached", time_limit=2.5)
    assert timed.constraint == "time_limit" and "time limit of 2.5 s" in timed.detail
    (other,) = blocking_reasons(prob, chosen, stopped="Optimal")
    assert other.constraint == "solver" and "time limit" not in other.detail


def test_emergency_intake_with_a_plan_outside_the_horizon_is_an_input_error() -> None:
    from reasoning.allocation.service.models import Assignment, PatientRequest

    req = AllocationRequest.model_validate(_body())
    late = Assignment(patient_id="a", department="cardio", ward="C1", admission_day=9, discharge_day=11)
    urgent = PatientRequest(id="u", department="cardio", length_of_stay=1)
    with pytest.raises(InputValidationError, match="does not fit the request: current_plan admits a on day 9"):
        AllocationService(None, time_limit=5).admit_emergency(req, [late], urgent)

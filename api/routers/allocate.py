"""``POST /allocate`` and ``POST /allocate/emergency``: the general allocation service over HTTP.

A HiGHS MIP decides (beds, departments, operating-room minutes, equipment); department fit comes from the
knowledge graph (condition → TREATED_IN → department) and every decision carries its facts with citation
ids (``kg:...`` and ``solver:<run>#...``). The solver runs in a worker thread, one solve at a time: a request
that finds it busy gets 429 with ``Retry-After`` at once instead of queueing silently, and an anonymous caller's
``time_limit`` is capped (``ApiLimits.anonymous_max_solve_s``) so no one client holds the solver for long. The graph
store is opened only when a patient needs it (a condition to resolve): a request whose patients all name
their department is answered even while the store is down.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Body, Query

from api.deps import LimitsDep, ReaderDep, SolverDep, StoreHolderDep
from api.errors import RequestTooLargeError
from api.limits import ApiLimits
from api.models import EmergencyIntakeRequest
from api.security import Principal
from api.state import StoreHolder
from reasoning.allocation.service import AllocationRequest, AllocationResponse, AllocationService

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "MAX_BODY_BYTES",
    "MAX_CONCURRENT_SOLVES",
    "MAX_PATIENTS",
    "MAX_TIME_LIMIT_S",
    "SOLVER_THREADS",
    "router",
]

log = logging.getLogger(__name__)

MAX_PATIENTS = 5_000  # patients (plus the emergency patient) per request
MAX_BODY_BYTES = 8 * 1024 * 1024  # enforced by api.limits.BodySizeLimit before the body is read
MAX_TIME_LIMIT_S = 120.0
DEFAULT_TIME_LIMIT_S = 20.0
MAX_CONCURRENT_SOLVES = 1  # solves waiting beyond this queue; each uses SOLVER_THREADS cores
SOLVER_THREADS = 2

_LIMITS = (
    f"Limits: at most {MAX_PATIENTS:,} patients per request and a body of at most {MAX_BODY_BYTES:,} bytes "
    f"(both answered 413 with the limit named); `time_limit` at most {MAX_TIME_LIMIT_S:.0f} s; "
    "anonymous callers' `time_limit` is capped at 10 s; "
    f"{MAX_CONCURRENT_SOLVES} solve at a time (a request that finds the solver busy gets 429 with Retry-After). "
    "An invalid request (unknown department, "
    "latest before earliest, a plan entry for an unknown patient, ...) is answered 422 with the reason."
)

router = APIRouter(prefix="/allocate", tags=["allocation"])

_ERRORS: dict[int | str, dict[str, Any]] = {}  # every error status is listed app-wide (api.errors.ERROR_RESPONSES)

_HOSPITAL: dict[str, Any] = {
    "days": 7,
    "departments": [
        {"id": "cardio", "name": "Cardiology", "kg_id": "medkg:dept:cardiology"},
        {"id": "endo", "name": "Endocrinology", "kg_id": "medkg:dept:endocrinology"},
        {"id": "surg", "name": "General surgery", "kg_id": "medkg:dept:general-surgery"},
    ],
    "wards": [
        {"id": "C1", "department": "cardio", "beds": 1, "features": ["telemetry"]},
        {"id": "E1", "department": "endo", "beds": 4, "staffed_beds": 3, "gender_policy": "same"},
        {"id": "S1", "department": "surg", "beds": 3},
    ],
    "operating_rooms": [{"id": "OR1", "minutes": {"surg": 240}, "open_days": [0, 1, 2, 3, 4]}],
    "equipment": [{"name": "monitor", "count": 2}],
}
_PATIENTS: list[dict[str, Any]] = [
    {"id": "p1", "condition": "hypertension", "sex": "female", "length_of_stay": 3, "latest": 2,
     "equipment": ["monitor"]},
    {"id": "p2", "condition": "type 2 diabetes mellitus", "sex": "male", "length_of_stay": 2, "priority": 2},
    {"id": "p3", "department": "surg", "sex": "male", "length_of_stay": 4, "earliest": 1, "latest": 4,
     "surgery_minutes": 120, "surgery_offset": 1},
]
ALLOCATE_EXAMPLES: dict[str, Any] = {
    "small hospital": {
        "summary": "Three patients: two resolved through the KG, one surgical with a named department",
        "value": {**_HOSPITAL, "patients": _PATIENTS},
    },
}
EMERGENCY_EXAMPLES: dict[str, Any] = {
    "cardiac emergency": {
        "summary": "An urgent hypertensive crisis arrives on day 0 while cardiology's one bed is planned for p1",
        "value": {
            "request": {**_HOSPITAL, "patients": _PATIENTS},
            "current_plan": [
                {"patient_id": "p1", "department": "cardio", "ward": "C1", "admission_day": 0, "discharge_day": 3,
                 "equipment": ["monitor"]},
                {"patient_id": "p2", "department": "endo", "ward": "E1", "admission_day": 0, "discharge_day": 2},
                {"patient_id": "p3", "department": "surg", "ward": "S1", "admission_day": 1, "discharge_day": 5,
                 "surgery_day": 2, "operating_room": "OR1"},
            ],
            "patient": {"id": "u1", "condition": "hypertension", "sex": "male", "length_of_stay": 1, "earliest": 0,
                        "latest": 0, "equipment": ["monitor"]},
        },
    },
}

TimeLimit = Annotated[
    float, Query(gt=0, le=MAX_TIME_LIMIT_S, description="Solver seconds; the best plan found by then is returned.")
]


def _check_patients(n: int) -> None:
    if n > MAX_PATIENTS:
        raise RequestTooLargeError(
            f"request has {n:,} patients; at most {MAX_PATIENTS:,} per request are accepted "
            f"(split the request, e.g. by department or week)"
        )


def _time_limit(asked: float, caller: Principal, limits: ApiLimits) -> float:
    """The solve time granted: what was asked, capped for anonymous callers and for everyone at the maximum."""
    cap = limits.anonymous_max_solve_s if caller.anonymous else limits.max_solve_s
    if asked > cap:
        log.info("time_limit %.0f s capped at %.0f s for %s", asked, cap, caller.key_id)
    return min(asked, cap)


def _service(holder: StoreHolder, req: AllocationRequest, time_limit: float) -> AllocationService:
    """The service, with the graph store only when a patient has a condition to resolve (worker thread)."""
    needs_kg = any(p.department is None for p in req.patients)
    return AllocationService(holder.get() if needs_kg else None, time_limit=time_limit, workers=SOLVER_THREADS)


@router.post(
    "",
    response_model=AllocationResponse,
    responses=_ERRORS,
    summary="Allocate patients to departments, wards, admission days, operating rooms and equipment",
    description=(
        "Solves the request with a HiGHS MIP (greedy warm start) and returns the assignments, every patient "
        "left out with the constraint that blocked them (`unassigned`), resource-days short of capacity "
        "(`shortfalls`: which resource, which day, by how much), the objective by component, the solver status, "
        "bound, gap and time, and one explanation per patient: facts with citation ids (`kg:...` for the "
        "knowledge-graph department fit, `solver:<run_id>#...` for capacity, cost and rejected alternatives) "
        "and a text rendered only from those facts.\n\n" + _LIMITS
    ),
)
async def allocate(
    holder: StoreHolderDep,
    solver: SolverDep,
    limits: LimitsDep,
    caller: ReaderDep,
    req: Annotated[AllocationRequest, Body(openapi_examples=ALLOCATE_EXAMPLES)],
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT_S,
) -> AllocationResponse:
    _check_patients(len(req.patients))
    time_limit = _time_limit(time_limit, caller, limits)
    log.info("allocate: %d patients, %d wards, %d days, time limit %.0f s", len(req.patients), len(req.wards),
             req.days, time_limit)

    def run() -> AllocationResponse:
        return _service(holder, req, time_limit).allocate(req)

    with solver.slot(time_limit):
        return await anyio.to_thread.run_sync(run)


@router.post(
    "/emergency",
    response_model=AllocationResponse,
    responses=_ERRORS,
    summary="Admit an urgent patient into the current plan with minimal disruption",
    description=(
        "Adds `patient` (as an emergency, priority 5) to `request` and re-optimises around `current_plan`: "
        "moving an already planned patient costs `weights.change`, patients admitted before `request.today` stay "
        "where they are, and the emergency is left out only when no move of electives can admit it. The "
        "response is a full plan; `changes` lists every planned patient who moved (before, after, why) and "
        "`objective.changes` their cost.\n\n" + _LIMITS
    ),
)
async def emergency(
    holder: StoreHolderDep,
    solver: SolverDep,
    limits: LimitsDep,
    caller: ReaderDep,
    intake: Annotated[EmergencyIntakeRequest, Body(openapi_examples=EMERGENCY_EXAMPLES)],
    time_limit: TimeLimit = DEFAULT_TIME_LIMIT_S,
) -> AllocationResponse:
    req = intake.request
    _check_patients(len(req.patients) + 1)
    time_limit = _time_limit(time_limit, caller, limits)
    log.info("emergency intake: %d planned of %d patients, time limit %.0f s", len(intake.plan), len(req.patients),
             time_limit)
    both = req.model_copy(update={"patients": [*req.patients, intake.patient]})

    def run() -> AllocationResponse:
        return _service(holder, both, time_limit).admit_emergency(req, intake.plan, intake.patient)

    with solver.slot(time_limit):
        return await anyio.to_thread.run_sync(run)

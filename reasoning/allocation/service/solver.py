"""The general allocation service: a HiGHS MIP over (patient, ward, admission day) with a "left out" choice.

Hard: staffed beds per ward-day, equipment per day, OR minutes per department-day, single-sex wards,
needed features, the KG department fit and the admission window. Soft (see ``ServiceWeights``): leaving a
patient out (an emergency costs more than any rearrangement of electives, so it is left out only when
no move of electives can admit it), delay weighted by priority, second-choice department, mixed sexes
in a same-sex ward, and moving an already planned patient (emergency intake with minimal disruption).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from pydantic import ValidationError

from medkg.errors import InputValidationError
from reasoning.allocation.service.explain import explain_response
from reasoning.allocation.service.kg_fit import DepartmentResolver
from reasoning.allocation.service.limits import MAX_WORKERS, check_count, check_time_limit
from reasoning.allocation.service.mip import solve_mip
from reasoning.allocation.service.models import (
    AllocationRequest,
    AllocationResponse,
    Assignment,
    Change,
    PatientRequest,
)
from reasoning.allocation.service.options import Option, Problem, build_problem, greedy_options
from reasoning.allocation.service.report import assign_operating_rooms, blocking_reasons, penalty, shortfalls

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = ["AllocationService", "request_run_id"]

log = logging.getLogger(__name__)


def request_run_id(req: AllocationRequest) -> str:
    """Deterministic short id of a request (no timestamp): the same request always cites the same run."""
    return hashlib.sha256(req.model_dump_json().encode("utf-8")).hexdigest()[:12]


class AllocationService:
    """``allocate(request)`` -> response with assignments, the unassigned and why, costs and explanations."""

    def __init__(self, store: GraphStore | None, *, time_limit: float = 30.0, workers: int = 2) -> None:
        """``time_limit`` in (0, 600] s and ``workers`` in [1, 64] threads, else :class:`InputValidationError`
        (the CLI and the API pass their options through here, so both refuse the same values)."""
        self.store = store
        self.time_limit = check_time_limit(time_limit)
        self.workers = check_count(workers, name="workers", low=1, high=MAX_WORKERS)

    def allocate(self, req: AllocationRequest) -> AllocationResponse:
        t0 = time.perf_counter()
        run_id = request_run_id(req)
        prob = build_problem(req, DepartmentResolver(self.store, req.departments), run_id)
        chosen, status, bound, stopped = self._solve(prob)
        resp = self._response(prob, chosen, status, bound, stopped, time.perf_counter() - t0)
        log.info("allocation %s: %s, %d assigned, %d unassigned in %.1fs", run_id, status, len(resp.assignments),
                 len(resp.unassigned), resp.solve_seconds)
        return resp

    def admit_emergency(self, req: AllocationRequest, current: AllocationResponse | list[Assignment],
                        patient: PatientRequest) -> AllocationResponse:
        """Add an urgent patient to the current plan (a response or its assignments) and re-optimise with
        minimal disruption: moving a planned patient costs ``weights.change``; the response's ``changes`` say
        who moved. Raises :class:`InputValidationError` when the patient id is already in the request."""
        if any(p.id == patient.id for p in req.patients):
            raise InputValidationError(f"emergency patient {patient.id!r} is already in the request's patients; "
                                       "give the new patient an id of its own")
        plan = current.assignments if isinstance(current, AllocationResponse) else current
        urgent = patient.model_copy(update={"emergency": True, "priority": 5})
        new = req.model_copy(update={"patients": [*req.patients, urgent], "current_plan": plan})
        try:
            checked = AllocationRequest.model_validate(new.model_dump())
        except ValidationError as e:  # e.g. a plan entry outside this request's horizon: the caller's input
            reasons = "; ".join(str(x.get("msg", "invalid")).removeprefix("Value error, ") for x in e.errors()[:3])
            raise InputValidationError(f"the current plan does not fit the request: {reasons}") from e
        return self.allocate(checked)

    # --- solving -----------------------------------------------------------------------------------------
    def _solve(self, prob: Problem) -> tuple[dict[str, Option], str, float | None, str]:
        """Chosen options, status, bound, and why the solver stopped (HiGHS's status)."""
        warm = greedy_options(prob)
        res = solve_mip(prob, warm, time_limit=self.time_limit, threads=self.workers)
        if not res.chosen and res.objective is None:
            log.warning("HiGHS found no solution (%s); using the greedy allocation", res.status)
            return warm, f"GREEDY ({res.status})", None, f"no solution: {res.stopped}; greedy allocation used"
        return res.chosen, res.status, res.bound, res.stopped

    # --- response ----------------------------------------------------------------------------------------
    def _response(self, prob: Problem, chosen: dict[str, Option], status: str, bound: float | None,
                  stopped: str, seconds: float) -> AllocationResponse:
        req, w8 = prob.req, prob.req.weights
        ors = assign_operating_rooms(prob, chosen)
        assignments = []
        for pid, o in sorted(chosen.items()):
            p = prob.patients[pid]
            sd = o.admission + p.surgery_offset if p.surgery_minutes else None
            assignments.append(Assignment(
                patient_id=pid, department=o.department, ward=o.ward, admission_day=o.admission,
                discharge_day=o.admission + p.length_of_stay, surgery_day=sd, operating_room=ors.get(pid),
                equipment=list(p.equipment)))
        unassigned = blocking_reasons(prob, chosen, stopped=stopped, time_limit=self.time_limit)
        comp = {"unassigned": 0, "delay": 0, "second_choice_department": 0, "gender_mix": 0, "changes": 0}
        for pid, p in prob.patients.items():
            if pid not in chosen:
                comp["unassigned"] += penalty(prob, pid)
                continue
            o = chosen[pid]
            comp["delay"] += w8.delay * (p.priority + (5 if p.emergency else 0)) * (o.admission - p.earliest)
            comp["second_choice_department"] += w8.second_choice_department * (o.rank - 1)
            comp["changes"] += w8.change if o.moved else 0
        comp["gender_mix"] = w8.gender_mix * _mixed_ward_days(prob, chosen)
        total = sum(comp.values())
        changes = []
        new_urgent = [p.id for p in req.patients if p.emergency and p.id not in prob.plan]
        by_pid = {a.patient_id: a for a in assignments}
        for pid, before in prob.plan.items():
            after = by_pid.get(pid)
            if after is None or (after.ward, after.admission_day) != (before.ward, before.admission_day):
                why = (f"moved to admit emergency patient(s) {', '.join(new_urgent)}" if new_urgent
                       else "re-optimised")
                changes.append(Change(patient_id=pid, before=before, after=after, reason=why))
        gap = None
        if bound is not None:  # the MIP's bound leaves out the patients no option exists for: a constant
            bound += sum(penalty(prob, pid) for pid in prob.blocked)
            if status in ("OPTIMAL", "FEASIBLE"):
                gap = max(0.0, total - bound) / max(1.0, abs(total))
        resp = AllocationResponse(
            run_id=prob.run_id, status=status, solve_seconds=seconds, objective=comp, objective_total=total,
            bound=bound, gap=gap, assignments=assignments, unassigned=unassigned,
            shortfalls=shortfalls(prob, chosen), changes=changes)
        resp.explanations = explain_response(prob, chosen, resp)
        return resp


def _mixed_ward_days(prob: Problem, chosen: dict[str, Option]) -> int:
    seen: dict[tuple[str, int], set[str]] = defaultdict(set)
    same = {w.id for w in prob.req.wards if w.gender_policy == "same"}
    for pid, o in chosen.items():
        p = prob.patients[pid]
        if o.ward in same and p.sex is not None:
            for d in prob.stay_days(p, o.admission):
                seen[o.ward, d].add(p.sex)
    return sum(1 for s in seen.values() if len(s) == 2)

"""OR-PAS solving in two modes: static (all patients known) and dynamic (day by day, the way a ward works).

Static: greedy construction; (given >= 240 s) a rolling-horizon pass -- the dynamic procedure, with 30% of
the time -- as a second candidate; then CP-SAT on the whole single-room model, warm-started with the greedy
plan, for 50% of the rest (every patient may be left out at a prohibitive cost, so the greedy start is always
a complete solution even when it could not place everybody); then large-neighbourhood search with CP-SAT
(:mod:`reasoning.allocation.orpas_lns`) from the best single-room plan until the time is up. The best
schedule by the validator's cost is returned (``warm_start`` says which stage found it).

The reported bound is CP-SAT's bound **of the single-room model** (no transfers): a bound on what this
model can reach, not a proven lower bound for the full problem, in which a patient may change room.

Dynamic: day by day, see :mod:`reasoning.allocation.orpas_dynamic`.

Costs are always recomputed by the independent validator on the final schedule.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from reasoning.allocation.orpas_dynamic import MISSED_ADMISSION_COST, run_dynamic
from reasoning.allocation.orpas_greedy import greedy_schedule
from reasoning.allocation.orpas_lns import improve_plan
from reasoning.allocation.orpas_model import solve_placements
from reasoning.allocation.orpas_types import WEIGHTS, OrPasInstance, OrPasSolution, Weights
from reasoning.allocation.orpas_validator import ValidationReport, validate_solution

__all__ = ["OrPasResult", "solve_orpas", "to_solution"]

log = logging.getLogger(__name__)

Mode = Literal["static", "dynamic"]
ROLLING_MIN_SECONDS = 240.0
ROLLING_SHARE = 0.3  # static mode spends this share of its time on the rolling-horizon pass
CPSAT_SHARE = 0.5  # then this share of the rest on one CP-SAT search of the whole single-room model; LNS after


@dataclass
class OrPasResult:
    mode: str
    solution: OrPasSolution
    report: ValidationReport
    status: str
    seconds: float
    model_objective: float | None = None
    bound: float | None = None
    greedy_cost: int | None = None
    unplaced: list[str] = field(default_factory=list)
    plan: dict[str, tuple[str, int]] = field(default_factory=dict)  # patient -> (room, admission day)
    warm_start: str = "greedy"

    @property
    def gap(self) -> float | None:
        """(cost - bound) / cost of the single-room model; None where the solver proved no bound."""
        if self.bound is None:
            return None
        cost = self.report.costs.total
        return (cost - self.bound) / max(1.0, abs(cost))


def to_solution(inst: OrPasInstance, plan: dict[str, tuple[str, int]], current_day: int = 0) -> OrPasSolution:
    sol = OrPasSolution(instance=inst.name, current_day=current_day)
    by_name = {p.name: p for p in inst.patients}
    for p in inst.patients:
        if p.name in plan:
            room, a = plan[p.name]
            sol.stays[p.name] = {d: room for d in range(a, a + by_name[p.name].los)}
    return sol


def _static(inst: OrPasInstance, time_limit: float, workers: int, max_delay: int | None,
            progress: Callable[[str], None], w: Weights) -> OrPasResult:
    t0 = time.perf_counter()
    greedy, failed = greedy_schedule(inst, inst.patients, weights=w)
    best = to_solution(inst, greedy)
    best_cost = validate_solution(inst, best, w).costs.total if not failed else None
    g_cost, source, plan = best_cost, "greedy", greedy
    progress(f"greedy: cost {g_cost}" if not failed else f"greedy: {len(failed)} patient(s) left for the solver")
    if time_limit >= ROLLING_MIN_SECONDS:  # the day-by-day procedure, often better than one big search in little time
        roll = _dynamic(inst, time_limit * ROLLING_SHARE, workers, None, lambda _m: None, w)
        c = roll.report.costs
        progress(f"rolling horizon: cost {c.total}, violations {c.violations}")
        if roll.report.feasible and (best_cost is None or c.total < best_cost):
            best, best_cost, source, failed = roll.solution, c.total, "rolling horizon", []
    spent = time.perf_counter() - t0
    left = max(0.5, time_limit - spent)
    # everybody may be left out at a prohibitive cost: the greedy start is then always a complete hint
    must = {p.name: MISSED_ADMISSION_COST for p in inst.patients if not p.present}
    res = solve_placements(inst, inst.patients, hint=greedy, time_limit=left * CPSAT_SHARE, workers=workers,
                           max_delay=max_delay, progress=progress, weights=w, drop_cost=must)
    status, bound, objective = res.status, res.bound, res.objective
    if res.assignment:
        start, start_obj = res.assignment, res.objective if res.objective is not None else float("inf")
    else:
        start = greedy
        start_obj = validate_solution(inst, to_solution(inst, greedy), w).costs.total + MISSED_ADMISSION_COST * len(
            failed)
    left = time_limit - (time.perf_counter() - t0)
    if left > 3.0 and status != "OPTIMAL":
        start, start_obj, kept = improve_plan(inst, start, start_obj, time_limit=left, workers=workers,
                                              progress=progress, weights=w)
        progress(f"LNS: {kept} improving move(s), model cost {start_obj:.0f}")
    cand = to_solution(inst, start)
    rep = validate_solution(inst, cand, w)
    cost = rep.costs.total
    missing = [p.name for p in inst.patients if p.name not in start]
    if best_cost is None or (not missing and cost <= best_cost):
        best, best_cost, plan, failed = cand, cost, start, missing
        source = "greedy" if start is greedy else "CP-SAT + LNS"
    best.current_day = 0
    if bound is not None and bound >= MISSED_ADMISSION_COST:
        bound = None  # the proof covers a plan leaving somebody out: not a bound on a complete schedule
    return OrPasResult("static", best, validate_solution(inst, best, w), status, time.perf_counter() - t0,
                       objective, bound, g_cost, failed, plan, source)


def _dynamic(inst: OrPasInstance, time_limit: float, workers: int, max_delay: int | None,
             progress: Callable[[str], None], w: Weights) -> OrPasResult:
    t0 = time.perf_counter()
    out = run_dynamic(inst, time_limit=time_limit, workers=workers, max_delay=max_delay, progress=progress,
                      weights=w)
    status = "FEASIBLE" if all(s in ("OPTIMAL", "FEASIBLE") for s in out.statuses) else "PARTIAL"
    return OrPasResult("dynamic", out.solution, validate_solution(inst, out.solution, w), status,
                       time.perf_counter() - t0, unplaced=out.unplaced, plan=out.plan,
                       warm_start="greedy + previous day")


def solve_orpas(
    inst: OrPasInstance,
    *,
    mode: Mode = "static",
    time_limit: float = 60.0,
    workers: int = 2,
    max_delay: int | None = None,
    progress: Callable[[str], None] | None = None,
    weights: Weights = WEIGHTS,
) -> OrPasResult:
    """Solve an instance; ``time_limit`` is the total for the whole run (split over days in dynamic mode)."""
    say = progress or (lambda _msg: None)
    if mode == "static":
        return _static(inst, time_limit, workers, max_delay, say, weights)
    if mode == "dynamic":
        return _dynamic(inst, time_limit, workers, max_delay, say, weights)
    from medkg.errors import InputValidationError

    raise InputValidationError(f"mode must be 'static' or 'dynamic', got {mode!r}")

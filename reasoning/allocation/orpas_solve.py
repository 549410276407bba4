"""OR-PAS solving in two modes: static (all patients known) and dynamic (day by day, the way a ward works).

Static: greedy construction; then (given >= 240 s; at 60 s it leaves CP-SAT too little time on the largest
instances) a rolling-horizon pass -- the dynamic procedure, with 60% of the time -- whose day-by-day
CP-SAT solves often beat one big search in little time; then CP-SAT on
the full single-room model, warm-started with the best so far, for the rest of the time (this also proves
the bound). The best schedule by the validator's cost is returned (``warm_start`` says which stage found
it); the rolling pass may use transfers, so its cost can even fall below the single-room model's bound.

Dynamic: day by day, see :mod:`reasoning.allocation.orpas_dynamic`.

Costs are always recomputed by the independent validator on the final schedule.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from reasoning.allocation.orpas_dynamic import run_dynamic
from reasoning.allocation.orpas_greedy import greedy_schedule
from reasoning.allocation.orpas_model import solve_placements
from reasoning.allocation.orpas_types import WEIGHTS, OrPasInstance, OrPasSolution, Weights
from reasoning.allocation.orpas_validator import ValidationReport, validate_solution

__all__ = ["OrPasResult", "solve_orpas", "to_solution"]

log = logging.getLogger(__name__)

Mode = Literal["static", "dynamic"]
ROLLING_MIN_SECONDS = 240.0
ROLLING_SHARE = 0.6  # static mode spends this share of its time on the rolling-horizon pass


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
            best, best_cost, source, plan, failed = roll.solution, c.total, "rolling horizon", roll.plan, []
    left = max(0.5, time_limit - (time.perf_counter() - t0))
    res = solve_placements(inst, inst.patients, hint=plan, time_limit=left, workers=workers, max_delay=max_delay,
                           progress=progress, weights=w)
    if res.assignment:
        cand = to_solution(inst, res.assignment)
        cost = validate_solution(inst, cand, w).costs.total
        if best_cost is None or cost <= best_cost:
            best, best_cost, source, plan, failed = cand, cost, "CP-SAT", res.assignment, []
    best.current_day = 0
    return OrPasResult("static", best, validate_solution(inst, best, w), res.status, time.perf_counter() - t0,
                       res.objective, res.bound, g_cost, failed, plan, source)


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

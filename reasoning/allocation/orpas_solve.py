"""OR-PAS solving in two modes: static (all patients known) and dynamic (day by day, the way a ward works).

Static: greedy construction, then (given >= 240 s) a rolling-horizon pass -- the dynamic procedure below,
run with half the time -- as a better warm start, then CP-SAT on the full single-room model warm-started
with the best of them for the remaining time (this also proves the bound). The best solution found is
returned when time runs out (a warm start if CP-SAT found nothing better).

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
ROLLING_SHARE = 0.5  # static mode spends this share of its time on a rolling-horizon warm start


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
    g_cost = None
    if not failed:
        g_cost = validate_solution(inst, to_solution(inst, greedy), w).costs.total
        progress(f"greedy: cost {g_cost}")
    else:
        progress(f"greedy: {len(failed)} patient(s) left for the solver")
    warm, warm_cost, source = greedy, g_cost, "greedy"
    if time_limit >= ROLLING_MIN_SECONDS:  # a rolling-horizon pass (the dynamic procedure) as a better warm start
        roll = _dynamic(inst, time_limit * ROLLING_SHARE, workers, None, lambda _m: None, w)
        c = roll.report.costs
        progress(f"rolling-horizon warm start: cost {c.total}, violations {c.violations}")
        if roll.report.feasible and (warm_cost is None or roll.report.costs.total < warm_cost):
            warm, warm_cost, source, failed = roll.plan, roll.report.costs.total, "rolling horizon", []
    left = max(0.5, time_limit - (time.perf_counter() - t0))
    res = solve_placements(inst, inst.patients, hint=warm, time_limit=left, workers=workers, max_delay=max_delay,
                           progress=progress, weights=w)
    plan = warm
    if res.assignment:
        cand = to_solution(inst, res.assignment)
        if warm_cost is None or validate_solution(inst, cand, w).costs.total <= warm_cost:
            plan = res.assignment
    unplaced = [] if plan is res.assignment else failed
    sol = to_solution(inst, plan)
    return OrPasResult("static", sol, validate_solution(inst, sol, w), res.status, time.perf_counter() - t0,
                       res.objective, res.bound, g_cost, unplaced, plan, source)


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

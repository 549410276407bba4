"""OR-PAS solving in two modes: static (all patients known) and dynamic (day by day, the way a ward works).

Static:

1. greedy construction;
2. the relaxation of :mod:`reasoning.allocation.orpas.bound` (HiGHS MIP, at most 40% of the time), first
   without its transfer rows (at most 25%; a smaller model whose best admission days get the OR, idle and
   delay costs nearly right), then with them (the rest): the larger dual bound is a **proven lower bound of
   the full problem** (transfers allowed), reported as ``bound``; when they yield no admission days and
   the run has >= 240 s, a rolling-horizon pass -- the dynamic procedure, with 30% of the time -- is a
   further candidate;
3. the single-room CP-SAT model with every admission window narrowed to the relaxation's day +- 1
   (:mod:`reasoning.allocation.orpas.warm`), for 35% of the rest; a few patients it leaves out are freed in
   every LNS move below (with their whole windows); when it leaves out more (or the relaxation gave no
   days), CP-SAT on the whole single-room model, warm-started with the greedy plan (everybody may be left
   out there at a prohibitive cost, so the start is always complete);
4. large-neighbourhood search with CP-SAT (:mod:`reasoning.allocation.orpas.lns`) until the time is up,
   skipped when the plan already meets the bound.

The best schedule by the validator's cost is returned (``warm_start`` says which stage found it); its
``gap`` is measured against the proven bound.

Dynamic: day by day, see :mod:`reasoning.allocation.orpas.dynamic`.

Costs are always recomputed by the independent validator on the final schedule.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from medkg.errors import InfeasibleError
from reasoning.allocation.orpas.bound import BoundResult, relaxation_bound
from reasoning.allocation.orpas.domain import WEIGHTS, OrPasInstance, OrPasSolution, Weights, relative_gap
from reasoning.allocation.orpas.dynamic import MIN_DAY_SECONDS, MISSED_ADMISSION_COST, run_dynamic
from reasoning.allocation.orpas.greedy import greedy_schedule
from reasoning.allocation.orpas.lns import improve_plan
from reasoning.allocation.orpas.model import ModelOptions, solve_placements
from reasoning.allocation.orpas.validator import ValidationReport, validate_solution
from reasoning.allocation.orpas.warm import plan_around_days

__all__ = ["DEFAULT_SECONDS", "MAX_SECONDS", "MAX_WORKERS", "OrPasResult", "check_run_options", "solve_orpas",
           "to_solution"]

log = logging.getLogger(__name__)

Mode = Literal["static", "dynamic"]
# the CLI's and the benchmark's default seconds per run (`medkg bench allocation` reports at these): static meets
# its 5% gap target on all 15 OR-PAS instances by 300 s (10 min is the limit); dynamic gets 160 s
DEFAULT_SECONDS: dict[str, float] = {"static": 300.0, "dynamic": 160.0}
MAX_SECONDS = 600.0  # the longest run any entry point accepts (issue 22 allows 10 min)
MAX_WORKERS = 64
ROLLING_MIN_SECONDS = 240.0
ROLLING_SHARE = 0.3  # static mode spends this share of its time on the rolling-horizon pass
BOUND_SHARE = 0.4  # at most this share of the time for the two bound relaxations
DAYS_SHARE = 0.25  # of which at most this share for the one without transfer rows (admission days)
TIGHT_DAYS_GAP = 0.03  # admission days from the relaxation with transfer rows when its MIP gap is at most this
CPSAT_SHARE = 0.35  # then this share of the rest on one CP-SAT search of the single-room model; LNS after
WARM_SLACK = 1  # admission days within this many days of the relaxation's
MAX_LEFT_FOR_LNS = 5  # a plan around the relaxation's days leaving out at most this many goes on to LNS as it is
MIN_STAGE_SECONDS = 3.0  # a search stage starts only with at least this much of the time left (else the best so
# far is returned: on a busy machine the bound's model building alone ran past its share)


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
    relaxation: float | None = None  # the bound relaxation's best value (static mode)
    bound_status: str | None = None  # the bound relaxation's solver status (static mode)

    @property
    def gap(self) -> float | None:
        """(cost - bound) / cost against the proven lower bound; None where no bound was proven (dynamic)."""
        return relative_gap(self.report.costs.total, self.bound)


def to_solution(inst: OrPasInstance, plan: dict[str, tuple[str, int]], current_day: int = 0) -> OrPasSolution:
    sol = OrPasSolution(instance=inst.name, current_day=current_day)
    by_name = {p.name: p for p in inst.patients}
    for p in inst.patients:
        if p.name in plan:
            room, a = plan[p.name]
            sol.stays[p.name] = {d: room for d in range(a, a + by_name[p.name].los)}
    return sol


def _proven_bound(inst: OrPasInstance, time_limit: float, workers: int, progress: Callable[[str], None],
                  w: Weights) -> tuple[BoundResult | None, dict[str, int]]:
    """The relaxation without transfer rows (``DAYS_SHARE`` of the time), then with them for the rest of
    ``time_limit`` (the tighter bound); the bound is the larger of the two proven ones. The admission days are
    the second one's best point when it is within ``TIGHT_DAYS_GAP`` of its bound (nearly a single-room
    schedule then), else the first one's (a smaller model, whose best point HiGHS finds sooner)."""
    t0 = time.perf_counter()
    try:
        days = relaxation_bound(inst, time_limit=time_limit * DAYS_SHARE / BOUND_SHARE, threads=workers, weights=w,
                                transfers=False)
        progress(f"admission days: relaxation without transfers {days.status}, bound {days.bound}, "
                 f"{days.seconds:.1f}s")
        rel = relaxation_bound(inst, time_limit=max(1.0, time_limit - (time.perf_counter() - t0)), threads=workers,
                               weights=w)
    except InfeasibleError as e:  # no feasible schedule exists; the search below still returns its best plan
        log.warning("OR-PAS relaxation infeasible: %s", e)
        progress(f"bound: none, the relaxation is infeasible ({e})")
        return None, {}
    if days.bound is not None and (rel.bound is None or days.bound > rel.bound):
        rel.bound = days.bound
    progress(f"bound: {rel.bound} (relaxation {rel.status}, {rel.seconds:.1f}s)")
    full = len(inst.patients)
    tight_ok = len(rel.admission) == full and rel.gap is not None and rel.gap <= TIGHT_DAYS_GAP
    if tight_ok or len(days.admission) < full:
        progress(f"admission days of the relaxation with transfers (its best point {rel.objective})")
        return rel, rel.admission
    progress(f"admission days of the relaxation without transfers (its best point {days.objective})")
    return rel, days.admission


def _static(inst: OrPasInstance, time_limit: float, workers: int, max_delay: int | None,
            progress: Callable[[str], None], w: Weights) -> OrPasResult:
    t0 = time.perf_counter()
    greedy, failed = greedy_schedule(inst, inst.patients, weights=w)
    best = to_solution(inst, greedy)
    best_cost = validate_solution(inst, best, w).costs.total if not failed else None
    g_cost, source, plan = best_cost, "greedy", greedy
    progress(f"greedy: cost {g_cost}" if not failed else f"greedy: {len(failed)} patient(s) left for the solver")
    rel, rel_days = _proven_bound(inst, time_limit * BOUND_SHARE, workers, progress, w)
    bound = None if rel is None else rel.bound
    spare = time_limit - (time.perf_counter() - t0)  # the bound's model building may have run past its share
    if time_limit >= ROLLING_MIN_SECONDS and not rel_days and spare > MIN_STAGE_SECONDS:  # no relaxation days
        roll = _dynamic(inst, min(time_limit * ROLLING_SHARE, spare / 2), workers, None, lambda _m: None, w)
        c = roll.report.costs
        progress(f"rolling horizon: cost {c.total}, violations {c.violations}")
        if roll.report.feasible and (best_cost is None or c.total < best_cost):
            best, best_cost, source, failed = roll.solution, c.total, "rolling horizon", []
    left = max(0.5, time_limit - (time.perf_counter() - t0))
    status, objective = "FEASIBLE", None
    start: dict[str, tuple[str, int]] = {}
    late = time_limit - (time.perf_counter() - t0) < MIN_STAGE_SECONDS  # out of time (a busy machine): no search
    if late:
        progress("out of time before the CP-SAT search: the best plan so far")
    if len(rel_days) == len(inst.patients) and not late:
        start = plan_around_days(inst, rel_days, slack=WARM_SLACK, time_limit=left * CPSAT_SHARE,
                                 workers=workers, weights=w)
        progress(f"plan around the relaxation's days: {len(start)} of {len(inst.patients)} placed")
    if late:
        start, stage = greedy, "greedy"
        start_obj = float(validate_solution(inst, to_solution(inst, greedy), w).costs.total + (
            MISSED_ADMISSION_COST * len(failed)))
    elif start and len(inst.patients) - len(start) <= MAX_LEFT_FOR_LNS:  # LNS frees the left-out ones in every move
        start_obj = float(validate_solution(inst, to_solution(inst, start), w).costs.total)
        start_obj += MISSED_ADMISSION_COST * (len(inst.patients) - len(start))
        stage = "relaxation days + CP-SAT + LNS"
    else:  # everybody may be left out at a prohibitive cost: the greedy start is then always a complete hint
        must = {p.name: MISSED_ADMISSION_COST for p in inst.patients if not p.present}
        res = solve_placements(inst, inst.patients, ModelOptions(
            hint=greedy, time_limit=left * CPSAT_SHARE, workers=workers, max_delay=max_delay, progress=progress,
            weights=w, drop_cost=must))
        status, objective = res.status, res.objective
        if res.assignment:
            start, start_obj = res.assignment, res.objective if res.objective is not None else float("inf")
        else:
            start = greedy
            start_obj = validate_solution(inst, to_solution(inst, greedy), w).costs.total + (
                MISSED_ADMISSION_COST * len(failed))
        stage = "CP-SAT + LNS"
    left = time_limit - (time.perf_counter() - t0)
    if left > 3.0 and status != "OPTIMAL" and not (bound is not None and start_obj <= bound):
        start, start_obj, kept = improve_plan(inst, start, start_obj, time_limit=left, workers=workers,
                                              progress=progress, weights=w)
        progress(f"LNS: {kept} improving move(s), model cost {start_obj:.0f}")
    cand = to_solution(inst, start)
    rep = validate_solution(inst, cand, w)
    cost = rep.costs.total
    missing = [p.name for p in inst.patients if p.name not in start]
    if best_cost is None or (not missing and cost <= best_cost):
        best, best_cost, plan, failed = cand, cost, start, missing
        source = "greedy" if start is greedy else stage
    best.current_day = 0
    final = validate_solution(inst, best, w)
    if final.feasible and bound is not None and final.costs.total <= bound:
        status = "OPTIMAL"  # the schedule meets the proven bound
    if objective is None and not failed:
        objective = float(final.costs.total)  # a single-room plan: the model's objective is the validator's total
    return OrPasResult("static", best, final, status, time.perf_counter() - t0, objective, bound, g_cost, failed,
                       plan, source, None if rel is None else rel.objective, None if rel is None else rel.status)


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
    """Solve an instance; ``time_limit`` is the total for the whole run (split over days in dynamic mode).

    The options are checked before any work (:func:`check_run_options`)."""
    check_run_options(inst, mode, time_limit, workers)
    say = progress or (lambda _msg: None)
    if mode == "static":
        return _static(inst, time_limit, workers, max_delay, say, weights)
    return _dynamic(inst, time_limit, workers, max_delay, say, weights)


def check_run_options(inst: OrPasInstance | None, mode: str, time_limit: float, workers: int) -> None:
    """Refuse options no run can honour, with one line naming the option: a mode other than static/dynamic, a
    time limit that is not a finite number of seconds in ``(0, MAX_SECONDS]``, workers outside ``1..MAX_WORKERS``,
    and (given the instance) a dynamic time limit below ``MIN_DAY_SECONDS`` per day of the horizon plus the final
    plan, which every day's solve needs at least (the run would overrun it)."""
    from medkg.errors import InputValidationError

    if mode not in ("static", "dynamic"):
        raise InputValidationError(f"mode must be 'static' or 'dynamic', got {mode!r}")
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or not math.isfinite(time_limit) \
            or not 0 < time_limit <= MAX_SECONDS:
        raise InputValidationError(f"time limit must be a number of seconds in (0, {MAX_SECONDS:g}], "
                                   f"got {time_limit!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise InputValidationError(f"workers must be an integer in [1, {MAX_WORKERS}], got {workers!r}")
    if inst is not None and mode == "dynamic":
        need = MIN_DAY_SECONDS * (inst.horizon + 1)
        if time_limit < need:
            raise InputValidationError(f"dynamic mode needs a time limit of at least {need:g} s for a "
                                       f"{inst.horizon}-day horizon ({MIN_DAY_SECONDS:g} s a day and the final "
                                       f"plan), got {time_limit:g}")

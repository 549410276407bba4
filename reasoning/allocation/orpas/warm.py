"""A single-room plan around given admission days (the bound relaxation's), solved with CP-SAT.

The relaxation of :mod:`reasoning.allocation.orpas.bound` gets the admission days, and with them the OR,
idle and delay costs, nearly right; what it leaves open is which room each patient keeps. Here every
patient's admission window is narrowed to ``[day - slack, day + slack]`` (inside his own window) and the
single-room CP-SAT model (:func:`reasoning.allocation.orpas.model.solve_placements`) places everybody in
that much smaller search space, warm-started with the greedy construction on the narrowed windows.

Narrowing is done on a copy of the instance whose patients' requested dates are shifted to the window's
first day (surgery day and discharge move with it, so the surgery offset and the length of stay stay the
same). For one patient the delay cost then differs from the original by the same amount on every option,
and the idle constants differ by a constant, so the optimum is the same plan; costs are always recomputed
on the original instance by the validator.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable

from reasoning.allocation.orpas.domain import WEIGHTS, OrPasInstance, OrPasPatient, Weights
from reasoning.allocation.orpas.greedy import greedy_schedule
from reasoning.allocation.orpas.model import ModelOptions, solve_placements

__all__ = ["LEFT_OUT_COST", "narrowed_instance", "plan_around_days"]

log = logging.getLogger(__name__)

LEFT_OUT_COST = 100_000  # a patient the narrowed model could not place (a hard violation if kept)


def _narrow(p: OrPasPatient, lo: int, hi: int) -> OrPasPatient:
    shift = lo - p.admission
    return dataclasses.replace(
        p, admission=lo, discharge=p.discharge + shift, max_admission=hi,
        surgery_day=None if p.surgery_day is None else p.surgery_day + shift, urgent=not p.elective,
    )


def narrowed_instance(inst: OrPasInstance, days: dict[str, int], slack: int) -> OrPasInstance:
    """A copy of ``inst`` where each patient named in ``days`` may only be admitted within ``slack`` of it."""
    if slack < 0:
        from medkg.errors import InputValidationError

        raise InputValidationError(f"slack must be >= 0, got {slack}")
    pats = []
    for p in inst.patients:
        a = days.get(p.name)
        if a is None or p.present:
            pats.append(p)
            continue
        lo, hi = max(p.admission, a - slack), min(p.max_admission, a + slack)
        pats.append(_narrow(p, lo, hi) if lo <= hi else p)
    out = copy.copy(inst)
    out.patients = pats
    return out


def plan_around_days(
    inst: OrPasInstance,
    days: dict[str, int],
    *,
    slack: int = 1,
    time_limit: float = 30.0,
    workers: int = 2,
    weights: Weights = WEIGHTS,
    progress: Callable[[str], None] | None = None,
) -> dict[str, tuple[str, int]]:
    """Placements ``patient -> (room, admission day)`` near ``days``; a patient it could not place is missing."""
    narrow = narrowed_instance(inst, days, slack)
    start, failed = greedy_schedule(narrow, narrow.patients, weights=weights)
    log.info("narrowed greedy: %d placed, %d left for CP-SAT", len(start), len(failed))
    may_drop = {p.name: LEFT_OUT_COST for p in narrow.patients if not p.present}
    res = solve_placements(narrow, narrow.patients, ModelOptions(
        hint=start, time_limit=time_limit, workers=workers, weights=weights, drop_cost=may_drop, progress=progress))
    plan = res.assignment if res.assignment else start
    log.info("plan around the relaxation's days: %s, %d of %d placed", res.status, len(plan), len(inst.patients))
    return dict(plan)

"""Dynamic OR-PAS: decide day by day, knowing on day ``d`` only the patients registered by ``d``.

Every day ``d`` of the original horizon:

- days before ``d`` are history and never change;
- a patient admitted before ``d`` who is still in hospital enters the day's model as a *present patient*:
  admitted on ``d`` for the rest of his stay, his current room as initial room, so moving him costs a
  transfer (100) exactly as in the problem definition -- this is what lets an urgent newcomer in when the
  wards are full;
- patients registered but not admitted yet are re-planned with admission ``>= d``, within a rolling window
  of ``max_delay`` days (default 4; tomorrow's model can delay them further);
- the day's model is the single-room CP-SAT model, warm-started with yesterday's plan (greedy placement of
  the newcomers); then day ``d`` is committed: who is admitted today and every room of today.

After the last day, planned admissions beyond the horizon keep the last plan. A patient who can no longer
be admitted within his window is reported (a hard violation), never silently dropped.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from reasoning.allocation.orpas_greedy import greedy_schedule
from reasoning.allocation.orpas_model import solve_placements
from reasoning.allocation.orpas_types import OrPasInstance, OrPasPatient, OrPasSolution, Weights

__all__ = ["DYNAMIC_MAX_DELAY", "DynamicOutcome", "run_dynamic"]

DYNAMIC_MAX_DELAY = 4


@dataclasses.dataclass
class DynamicOutcome:
    solution: OrPasSolution
    plan: dict[str, tuple[str, int]]  # patient -> (room on admission, admission day)
    statuses: list[str]
    unplaced: list[str]


def _continuing(p: OrPasPatient, admitted_on: int, room: str, d: int) -> OrPasPatient:
    """The rest of an admitted patient's stay as a present patient admitted on ``d`` in ``room``."""
    sd = None
    if p.surgery_offset is not None and admitted_on + p.surgery_offset >= d:
        sd = admitted_on + p.surgery_offset
    return dataclasses.replace(p, registration=min(p.registration, d), admission=d, discharge=admitted_on + p.los,
                               max_admission=d, surgery_day=sd, initial_room=room)


def run_dynamic(inst: OrPasInstance, *, time_limit: float, workers: int, max_delay: int | None,
                progress: Callable[[str], None], weights: Weights) -> DynamicOutcome:
    per_day = max(2.0, time_limit / inst.horizon)
    window = DYNAMIC_MAX_DELAY if max_delay is None else max_delay
    history: dict[str, dict[int, str]] = {}
    admitted: dict[str, int] = {}
    plan: dict[str, tuple[str, int]] = {}
    dropped: list[str] = []
    statuses: list[str] = []
    for d in range(inst.horizon):
        t0 = time.perf_counter()
        model: list[OrPasPatient] = []
        prefer: dict[str, tuple[str, int]] = {}
        staying: dict[str, str] = {}
        for p in inst.patients:
            if p.name in admitted:
                a = admitted[p.name]
                if a + p.los > d:
                    room = history[p.name][d - 1]
                    model.append(_continuing(p, a, room, d))
                    prefer[p.name] = (room, d)
                    staying[p.name] = room
            elif p.registration <= d and p.name not in dropped:
                if p.max_admission < d and not p.present:
                    dropped.append(p.name)
                    continue
                model.append(p)
                if p.name in plan:
                    prefer[p.name] = plan[p.name]
        warm, failed = greedy_schedule(inst, model, prefer=prefer, earliest=d, weights=weights)
        if failed:  # re-place everybody not pinned, least flexible first
            warm2, failed2 = greedy_schedule(inst, model, earliest=d, weights=weights)
            if len(failed2) < len(failed):
                warm, failed = warm2, failed2
        res = solve_placements(inst, model, earliest=d, hint=warm, time_limit=per_day, workers=workers,
                               max_delay=window, weights=weights, presolve=False)
        if failed and not res.assignment:  # nobody may be dropped: more time and the full window
            res = solve_placements(inst, model, earliest=d, hint=warm, time_limit=3 * per_day, workers=workers,
                                   max_delay=None, weights=weights)
        statuses.append(res.status)
        new_plan = res.assignment or warm
        for name, room in staying.items():  # a present patient is never put out: keep his room if unplaced
            new_plan.setdefault(name, (room, d))
        for name, (room, a) in new_plan.items():
            if a == d:
                history.setdefault(name, {})[d] = room
                admitted.setdefault(name, d)
        by_name = {p.name: p for p in model}
        for name in failed:
            if name not in new_plan and by_name[name].max_admission <= d:
                dropped.append(name)
        plan = {n: pa for n, pa in new_plan.items() if n not in admitted}
        progress(f"day {d}: {len(model)} in model, {len(admitted)} admitted so far, {res.status}, "
                 f"{time.perf_counter() - t0:.1f}s")
    sol = OrPasSolution(instance=inst.name, current_day=inst.horizon - 1)
    first: dict[str, tuple[str, int]] = {}
    for name, a in admitted.items():
        p = next(q for q in inst.patients if q.name == name)
        days = dict(history[name])
        last = max(days)
        for day in range(last + 1, a + p.los):  # beyond the horizon: stay in the last room
            days[day] = days[last]
        sol.stays[name] = days
        first[name] = (days[a], a)
    los = {p.name: p.los for p in inst.patients}
    for name, (room, a) in plan.items():
        sol.stays[name] = {day: room for day in range(a, a + los[name])}
        first[name] = (room, a)
    unplaced = sorted(set(dropped) | {p.name for p in inst.patients if p.name not in sol.stays})
    return DynamicOutcome(sol, first, statuses, unplaced)

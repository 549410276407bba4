"""Dynamic OR-PAS: decide day by day, knowing on day ``d`` only the patients registered by ``d``.

Every day ``d`` of the original horizon:

- days before ``d`` are history and never change;
- a patient admitted before ``d`` who is still in hospital enters the day's model as a *present patient*:
  admitted on ``d`` for the rest of his stay, his current room as initial room, so moving him costs a
  transfer (100) exactly as in the problem definition -- this is what lets an urgent newcomer in when the
  wards are full;
- patients registered but not admitted yet are re-planned with admission ``>= d``, within a rolling window
  of ``max_delay`` days (default 4); leaving one out of the window costs what admitting him on the first
  day after it would (he is re-planned tomorrow), and a prohibitive ``MISSED_ADMISSION_COST`` when his
  own window ends inside the rolling one -- so every day's model is feasible and says whom it left out;
- *expected urgent arrivals* (see :func:`_phantoms`) of the next ``LOOKAHEAD_DAYS`` days enter the model
  as droppable patients: urgent patients (latest admission at most ``URGENT_NOTICE`` days after their
  registration) seen so far, grouped by the rooms they may use, arrive as a Poisson stream; the k-th bed
  of a group on a future day is kept at ``PHANTOM_COST * P(at least k arrivals)``. Without this, electives
  admitted a day earlier fill the last beds of a ward and a same-day emergency finds no bed (the cause of
  every dynamic violation we traced; see the commit history);
- the day's model is the single-room CP-SAT model, warm-started by the greedy (must-admit patients and
  expected arrivals first, then yesterday's plan); a day that leaves a known patient out is searched
  again (presolve on) from a greedy repair that places those patients first; then day ``d`` is committed:
  who is admitted today and every room of today.

After the last day, one more solve (day ``H``, full windows, presolve on, 30% of the time) plans everything
that happens after the horizon: the rest of the present patients' stays and the admissions still to come.
A patient who can no longer be admitted within his window is reported (a hard violation), never silently
dropped. Per-day solves get at least ``MIN_DAY_SECONDS`` and re-searches add time, so a run may exceed its
time limit by some seconds.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

from reasoning.allocation.orpas_greedy import greedy_schedule
from reasoning.allocation.orpas_model import solve_placements
from reasoning.allocation.orpas_options import allowed_rooms, placement_cost
from reasoning.allocation.orpas_types import OrPasInstance, OrPasPatient, OrPasSolution, Weights

__all__ = ["DYNAMIC_MAX_DELAY", "DynamicOutcome", "run_dynamic"]

DYNAMIC_MAX_DELAY = 4
URGENT_NOTICE = 2  # days between registration and latest admission that make a patient urgent
LOOKAHEAD_DAYS = 3  # days of expected urgent arrivals kept in each day's model
PHANTOM_COST = 1000  # cost of not keeping a bed for an urgent arrival that comes for sure
MIN_TAIL = 0.05  # beds are kept for the k-th urgent arrival of a day only if P(at least k) >= this
MISSED_ADMISSION_COST = 100_000  # a known patient left out of the day's plan
PHANTOM_PREFIX = "~expected"
FINAL_SHARE = 0.3  # share of the time for the final plan after the horizon
MIN_DAY_SECONDS = 2.0  # floor of one day's solve (the total may then run over the time limit)
RETRIES = 2  # extra searches of a day whose plan leaves a known patient out
FINAL_RETRIES = 5  # the same for the final plan after the horizon


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


def _postpone_cost(inst: OrPasInstance, p: OrPasPatient, d: int, window: int | None, w: Weights) -> int:
    """Cost of leaving a known patient out of day ``d``'s plan.

    Huge when he can only be admitted inside the day's rolling window; otherwise the cost of admitting
    him on the first day after the window in his cheapest room (he is re-planned tomorrow), so the plan
    may push a flexible elective back to keep beds for expected urgent arrivals.
    """
    if window is None:
        return MISSED_ADMISSION_COST
    after = max(p.admission, d) + window + 1
    if after > min(p.max_admission, inst.num_days - p.los):
        return MISSED_ADMISSION_COST
    rooms = allowed_rooms(inst, p)
    if not rooms:
        return MISSED_ADMISSION_COST
    return 1 + min(placement_cost(inst, p, r, after, w) for r in rooms)


def _missed(names: list[str], costs: dict[str, int]) -> int:
    return sum(1 for n in names if costs.get(n, 0) >= MISSED_ADMISSION_COST)


def _urgent(p: OrPasPatient) -> bool:
    """A patient who arrives with little notice and little room for delay (the beds a plan must keep free)."""
    return not p.present and p.max_admission - p.registration <= URGENT_NOTICE


def _phantoms(inst: OrPasInstance, seen: list[OrPasPatient], d: int,
              lookahead: int) -> list[tuple[OrPasPatient, int]]:
    """Expected urgent arrivals of the next ``lookahead`` days, each with the cost of not keeping its bed.

    Urgent patients seen so far are grouped by the rooms they may use (and their surgery specialism); a
    group seen ``n`` times in ``d + 1`` days arrives ``rate = n / (d + 1)`` times a day (Poisson). Each future
    day gets one expected arrival per ``k`` with ``P(at least k arrivals) >= MIN_TAIL``, costing
    ``PHANTOM_COST * P(at least k)`` when left out, with the group's median stay: each kind of room keeps
    beds in proportion to the risk of its own urgent demand.
    """
    groups: dict[tuple[frozenset[str], str], list[OrPasPatient]] = {}
    for p in seen:
        if _urgent(p):
            key = (frozenset(r.name for r in allowed_rooms(inst, p)),
                   inst.specialism_of(p) if inst.surgery_minutes(p) else "")
            groups.setdefault(key, []).append(p)
    out: list[tuple[OrPasPatient, int]] = []
    for members in sorted(groups.values(), key=lambda ms: min(q.name for q in ms)):
        latest = max(members, key=lambda m: (m.registration, m.name))
        los = sorted(m.los for m in members)[len(members) // 2]  # the median stay of the group
        rate = len(members) / (d + 1)
        costs = [round(PHANTOM_COST * tail) for tail in _poisson_tails(rate) if tail >= MIN_TAIL]
        for t in range(d + 1, min(d + 1 + lookahead, inst.num_days - los + 1)):
            sd = None if latest.surgery_offset is None else t + latest.surgery_offset
            for i, cost in enumerate(costs):
                ghost = dataclasses.replace(latest, name=f"{PHANTOM_PREFIX}{t}.{latest.name}.{i}", registration=t,
                                            admission=t, discharge=t + los, max_admission=t, surgery_day=sd,
                                            initial_room=None)
                out.append((ghost, cost))
    return out


def _poisson_tails(rate: float, most: int = 6) -> list[float]:
    """``P(N >= k)`` for ``k = 1..most``, ``N`` Poisson with mean ``rate``."""
    pk, cdf, out = math.exp(-rate), 0.0, []
    for k in range(most):
        cdf += pk
        out.append(max(0.0, 1.0 - cdf))
        pk *= rate / (k + 1)
    return out


def run_dynamic(inst: OrPasInstance, *, time_limit: float, workers: int, max_delay: int | None,
                progress: Callable[[str], None], weights: Weights) -> DynamicOutcome:
    deadline = time.perf_counter() + time_limit
    final = max(5.0, FINAL_SHARE * time_limit)
    history: dict[str, dict[int, str]] = {}
    admitted: dict[str, int] = {}
    plan: dict[str, tuple[str, int]] = {}
    dropped: list[str] = []
    statuses: list[str] = []
    for d in range(inst.horizon + 1):  # day H: the final plan of everything after the horizon
        t0 = time.perf_counter()
        last = d == inst.horizon
        window = None if last else (DYNAMIC_MAX_DELAY if max_delay is None else max_delay)
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
        seen = [p for p in inst.patients if p.registration <= d]
        expected = [] if last else _phantoms(inst, seen, d, LOOKAHEAD_DAYS)
        ghosts = [g for g, _c in expected]
        costs = {p.name: _postpone_cost(inst, p, d, window, weights) for p in model if p.name not in staying}
        costs.update({g.name: c for g, c in expected})
        if ghosts:  # a start that keeps the expected beds: must-admit patients and expected arrivals first
            must = frozenset(n for n, c in costs.items() if c >= MISSED_ADMISSION_COST) | {g.name for g in ghosts}
            warm_r, failed_r = greedy_schedule(inst, model + ghosts, prefer=prefer, earliest=d, weights=weights,
                                               first=must)
            if _missed(failed_r, costs) <= _missed(failed, costs):
                warm = warm_r
        left = deadline - time.perf_counter()
        budget = max(final, left) if last else max(MIN_DAY_SECONDS, (left - final) / (inst.horizon - d))
        res = solve_placements(inst, model + ghosts, earliest=d, hint=warm, time_limit=budget,
                               workers=workers, max_delay=window, weights=weights, presolve=last, drop_cost=costs)
        for _ in range(FINAL_RETRIES if last else RETRIES):  # a known patient left out: search again, presolve on
            lost = [n for n in res.dropped if costs[n] >= MISSED_ADMISSION_COST]
            if not lost or not res.assignment:
                break
            progress(f"day {d}: {len(lost)} patient(s) left out, searching again")
            keep = {n: pa for n, pa in res.assignment.items() if not n.startswith(PHANTOM_PREFIX)}
            fix, fail = greedy_schedule(inst, model, prefer=keep, earliest=d, weights=weights, first=frozenset(lost))
            hint = fix if len(fail) < len(lost) else res.assignment
            again = solve_placements(inst, model + ghosts, earliest=d, hint=hint,
                                     time_limit=max(MIN_DAY_SECONDS, budget), workers=workers, max_delay=window,
                                     weights=weights, presolve=True, drop_cost=costs)
            if again.objective is not None and (res.objective is None or again.objective < res.objective):
                res = again
        statuses.append(res.status)
        new_plan = {n: pa for n, pa in res.assignment.items() if not n.startswith(PHANTOM_PREFIX)} or warm
        for name, room in staying.items():  # a present patient is never put out: keep his room if unplaced
            new_plan.setdefault(name, (room, d))
        for name, (room, a) in new_plan.items():
            if a == d:
                history.setdefault(name, {})[d] = room
                admitted.setdefault(name, d)
        by_name = {p.name: p for p in model}
        for name, p in by_name.items():
            if name not in new_plan and name not in admitted and (last or p.max_admission <= d):
                dropped.append(name)
        plan = {n: pa for n, pa in new_plan.items() if n not in admitted}
        kept = sum(1 for n in res.assignment if n.startswith(PHANTOM_PREFIX))
        progress(f"day {d}: {len(model)} in model, {len(admitted)} admitted so far, {res.status}, "
                 f"{kept}/{len(ghosts)} reserved beds kept, {time.perf_counter() - t0:.1f}s")
    sol = OrPasSolution(instance=inst.name, current_day=inst.horizon - 1)
    first: dict[str, tuple[str, int]] = {}
    for name, a in admitted.items():
        p = next(q for q in inst.patients if q.name == name)
        days = dict(history[name])
        end = max(days)
        for day in range(end + 1, a + p.los):  # beyond the horizon: stay in the last room
            days[day] = days[end]
        sol.stays[name] = days
        first[name] = (days[a], a)
    los = {p.name: p.los for p in inst.patients}
    for name, (room, a) in plan.items():
        sol.stays[name] = {day: room for day in range(a, a + los[name])}
        first[name] = (room, a)
    unplaced = sorted(set(dropped) | {p.name for p in inst.patients if p.name not in sol.stays})
    return DynamicOutcome(sol, first, statuses, unplaced)

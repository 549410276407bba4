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
- *reserves for urgent arrivals* (:mod:`reasoning.allocation.orpas.reserves`): what day ``d`` commits (present
  patients, today's admissions, and known patients with no room for delay wherever they are planned) should
  leave free beds in each kind of room, and free OR minutes per specialism and day, on every later day of the
  horizon, priced by the chance that urgent patients not registered yet need them. The free beds of a kind's
  rooms also serve every kind whose rooms all lie among them (Hall's condition: a kind with one small room
  competes with the wider kinds for it), so their arrivals add to its mean.
  Only the commit is constrained: electives planned for later days are not, since tomorrow's model may
  still push them back. Without this, electives admitted earlier take the last beds of a small ward, or
  the OR minutes of a specialism on a later day, and a same-day emergency finds no bed or no OR time
  (every dynamic violation traced; see the commit history); a day whose plan admits postponable patients
  into a reserve is searched again from a plan without them;
- the day's model credits the idle-bed saving (20 a bed-day) only for days ``d .. d + CREDIT_DAYS - 1``: a
  bed-day after them would otherwise earn a patient admitted today credit for a bed that a patient not
  registered yet would fill (with his OR time): without the cut, long stays with short surgeries filled the
  beds early and the surgical patients who came later went past the horizon (dept4_short09: the beds of
  day 11 held three 6-day stays with 25-minute surgeries admitted on days 7-8; static admitted 3-day stays
  with 60-115 minutes there); likewise used OR slot time is credited in full (10 a minute) only on days ``d`` and
  ``d + 1``, the slots today's commit can fill, and ``FAR_OR_CREDIT`` (9) a minute later: a known elective then
  takes an idle slot now rather than an equal one three days on that a later registrant may fill
  (dept4_short07, Pat_62: admitted on day 7 instead of day 4 at 38 less in the day's model; day 4's
  Otolaryngology slot stayed empty);
- the day's model prices moving a present patient at ``DAY_TRANSFER_FACTOR`` (2) transfers: the move is paid for
  sure, while much of what it buys in the model is the plan of patients not admitted yet, which tomorrow's model
  revises anyway (dept4_short07, day 7: Pat_2, 6 days left, moved out of a single room for 12 less in the model);
  a move that keeps a reserve or admits a due patient is worth thousands and is still made. Two full runs of the 15
  OR-PAS instances (160 s each): 23 and 20 transfers instead of 64, total cost within the spread between runs
  (mean dynamic/static 1.040 and 1.037, 1.039 before) -- patients are moved a third as often at the same cost;
- the day's model is the single-room CP-SAT model, warm-started by the greedy (yesterday's plan first); a
  day that leaves a known patient out is searched again (presolve on) from a greedy repair that places
  those patients first; then day ``d`` is committed: who is admitted today and every room of today.

After the last day, one more solve (day ``H``, full windows, presolve on, 30% of the time) plans everything
that happens after the horizon: the rest of the present patients' stays and the admissions still to come.
A patient who can no longer be admitted within his window is reported (a hard violation), never silently
dropped. Per-day solves get at least ``MIN_DAY_SECONDS`` and re-searches add time, so a run may exceed its
time limit by some seconds (re-searches stop at ``RETRY_GRACE`` past it, then take ``MIN_DAY_SECONDS`` each);
a day that starts more than ``RETRY_GRACE`` past the limit (a slow or busy machine, where building a day's model
alone took 30 s) commits its greedy plan without a search, so the run ends near its limit (status PARTIAL).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Sequence
from typing import Any

from reasoning.allocation.orpas.domain import (
    OrPasInstance,
    OrPasPatient,
    OrPasSolution,
    Weights,
)
from reasoning.allocation.orpas.greedy import greedy_schedule
from reasoning.allocation.orpas.model import (
    BedReserve,
    ModelOptions,
    ModelResult,
    OrCredit,
    OrReserve,
    solve_placements,
)
from reasoning.allocation.orpas.options import allowed_rooms, placement_cost, room_kind
from reasoning.allocation.orpas.reserves import URGENT_NOTICE, day_reserves
from reasoning.allocation.orpas.scarce import spare_rooms_view

__all__ = ["DAY_TRANSFER_FACTOR", "DYNAMIC_MAX_DELAY", "DynamicOutcome", "run_dynamic"]

DYNAMIC_MAX_DELAY = 4
MISSED_ADMISSION_COST = 100_000  # a known patient left out of the day's plan
CREDIT_DAYS = 4  # a day's model credits the idle-bed saving of days d .. d + CREDIT_DAYS - 1 only
NEAR_OR_DAYS = 2  # OR slots a day's commit can fill (d, d + 1): used slot time on later days is credited less,
FAR_OR_CREDIT = 9  # this a minute instead of 10, since patients not registered yet may fill those slots too
DAY_TRANSFER_FACTOR = 2  # a day's model prices moving a present patient at this many transfers (the final plan at 1)
FINAL_SHARE = 0.3  # share of the time for the final plan after the horizon
MIN_DAY_SECONDS = 2.0  # floor of one day's solve (the total may then run over the time limit)
RETRIES = 2  # extra searches of a day whose plan leaves a known patient out
FINAL_RETRIES = 5  # the same for the final plan after the horizon
RETRY_GRACE = 0.1  # share of the time limit re-searches may run past it (then MIN_DAY_SECONDS each)


@dataclasses.dataclass
class DynamicOutcome:
    solution: OrPasSolution
    plan: dict[str, tuple[str, int]]  # patient -> (room on admission, admission day)
    statuses: list[str]
    unplaced: list[str]


def _solve(inst: OrPasInstance, model: list[OrPasPatient], base: ModelOptions, **change: Any) -> ModelResult:
    """One search of a day's model: its options with ``change`` (the start, the time, presolve)."""
    return solve_placements(inst, model, dataclasses.replace(base, **change))


def _continuing(p: OrPasPatient, admitted_on: int, room: str, d: int) -> OrPasPatient:
    """The rest of an admitted patient's stay as a present patient admitted on ``d`` in ``room``."""
    sd = None
    if p.surgery_offset is not None and admitted_on + p.surgery_offset >= d:
        sd = admitted_on + p.surgery_offset
    return dataclasses.replace(p, registration=min(p.registration, d), admission=d, discharge=admitted_on + p.los,
                               max_admission=d, surgery_day=sd, initial_room=room, urgent=not p.elective)


def _postpone_cost(inst: OrPasInstance, p: OrPasPatient, d: int, window: int | None, w: Weights, *,
                   credit_until: int | None = None) -> int:
    """Cost of leaving a known patient out of day ``d``'s plan.

    Huge when he can only be admitted inside the day's rolling window; otherwise the cost of admitting
    him on the first day after the window in his cheapest room (he is re-planned tomorrow), so the plan
    may push a flexible elective back to keep beds for expected urgent arrivals. ``credit_until`` as in
    :func:`placement_cost`.
    """
    if window is None:
        return MISSED_ADMISSION_COST
    after = max(p.admission, d) + window + 1
    if after > min(p.max_admission, inst.num_days - p.los):
        return MISSED_ADMISSION_COST
    rooms = allowed_rooms(inst, p)
    if not rooms:
        return MISSED_ADMISSION_COST
    return 1 + min(placement_cost(inst, p, r, after, w, credit_until=credit_until) for r in rooms)


def _outranking(costs: dict[str, int], reserves: Sequence[BedReserve | OrReserve]) -> dict[str, int]:
    """Drop costs in which a known patient who cannot be postponed outranks every reserve.

    A reserve keeps room for patients who *may* come; one who is here and due must never be left out for
    it. At ``MISSED_ADMISSION_COST`` he was, when a long stay in a big ward missed a reserve level on each
    of its days (dept6_short07, Pat_132: 10 days, about 19,000 a day, left out on the day his window ended).
    """
    must = MISSED_ADMISSION_COST + sum(sum(r.costs) for r in reserves)
    return {n: must if c >= MISSED_ADMISSION_COST else c for n, c in costs.items()}


def _blockers(inst: OrPasInstance, model: list[OrPasPatient], plan: dict[str, tuple[str, int]],
              reserves: list[BedReserve | OrReserve], d: int, costs: dict[str, int], firm: frozenset[str]) -> set[str]:
    """Today's postponable admissions that make ``plan`` miss a reserve (a start for another search)."""
    by = {p.name: p for p in model}
    kind = {p.name: room_kind(inst, p) for p in model}
    new = {n: pa for n, pa in plan.items() if pa[1] == d and not by[n].present
           and costs.get(n, MISSED_ADMISSION_COST) < MISSED_ADMISSION_COST}
    out: set[str] = set()
    for rv in reserves:
        if isinstance(rv, BedReserve):  # counted as the model counts them: those who must be in these rooms
            held = sum(1 for p in model if p.present and kind[p.name] <= rv.rooms and p.discharge > rv.day)
            held += sum(1 for n, (_r, a) in plan.items() if (a == d or n in firm) and not by[n].present
                        and kind[n] <= rv.rooms and a <= rv.day < a + by[n].los)
            over = held + len(rv.costs) - sum(inst.rooms[r].capacity for r in rv.rooms)
            movers = sorted((n for n in new if kind[n] <= rv.rooms and d + by[n].los > rv.day
                             and n not in out), key=lambda n: (-by[n].los, n))
            out.update(movers[:max(0, over)])
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
        seen = [p for p in inst.patients if p.registration <= d]
        day_inst = inst
        if not last:  # flexible patients pay for days in rooms that others can only use (orpas_dynamic_scarce)
            day_inst, model = spare_rooms_view(inst, model, seen)
        warm, failed = greedy_schedule(day_inst, model, prefer=prefer, earliest=d, weights=weights)
        if failed:  # re-place everybody not pinned, least flexible first
            warm2, failed2 = greedy_schedule(day_inst, model, earliest=d, weights=weights)
            if len(failed2) < len(failed):
                warm, failed = warm2, failed2
        reserves = [] if last else day_reserves(inst, seen, d)
        credit = None if last else d + CREDIT_DAYS
        near_or = None if last else d + NEAR_OR_DAYS
        costs = _outranking({p.name: _postpone_cost(day_inst, p, d, window, weights, credit_until=credit)
                             for p in model if p.name not in staying}, reserves)
        firm = frozenset(p.name for p in model  # known patients with no room for delay count in the reserves
                         if not p.present and p.max_admission - max(p.admission, d) <= URGENT_NOTICE)
        left = deadline - time.perf_counter()
        budget = max(final, left) if last else max(MIN_DAY_SECONDS, (left - final) / (inst.horizon - d))
        day_weights = weights if last else dataclasses.replace(weights,
                                                                transfer=DAY_TRANSFER_FACTOR * weights.transfer)
        # every search of the day solves the same model; only the start, the time and presolve differ
        day_opts = ModelOptions(earliest=d, workers=workers, max_delay=window, weights=day_weights, drop_cost=costs,
                                reserves=reserves, firm=firm, credit_until=credit,
                                or_credit=None if near_or is None else OrCredit(near_or, FAR_OR_CREDIT))
        solve_day = functools.partial(_solve, day_inst, model, day_opts)
        if time.perf_counter() > deadline + RETRY_GRACE * time_limit:  # out of time (a slow machine): the day's
            progress(f"day {d}: past the time limit, greedy plan")  # greedy plan, so the run ends near its limit
            res = ModelResult(assignment=dict(warm), status="GREEDY")
        else:
            res = solve_day(hint=warm, time_limit=budget, presolve=last)
        for _ in range(FINAL_RETRIES if last else RETRIES):  # a known patient left out: search again, presolve on
            if res.status == "GREEDY":
                break
            lost = [n for n in res.dropped if costs[n] >= MISSED_ADMISSION_COST]
            if not lost or not res.assignment:
                break
            progress(f"day {d}: {len(lost)} patient(s) left out, searching again")
            fix, fail = greedy_schedule(day_inst, model, prefer=res.assignment, earliest=d, weights=weights,
                                        first=frozenset(lost))
            hint = fix if len(fail) < len(lost) else res.assignment
            rest = min(budget, deadline + RETRY_GRACE * time_limit - time.perf_counter())  # bounded overrun
            again = solve_day(hint=hint, time_limit=max(MIN_DAY_SECONDS, rest), presolve=True)
            if again.objective is not None and (res.objective is None or again.objective < res.objective):
                res = again
        late = (_blockers(day_inst, model, res.assignment, reserves, d, costs, firm)
                if res.assignment and res.status != "GREEDY" else set())
        if late:  # admissions of today that take kept beds or OR time: search again from a plan without them
            progress(f"day {d}: {len(late)} admission(s) take reserves, searching again")
            hint = {n: pa for n, pa in res.assignment.items() if n not in late}
            again = solve_day(hint=hint, time_limit=MIN_DAY_SECONDS, presolve=False)
            if again.objective is not None and res.objective is not None and again.objective < res.objective:
                res = again
        statuses.append(res.status)
        new_plan = dict(res.assignment) or warm
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
        progress(f"day {d}: {len(model)} in model, {len(admitted)} admitted so far, {res.status}, "
                 f"{len(reserves)} reserves, {time.perf_counter() - t0:.1f}s")
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

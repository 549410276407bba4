"""CP-SAT model of OR-PAS over single-room placements ``x[p, room, admission day]``.

Every cost of the problem is linear in these booleans plus a few auxiliary variables, so the model's
objective equals the validator's total for the schedule it returns (a test pins this):

- patient-room costs, delay, transfer of present patients and the idle-bed credit are per placement
  (see :mod:`reasoning.allocation.orpas.options`); idle bed-days = const - occupied bed-days inside H,
  because capacity is hard;
- same-gender mixing: booleans ``male[r,d]``, ``female[r,d]`` bounded below by the occupancy of each
  gender and ``mix[r,d] >= male + female - 1``;
- overcrowding risk: ``oc[r,d] >= occupancy[r,d] + leavers with overstay risk - capacity``;
- OR load per specialism-day (electives' surgeries only, as the referee counts it) and per day (every
  surgery): hard limit slot minutes + admitted overtime, overtime ``>= load - slot minutes``, used slot time
  ``u <= min(elective load, slot minutes)`` for the idle-OR cost;
- optional *reserves* (dynamic mode, see :class:`BedReserve`, :class:`OrReserve`): what is committed on the
  day ``earliest`` (present patients where they are now, admissions on that day) should leave free beds in a
  group of rooms, or free OR minutes, on a later day; each missing bed or reserve costs its price (a boolean
  per level, so the objective still equals the validator's total plus the prices of the reserves missed).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from medkg.errors import SolverError
from reasoning.allocation.orpas.domain import (
    ADMITTED_OVERTIME_PER_SLOT,
    ADMITTED_TOTAL_OVERTIME,
    WEIGHTS,
    GenderPolicy,
    OrPasInstance,
    OrPasPatient,
    Weights,
    relative_gap,
)
from reasoning.allocation.orpas.options import (
    Placement,
    objective_constant,
    placement_cost,
    placements,
    room_kind,
)

__all__ = ["BedReserve", "ModelResult", "OrReserve", "SolverError", "solve_placements"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BedReserve:
    """Free beds wanted in ``rooms`` on ``day`` after the commit: missing the k-th costs ``costs[k - 1]``."""

    rooms: frozenset[str]
    day: int
    costs: tuple[int, ...]


@dataclass(frozen=True)
class OrReserve:
    """Free OR minutes wanted on ``day`` (``specialism`` None: the day's total) after the commit.

    Missing ``minutes * k`` of them (below slot time plus admitted overtime) costs ``costs[k - 1]``.
    """

    specialism: str | None
    day: int
    minutes: int
    costs: tuple[int, ...]


@dataclass
class ModelResult:
    assignment: dict[str, tuple[str, int]] = field(default_factory=dict)  # patient -> (room, admission)
    objective: float | None = None
    bound: float | None = None
    status: str = "UNKNOWN"
    seconds: float = 0.0
    variables: int = 0
    dropped: list[str] = field(default_factory=list)  # optional patients the solver left out

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)


def solve_placements(
    inst: OrPasInstance,
    patients: Sequence[OrPasPatient],
    *,
    fixed: dict[str, tuple[str, int]] | None = None,
    earliest: int = 0,
    hint: dict[str, tuple[str, int]] | None = None,
    time_limit: float = 60.0,
    workers: int = 2,
    max_delay: int | None = None,
    progress: Callable[[str], None] | None = None,
    weights: Weights = WEIGHTS,
    log_search: bool = False,
    presolve: bool = True,
    drop_cost: dict[str, int] | None = None,
    reserves: Sequence[BedReserve | OrReserve] = (),
    firm: frozenset[str] = frozenset(),
    credit_until: int | None = None,
    near_or_until: int | None = None,
    far_or_credit: int | None = None,
) -> ModelResult:
    """Optimise the placements of ``patients``; ``fixed`` ones keep their placement, others start >= ``earliest``.

    A patient named in ``drop_cost`` may be left out at that cost (the dynamic mode's rolling plan: it makes
    every day's model feasible, so the solver always returns a plan and says whom it could not place);
    such a patient without placement options is left out instead of raising. ``reserves`` price what the
    commit of day ``earliest`` leaves free on later days: present patients, today's admissions and the patients
    named in ``firm`` (known, with no room for delay, wherever they are planned), each counted against a bed
    reserve of rooms ``K`` only if all the rooms he may use lie in ``K`` (Hall: one who may also use a room
    outside ``K`` can be moved there, for a transfer, when an urgent patient needs his bed).
    ``credit_until`` credits idle beds only before that day (see :func:`placement_cost`); used OR slot time from
    day ``near_or_until`` on is credited ``far_or_credit`` a minute instead of the idle-OR weight.
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    LE = cp_model.LinearExpr
    w = weights
    fixed = fixed or {}
    hint = hint or {}
    drop_cost = drop_cost or {}
    drops: dict[str, Any] = {}
    m = cp_model.CpModel()
    rooms = inst.rooms
    opts: dict[str, list[tuple[Placement, Any]]] = {}
    cover: dict[tuple[str, int], list[Any]] = defaultdict(list)
    cover_m: dict[tuple[str, int], list[Any]] = defaultdict(list)
    cover_f: dict[tuple[str, int], list[Any]] = defaultdict(list)
    leave: dict[tuple[str, int], list[Any]] = defaultdict(list)
    or_spec: dict[tuple[int, str], list[tuple[int, Any]]] = defaultdict(list)
    or_day: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    obj: list[Any] = []
    coef: list[int] = []
    unplaceable: list[str] = []
    aux: list[tuple[Any, Callable[..., int]]] = []
    # the commit's stays (present patients; today's admissions and firm patients' options), each with the rooms
    # its patient may use: a bed reserve of rooms K counts only those that must be in K (Hall)
    new_stays: list[tuple[frozenset[str], int, int, Any]] = []
    held_stays: list[tuple[frozenset[str], int, int]] = []
    new_or: dict[tuple[int, str | None], list[tuple[int, Any]]] = defaultdict(list)
    held_or: dict[tuple[int, str | None], int] = defaultdict(int)
    for p in patients:
        kind = room_kind(inst, p) if reserves else frozenset()
        if reserves and p.present and p.initial_room is not None:
            held_stays.append((kind, p.admission, p.discharge))
            if p.surgery_day is not None:
                held_or[p.surgery_day, inst.specialism_of(p)] += inst.specialism_minutes(p)
                held_or[p.surgery_day, None] += inst.surgery_minutes(p)
        if p.name in fixed:
            froom, fday = fixed[p.name]
            ok = froom in room_kind(inst, p) and fday + p.los <= inst.num_days
            if not ok or not (p.admission == fday if p.present else p.admission <= fday <= p.max_admission):
                raise SolverError(f"fixed placement of {p.name} ({froom}, day {fday}) is not allowed")
            plist = [Placement(p.name, froom, fday, placement_cost(inst, p, rooms[froom], fday, w,
                                                                credit_until=credit_until))]
        else:
            plist = placements(inst, p, earliest=earliest, max_delay=max_delay, w=w, credit_until=credit_until)
            want = hint.get(p.name)
            if want is not None and max_delay is not None and all((o.room, o.admission) != want for o in plist):
                # keep the warm start reachable
                plist = placements(inst, p, earliest=earliest, max_delay=None, w=w, credit_until=credit_until)
        if not plist and p.name in drop_cost and p.name not in fixed:
            drops[p.name] = m.NewConstant(1)
            continue
        if not plist:
            unplaceable.append(p.name)
            continue
        spec, minutes, off = inst.specialism_of(p), inst.surgery_minutes(p), p.surgery_offset
        spec_minutes = inst.specialism_minutes(p)  # electives only count in the specialism's load
        vars_p = []
        for o in plist:
            x = m.NewBoolVar("")
            vars_p.append((o, x))
            obj.append(x)
            coef.append(o.cost)
            new = bool(reserves) and not p.present and (o.admission <= earliest or p.name in firm)
            for d in range(o.admission, o.admission + p.los):
                cover[o.room, d].append(x)
                (cover_m if p.male else cover_f)[o.room, d].append(x)
            if new:
                new_stays.append((kind, o.admission, o.admission + p.los, x))
            end = o.admission + p.los
            if p.variability and end < inst.num_days:
                leave[o.room, end].append(x)
            if minutes and off is not None:
                sd = o.admission + off
                or_day[sd].append((minutes, x))
                if spec_minutes:
                    or_spec[sd, spec].append((spec_minutes, x))
                if new:
                    new_or[sd, None].append((minutes, x))
                    if spec_minutes:
                        new_or[sd, spec].append((spec_minutes, x))
        if p.name in drop_cost and p.name not in fixed:
            z = m.NewBoolVar("")
            drops[p.name] = z
            obj.append(z)
            coef.append(drop_cost[p.name])
            m.AddExactlyOne([x for _, x in vars_p] + [z])
        else:
            m.AddExactlyOne([x for _, x in vars_p])
        if p.name in fixed:
            m.Add(vars_p[0][1] == 1)
        opts[p.name] = vars_p
    if unplaceable:
        from medkg.errors import InfeasibleError

        raise InfeasibleError(
            f"{len(unplaceable)} patient(s) have no allowed room/admission day",
            [f"patient {n}: no room meets the needed properties, department and age limits in the window"
             for n in unplaceable[:20]],
        )
    # room capacity, gender mixing, overcrowding risk
    for (rname, _d), xs in cover.items():
        m.Add(LE.Sum(xs) <= rooms[rname].capacity)
    for rname, room in rooms.items():
        if room.gender_policy is not GenderPolicy.SAME:
            continue
        for d in range(inst.num_days):
            xm, xf = cover_m.get((rname, d)), cover_f.get((rname, d))
            if not xm or not xf:
                continue
            bm, bf, mix = m.NewBoolVar(""), m.NewBoolVar(""), m.NewBoolVar("")
            m.Add(LE.Sum(xm) <= room.capacity * bm)
            m.Add(LE.Sum(xf) <= room.capacity * bf)
            m.Add(mix >= bm + bf - 1)
            aux.append((bm, lambda n, _w, xm=xm: int(n(xm) > 0)))
            aux.append((bf, lambda n, _w, xf=xf: int(n(xf) > 0)))
            aux.append((mix, lambda n, _w, xm=xm, xf=xf: int(n(xm) > 0 and n(xf) > 0)))
            obj.append(mix)
            coef.append(w.gender_mix)
    for (rname, d), xs in leave.items():
        cap = rooms[rname].capacity
        terms = cover.get((rname, d), []) + xs
        if len(terms) <= cap:
            continue
        oc = m.NewIntVar(0, len(terms), "")
        m.Add(oc >= LE.Sum(terms) - cap)
        aux.append((oc, lambda n, _w, t=terms, c=cap: max(0, n(t) - c)))
        obj.append(oc)
        coef.append(w.overcrowd_risk)
    # operating rooms
    for (d, spec), items in or_spec.items():
        avail, n = inst.slot_minutes(d, spec), inst.slots(d, spec)
        load = LE.WeightedSum([x for _, x in items], [mins for mins, _ in items])
        m.Add(load <= avail + n * ADMITTED_OVERTIME_PER_SLOT)
        ot = m.NewIntVar(0, n * ADMITTED_OVERTIME_PER_SLOT, "")
        m.Add(ot >= load - avail)
        aux.append((ot, lambda _n, wt, it=items, a=avail, c=n * ADMITTED_OVERTIME_PER_SLOT: min(c, max(0, wt(it) - a))))
        obj.append(ot)
        coef.append(w.overtime)
        if d < inst.horizon and avail > 0:
            u = m.NewIntVar(0, avail, "")
            m.Add(u <= load)
            aux.append((u, lambda _n, wt, it=items, a=avail: min(a, wt(it))))
            obj.append(u)
            far = near_or_until is not None and d >= near_or_until
            coef.append(-(far_or_credit if far and far_or_credit is not None else w.idle_or))
    for d, items in or_day.items():
        avail = inst.day_minutes(d)
        load = LE.WeightedSum([x for _, x in items], [mins for mins, _ in items])
        m.Add(load <= avail + ADMITTED_TOTAL_OVERTIME)
        ot = m.NewIntVar(0, ADMITTED_TOTAL_OVERTIME, "")
        m.Add(ot >= load - avail)
        aux.append((ot, lambda _n, wt, it=items, a=avail: min(ADMITTED_TOTAL_OVERTIME, max(0, wt(it) - a))))
        obj.append(ot)
        coef.append(w.overtime)
    for rv in reserves:
        if isinstance(rv, BedReserve):
            xs = [x for k, a, e, x in new_stays if k <= rv.rooms and a <= rv.day < e]
            used = sum(1 for k, a, e in held_stays if k <= rv.rooms and a <= rv.day < e)
            cap = sum(rooms[r].capacity for r in rv.rooms)
            for k, price in enumerate(rv.costs, start=1):
                miss = m.NewBoolVar("")  # fewer than k beds left free
                m.Add(LE.Sum(xs) + used + k <= cap).OnlyEnforceIf(miss.Not())
                aux.append((miss, lambda n, _w, xs=xs, u=used, c=cap, k=k: int(n(xs) + u + k > c)))
                obj.append(miss)
                coef.append(price)
        else:
            rspec, t = rv.specialism, rv.day
            cap_or = (inst.slot_minutes(t, rspec) + inst.slots(t, rspec) * ADMITTED_OVERTIME_PER_SLOT if rspec
                      else inst.day_minutes(t) + ADMITTED_TOTAL_OVERTIME)
            items = new_or.get((t, rspec), [])
            used = held_or[t, rspec]
            for k, price in enumerate(rv.costs, start=1):
                miss = m.NewBoolVar("")
                load = LE.WeightedSum([x for _, x in items], [mins for mins, _ in items])
                m.Add(load + used + k * rv.minutes <= cap_or).OnlyEnforceIf(miss.Not())
                aux.append((miss, lambda _n, wt, it=items, u=used, c=cap_or, need=k * rv.minutes:
                            int(wt(it) + u + need > c)))
                obj.append(miss)
                coef.append(price)
    const = objective_constant(inst, w)
    m.Minimize(LE.WeightedSum(obj, coef) + const)
    hinted: dict[int, int] = {}
    for name, vars_p in opts.items():
        want = fixed.get(name) or hint.get(name)
        if want is None:  # no hint for this patient: let the solver choose
            continue
        for o, x in vars_p:
            hinted[x.Index()] = int((o.room, o.admission) == want)
    for name, z in drops.items():
        if name not in opts:
            continue
        want = hint.get(name)
        placed = want is not None and want in {(o.room, o.admission) for o, _ in opts[name]}
        m.AddHint(z, int(not placed))
        if not placed:
            for _o, x in opts[name]:
                hinted[x.Index()] = 0
    for x_idx, val in hinted.items():
        m.AddHint(m.GetBoolVarFromProtoIndex(x_idx), val)
    complete = all((fixed.get(n) or hint.get(n)) in {(o.room, o.admission) for o, _ in v} or n in drops
                   for n, v in opts.items())
    if complete:  # a complete hint: also hint the auxiliary variables

        def count(xs: list[Any]) -> int:
            return sum(hinted.get(x.Index(), 0) for x in xs)

        def weigh(items: list[tuple[int, Any]]) -> int:
            return sum(mins * hinted.get(x.Index(), 0) for mins, x in items)

        for var, fn in aux:
            m.AddHint(var, fn(count, weigh))
    solver = cp_model.CpSolver()
    build_s = time.perf_counter() - t0
    solver.parameters.max_time_in_seconds = max(0.5, float(time_limit) - build_s)
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = 0
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_probing_level = 1
    solver.parameters.symmetry_level = 0
    solver.parameters.presolve_probing_deterministic_time_limit = 0.5
    solver.parameters.find_big_linear_overlap = False
    solver.parameters.log_search_progress = log_search
    solver.parameters.cp_model_presolve = presolve  # off for short repeated solves: the warm start counts at once
    solver.parameters.repair_hint = not complete  # stay close to the warm start while placing the others

    class _Progress(cp_model.CpSolverSolutionCallback):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def on_solution_callback(self) -> None:
            self.count += 1
            if progress is not None:
                progress(f"  solution {self.count}: cost {self.ObjectiveValue():.0f}, "
                         f"bound {self.BestObjectiveBound():.0f}, {self.WallTime():.1f}s")

    cb = _Progress()
    try:
        status = solver.Solve(m, cb)
    except Exception as e:  # the library raises plain exceptions on invalid models
        raise SolverError(f"CP-SAT failed: {e}") from e
    res = ModelResult(status=solver.StatusName(status), seconds=time.perf_counter() - t0,
                      variables=len(obj))
    log.info("CP-SAT %s in %.1fs (build %.1fs), %d vars", res.status, res.seconds, build_s, len(obj))
    if res.status in ("OPTIMAL", "FEASIBLE"):
        res.objective = solver.ObjectiveValue()
        res.bound = solver.BestObjectiveBound()
        for name, vars_p in opts.items():
            for o, x in vars_p:
                if solver.BooleanValue(x):
                    res.assignment[name] = (o.room, o.admission)
                    break
        res.dropped = sorted(n for n in drops if n not in res.assignment)
    return res

"""A proven lower bound of the full static OR-PAS problem (transfers allowed), from a HiGHS MIP relaxation.

The relaxation keeps everything that depends on the admission days exact and relaxes only the choice of
rooms. Columns:

- ``y[p, a]`` (binary): patient ``p`` is admitted on day ``a`` (every day of his window: the validator's
  ``[admission, max_admission]``, cut to stays that fit in the extended horizon; a present patient on his
  admission day). Cost: delay ``5 (a - admission)`` and the idle-bed credit ``-20`` per bed-day inside the
  original horizon, exactly as in the single-room model.
- ``z[c, t, d]`` (continuous >= 0): how many patients of *class* ``c`` lie in rooms of *type* ``t`` on
  day ``d``. A room type merges the rooms with the same department, features, gender policy and capacity:
  every hard patient-room rule and every patient-room cost depends on nothing else. A patient class merges
  the patients with the same allowed types and the same per-day cost in each. Cost: that per-day
  patient-room cost (properties, capacity preference, auxiliary specialism, room gender).
- same-gender room types: integers ``rm``, ``rf`` (rooms of the type holding a man / a woman on a day) with
  ``men <= capacity * rm``, ``women <= capacity * rf`` and a mixing column ``>= rm + rf - rooms`` (50 each);
  patient classes are split by gender for this.
- OR columns exactly as in the single-room model: used slot minutes ``u <= min(load, slot minutes)``
  (credit ``-10``; a specialism's load is its electives' surgeries, as the referee counts it), overtime per
  specialism-day and per day (3 per minute, capped at the admitted overtime, which makes the caps hard); an
  overcrowding-risk column per day over the whole hospital.

- transfers (``transfers=True``): ``tr[c, t, d] >= z[c, t, d] - z[c, t, d + 1] - L[c, d]`` (100 each) for
  every class ``c``, allowed type ``t`` and day ``d`` where the class may be in hospital on ``d`` and ``d + 1``;
  ``L[c, d]`` is the number of the class's patients whose stay ends after day ``d`` (a sum of ``y``). For
  present patients, ``tr0[c, t] >= n[c, t] - z[c, t, 0]`` (100 each), ``n[c, t]`` the class's patients whose
  current room (before day 0) is of type ``t``.

Rows: one admission day per patient; per class and day, ``sum_t z = number of the class's patients in
hospital`` (from ``y``); per type and day, ``sum_c z <= beds of the type``; the OR rows. The constant
(idle beds and OR minutes if nothing were used, net of unavoidable surplus) is the single-room model's.

Why every step can only lower the cost (so the MIP's optimum, and any dual bound of it, is a lower bound of
every schedule the validator accepts with 0 hard violations):

1. Take any feasible schedule. Its admission days give a feasible ``y``; counting its patient-days per
   class, type and day gives a ``z`` that meets the class rows and, since every room holds at most its
   capacity, the type rows (the beds of a type are the sum of its rooms' capacities). Its OR loads meet
   the OR rows, because the validator's hard OR limits are the rows' limits. So every feasible schedule
   maps to a feasible point of the relaxation.
2. At that point each cost term is at most the validator's: patient-room costs are identical (a
   patient-day in a room pays that room's per-day cost, which is its type's); delay and OR overtime are
   identical; idle OR minutes and idle bed-days are the validator's ``max(0, idle - surplus)`` without the
   ``max(0, .)`` (never larger; with hard capacities idle beds are ``beds * H - occupied``); the
   overcrowding risk is ``sum_r max(0, x_r) >= max(0, sum_r x_r)`` (summed over all rooms of a day);
   transfers cost >= 0; in a same-gender type of ``k`` rooms of capacity ``c``, the rooms holding a man
   number at least ``men / c`` (each holds at most ``c``), likewise for women, and by inclusion-exclusion
   at least ``rm + rf - k`` rooms hold both, each paying 50: taking ``rm``, ``rf`` as those counts gives a
   feasible point whose mixing cost is at most the schedule's.
   Transfers: of the class's patients in type ``t`` on day ``d`` (``z[c, t, d]`` of them), those not in
   type ``t`` on ``d + 1`` number at least ``z[c, t, d] - z[c, t, d + 1]``; each of them either leaves
   after day ``d`` (at most ``L[c, d]`` of them, all leavers of the class) or is in hospital on ``d + 1`` in
   another room, i.e. changes room between ``d`` and ``d + 1``. So taking ``tr[c, t, d]`` as the number of
   the class's patients that change room out of type ``t`` between ``d`` and ``d + 1`` meets the row, and
   each patient's room change is counted at most once (under the type he leaves): ``100 sum tr`` is at most
   the schedule's transfer cost. Likewise a present patient whose current room is of type ``t`` and who
   is not in type ``t`` on day 0 changes room (the validator's transfer from the current room): at least
   ``n[c, t] - z[c, t, 0]`` of them, each counted once. Without ``tr`` rows the relaxation moves patients
   between room types every day for free; with them it pays what a real schedule must pay at least.
3. Hence the relaxation's optimum is <= the cost of every feasible schedule, and so is the MIP solver's
   dual bound at any time. All costs are integers, so the bound is rounded up (after a small tolerance
   for the LP's floating point) and stays valid.

``z`` and ``tr`` need no integrality: the argument above only needs the schedule's counts to be *a*
feasible point, and a continuous ``z`` can only lower the optimum further (still a valid bound).
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from medkg.errors import BoundError, InfeasibleError
from reasoning.allocation.highs_lp import LpBuilder, run_highs
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
from reasoning.allocation.orpas.options import allowed_rooms, objective_constant, room_day_cost

__all__ = ["BOUND_TOLERANCE", "BoundError", "BoundResult", "admission_window", "relaxation_bound"]

log = logging.getLogger(__name__)

TypeKey = tuple[str, frozenset[str], str, int]  # department, features, gender policy, capacity
ClassKey = tuple[bool, tuple[tuple[TypeKey, int], ...]]  # male, (room type, per-day cost) of every allowed type

BOUND_TOLERANCE = 1e-6  # relative slack taken off the MIP's dual bound before rounding it up


@dataclass
class BoundResult:
    bound: int | None = None  # proven lower bound of every feasible schedule's validator cost
    objective: float | None = None  # the relaxation's best found value (its own optimum when status OPTIMAL)
    status: str = "UNKNOWN"
    seconds: float = 0.0
    admission: dict[str, int] = field(default_factory=dict)  # the relaxation's best admission days
    parts: dict[str, float] = field(default_factory=dict)  # its best point's cost by component (+ "constant")
    columns: int = 0
    rows: int = 0

    @property
    def gap(self) -> float | None:
        """The relaxation's own MIP gap (how far its bound is from its best point)."""
        return relative_gap(self.objective, self.bound)


def admission_window(inst: OrPasInstance, p: OrPasPatient) -> range:
    """Every admission day the validator accepts for ``p`` (the whole stay inside the extended horizon)."""
    if p.present:
        return range(p.admission, p.admission + 1) if p.admission + p.los <= inst.num_days else range(0)
    return range(p.admission, min(p.max_admission, inst.num_days - p.los) + 1)


def _room_types(inst: OrPasInstance) -> dict[str, TypeKey]:
    return {r.name: (r.department, r.features, str(r.gender_policy), r.capacity) for r in inst.rooms.values()}


def _surgery_fits(inst: OrPasInstance, p: OrPasPatient, a: int) -> bool:
    """Whether the surgery (if any) of ``p`` admitted on ``a`` alone fits its day's hard OR limits."""
    minutes, off = inst.surgery_minutes(p), p.surgery_offset
    if not minutes or off is None:
        return True
    sd = a + off
    return inst.specialism_minutes(p) <= inst.or_limit(sd, inst.specialism_of(p)) and minutes <= inst.or_limit(sd)


def _gender_mix(lp: LpBuilder, by_sex: dict[tuple[TypeKey, int, bool], list[int]], type_rooms: dict[TypeKey, int],
                w: Weights) -> None:
    """Same-gender rooms: ``k`` rooms of capacity ``c`` holding ``M`` men and ``F`` women on a day need at least
    ``ceil(M / c)`` rooms with a man and ``ceil(F / c)`` with a woman, so at least ``rm + rf - k`` of them hold
    both (integer ``rm``, ``rf``)."""
    import numpy as np

    for (t, d, male), men in by_sex.items():
        women = by_sex.get((t, d, False))
        if not male or not women or t[2] != str(GenderPolicy.SAME):
            continue
        k, cap = type_rooms[t], t[3]
        rm = lp.col(0.0, upper=float(k), integer=True, part="gender")
        rf = lp.col(0.0, upper=float(k), integer=True, part="gender")
        mix = lp.col(float(w.gender_mix), upper=float(k), part="gender")
        lp.row(-np.inf, 0.0, [*men, rm], [1.0] * len(men) + [-float(cap)])
        lp.row(-np.inf, 0.0, [*women, rf], [1.0] * len(women) + [-float(cap)])
        lp.row(-np.inf, float(k), [rm, rf, mix], [1.0, 1.0, -1.0])


def _transfer_rows(lp: LpBuilder, cover: dict[tuple[ClassKey, int], list[int]],
                   last: dict[tuple[ClassKey, int], list[int]], initial: dict[tuple[ClassKey, TypeKey], int],
                   zof: dict[tuple[ClassKey, TypeKey, int], int], w: Weights) -> None:
    """Transfers of a class out of a room type between days ``d`` and ``d + 1``: at least
    ``z[c, t, d] - z[c, t, d + 1] - (the class's patients whose stay ends after day d)``; present patients out of
    their current room's type on day 0: at least ``n[c, t] - z[c, t, 0]``; 100 each."""
    import numpy as np

    for ckey, d in cover:
        if (ckey, d + 1) not in cover:
            continue
        ends = last.get((ckey, d), [])
        for t, _c in ckey[1]:
            tr = lp.col(float(w.transfer), upper=np.inf, part="transfer")
            lp.row(-np.inf, 0.0, [zof[ckey, t, d], zof[ckey, t, d + 1], *ends, tr],
                   [1.0, -1.0] + [-1.0] * len(ends) + [-1.0])
    for (ckey, t), n in initial.items():
        j = zof.get((ckey, t, 0))
        tr = lp.col(float(w.transfer), upper=float(n), part="transfer")
        if j is None:  # the current room's type is not allowed any more: every such patient moves
            lp.row(float(n), np.inf, [tr], [1.0])
        else:
            lp.row(float(n), np.inf, [j, tr], [1.0, 1.0])


def _build(inst: OrPasInstance, w: Weights,
           transfers: bool = True) -> tuple[LpBuilder, dict[str, list[tuple[int, int]]]]:
    import numpy as np

    lp = LpBuilder()
    hz, n_days = inst.horizon, inst.num_days
    type_of = _room_types(inst)
    type_cap: dict[TypeKey, int] = defaultdict(int)
    type_rooms: dict[TypeKey, int] = defaultdict(int)
    for rname, tkey in type_of.items():
        type_cap[tkey] += inst.rooms[rname].capacity
        type_rooms[tkey] += 1
    # classes: patients with the same allowed room types and the same per-day cost in each
    ycols: dict[str, list[tuple[int, int]]] = {}
    cover: dict[tuple[ClassKey, int], list[int]] = defaultdict(list)
    last: dict[tuple[ClassKey, int], list[int]] = defaultdict(list)  # admissions whose stay ends after day d
    initial: dict[tuple[ClassKey, TypeKey], int] = defaultdict(int)  # present patients by their current room type
    total_cover: dict[int, list[int]] = defaultdict(list)
    leavers: dict[int, list[int]] = defaultdict(list)
    or_spec: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    or_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    blocked: list[str] = []
    for p in inst.patients:
        costs = {type_of[r.name]: room_day_cost(inst, p, r, w) for r in allowed_rooms(inst, p)}
        days = [a for a in admission_window(inst, p) if _surgery_fits(inst, p, a)]
        if not costs or not days:
            blocked.append(p.name)
            continue
        key: ClassKey = (p.male, tuple(sorted(costs.items(), key=lambda kv: (kv[0][0], sorted(kv[0][1]), kv[0][2],
                                                                            kv[0][3]))))
        minutes, off, spec = inst.surgery_minutes(p), p.surgery_offset, inst.specialism_of(p)
        spec_minutes = inst.specialism_minutes(p)  # electives only count in the specialism's load
        row = []
        for a in days:
            inside = max(0, min(a + p.los, hz) - a)
            j = lp.col(float(w.delay * (a - p.admission) - w.idle_bed * inside), integer=True,
                       part="delay - used beds")
            row.append((a, j))
            for d in range(a, a + p.los):
                cover[key, d].append(j)
                total_cover[d].append(j)
            last[key, a + p.los - 1].append(j)
            if p.variability and a + p.los < n_days:
                leavers[a + p.los].append(j)
            if minutes and off is not None:
                or_day[a + off].append((minutes, j))
                if spec_minutes:
                    or_spec[a + off, spec].append((spec_minutes, j))
        lp.row(1.0, 1.0, [j for _, j in row], [1.0] * len(row))
        ycols[p.name] = row
        if p.present and p.admission == 0 and p.initial_room is not None and p.initial_room in type_of:
            initial[key, type_of[p.initial_room]] += 1
    if blocked:
        raise InfeasibleError(f"{len(blocked)} patient(s) have no allowed room or admission day",
                              [f"patient {n}: no allowed room, or no admission day whose surgery fits the OR limits"
                               for n in blocked[:20]])
    # rooms, relaxed to types: per class-day the patients present are spread over the class's types
    zcols: dict[tuple[TypeKey, int], list[int]] = defaultdict(list)
    by_sex: dict[tuple[TypeKey, int, bool], list[int]] = defaultdict(list)
    zof: dict[tuple[ClassKey, TypeKey, int], int] = {}
    for (ckey, d), ys in cover.items():
        zs = []
        for t, c in ckey[1]:
            j = lp.col(float(c), upper=float(type_cap[t]), part="patient_room")
            zs.append(j)
            zcols[t, d].append(j)
            by_sex[t, d, ckey[0]].append(j)
            zof[ckey, t, d] = j
        lp.row(0.0, 0.0, zs + ys, [1.0] * len(zs) + [-1.0] * len(ys))
    if transfers:
        _transfer_rows(lp, cover, last, initial, zof, w)
    for (t, _d), zs in zcols.items():
        lp.row(-np.inf, float(type_cap[t]), zs, [1.0] * len(zs))
    _gender_mix(lp, by_sex, type_rooms, w)
    # overcrowding risk over the whole hospital (a lower bound of the per-room sum)
    for d, ls in leavers.items():
        terms = total_cover.get(d, []) + ls
        if d < 1 or len(terms) <= inst.beds:
            continue
        oc = lp.col(float(w.overcrowd_risk), upper=float(len(terms)), part="overcrowd_risk")
        lp.row(-np.inf, float(inst.beds), [*terms, oc], [1.0] * len(terms) + [-1.0])
    # operating rooms: hard limits, overtime, used slot minutes (the idle-OR credit)
    for (d, spec), items in or_spec.items():
        avail, n = inst.slot_minutes(d, spec), inst.slots(d, spec)
        idx, val = [j for _, j in items], [float(m) for m, _ in items]
        ot = lp.col(float(w.overtime), upper=float(n * ADMITTED_OVERTIME_PER_SLOT), part="or_overtime")
        lp.row(-np.inf, float(avail), [*idx, ot], [*val, -1.0])
        if d < hz and avail > 0:
            u = lp.col(-float(w.idle_or), upper=float(avail), part="- used OR")
            lp.row(-np.inf, 0.0, [u, *idx], [1.0] + [-v for v in val])
    for d, items in or_day.items():
        idx, val = [j for _, j in items], [float(m) for m, _ in items]
        ot = lp.col(float(w.overtime), upper=float(ADMITTED_TOTAL_OVERTIME), part="or_overtime")
        lp.row(-np.inf, float(inst.day_minutes(d)), [*idx, ot], [*val, -1.0])
    return lp, ycols


def relaxation_bound(
    inst: OrPasInstance,
    *,
    time_limit: float = 60.0,
    threads: int = 2,
    weights: Weights = WEIGHTS,
    mip_gap: float = 1e-4,
    transfers: bool = True,
) -> BoundResult:
    """Solve the relaxation with HiGHS for at most ``time_limit`` s; its dual bound is a proven lower bound.

    ``transfers=False`` leaves out the transfer rows (a weaker bound, a smaller model that HiGHS solves faster
    and whose best admission days are usually better).

    Raises :class:`InfeasibleError` when some patient has no allowed room or admission day (then no
    schedule is feasible), :class:`BoundError` when the solver fails.
    """
    t0 = time.perf_counter()
    lp, ycols = _build(inst, weights, transfers)
    const = objective_constant(inst, weights)
    run = run_highs(lp, time_limit=float(time_limit) - (time.perf_counter() - t0), threads=threads, mip_gap=mip_gap,
                    what="the OR-PAS relaxation", error=BoundError)
    status, info, values, n = run.status, run.info, run.values, len(lp.cost)
    res = BoundResult(status=status, columns=n, rows=len(lp.rows))
    if status == "Infeasible":
        raise InfeasibleError("the OR-PAS relaxation is infeasible: no schedule meets the bed and OR limits")
    dual = float(info.mip_dual_bound)
    if math.isfinite(dual):
        raw = dual + const
        res.bound = math.ceil(raw - BOUND_TOLERANCE * max(1.0, abs(raw)))
    if len(values) == n and info.primal_solution_status != 0 and math.isfinite(info.objective_function_value):
        res.objective = float(info.objective_function_value) + const
        res.parts = {"constant": float(const)}
        for j, part in enumerate(lp.part):
            res.parts[part] = res.parts.get(part, 0.0) + lp.cost[j] * values[j]
        for name, row in ycols.items():
            for a, j in row:
                if values[j] > 0.5:
                    res.admission[name] = a
                    break
    res.seconds = time.perf_counter() - t0
    log.info("OR-PAS bound %s (%s) in %.1fs, %d columns, %d rows", res.bound, status, res.seconds, n, res.rows)
    return res

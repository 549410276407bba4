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
from typing import Any

from medkg.errors import SolverError
from reasoning.allocation.orpas.domain import (
    ADMITTED_OVERTIME_PER_SLOT,
    ADMITTED_TOTAL_OVERTIME,
    GenderPolicy,
    OrPasInstance,
    OrPasPatient,
)
from reasoning.allocation.orpas.model_options import BedReserve, ModelOptions, ModelResult, OrCredit, OrReserve
from reasoning.allocation.orpas.options import (
    Placement,
    objective_constant,
    placement_cost,
    placements,
    room_kind,
)

__all__ = ["BedReserve", "ModelOptions", "ModelResult", "OrCredit", "OrReserve", "SolverError", "solve_placements"]

log = logging.getLogger(__name__)


def solve_placements(inst: OrPasInstance, patients: Sequence[OrPasPatient],
                     opts: ModelOptions | None = None) -> ModelResult:
    """Optimise the placements of ``patients`` under ``opts`` (see :class:`ModelOptions`)."""
    t0 = time.perf_counter()
    b = _Builder(inst, opts or ModelOptions())
    b.placements(patients)
    b.capacity_and_gender()
    b.overcrowding()
    b.operating_rooms()
    b.reserves()
    complete = b.hints()
    return b.solve(complete, t0)


class _Builder:
    """The CP-SAT model in steps: placements, capacity and gender, overcrowding, operating rooms, reserves, hint."""

    def __init__(self, inst: OrPasInstance, opts: ModelOptions) -> None:
        from ortools.sat.python import cp_model

        self.LE = cp_model.LinearExpr
        self.inst, self.o, self.w = inst, opts, opts.weights
        self.m = cp_model.CpModel()
        self.opts: dict[str, list[tuple[Placement, Any]]] = {}
        self.drops: dict[str, Any] = {}
        self.cover: dict[tuple[str, int], list[Any]] = defaultdict(list)
        self.cover_m: dict[tuple[str, int], list[Any]] = defaultdict(list)
        self.cover_f: dict[tuple[str, int], list[Any]] = defaultdict(list)
        self.leave: dict[tuple[str, int], list[Any]] = defaultdict(list)
        self.or_spec: dict[tuple[int, str], list[tuple[int, Any]]] = defaultdict(list)
        self.or_day: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        self.obj: list[Any] = []
        self.coef: list[int] = []
        self.aux: list[tuple[Any, Callable[..., int]]] = []  # auxiliary variables and their value under a hint
        # the commit's stays (present patients; today's admissions and firm patients' options), each with the rooms
        # its patient may use: a bed reserve of rooms K counts only those that must be in K (Hall)
        self.new_stays: list[tuple[frozenset[str], int, int, Any]] = []
        self.held_stays: list[tuple[frozenset[str], int, int]] = []
        self.new_or: dict[tuple[int, str | None], list[tuple[int, Any]]] = defaultdict(list)
        self.held_or: dict[tuple[int, str | None], int] = defaultdict(int)

    def _cost(self, var: Any, coef: int) -> None:
        self.obj.append(var)
        self.coef.append(coef)

    def _options(self, p: OrPasPatient) -> list[Placement]:
        inst, o, w = self.inst, self.o, self.w
        if p.name in o.fixed:
            froom, fday = o.fixed[p.name]
            ok = froom in room_kind(inst, p) and fday + p.los <= inst.num_days
            if not ok or not (p.admission == fday if p.present else p.admission <= fday <= p.max_admission):
                raise SolverError(f"fixed placement of {p.name} ({froom}, day {fday}) is not allowed")
            return [Placement(p.name, froom, fday, placement_cost(inst, p, inst.rooms[froom], fday, w,
                                                                  credit_until=o.credit_until))]
        plist = placements(inst, p, earliest=o.earliest, max_delay=o.max_delay, w=w, credit_until=o.credit_until)
        want = o.hint.get(p.name)
        if want is not None and o.max_delay is not None and all((x.room, x.admission) != want for x in plist):
            # keep the warm start reachable
            plist = placements(inst, p, earliest=o.earliest, max_delay=None, w=w, credit_until=o.credit_until)
        return plist

    def placements(self, patients: Sequence[OrPasPatient]) -> None:
        """One boolean per (room, admission day) option, exactly one per patient (or a priced drop)."""
        inst, o, m = self.inst, self.o, self.m
        unplaceable: list[str] = []
        for p in patients:
            kind = room_kind(inst, p) if o.reserves else frozenset()
            if o.reserves and p.present and p.initial_room is not None:
                self.held_stays.append((kind, p.admission, p.discharge))
                if p.surgery_day is not None:
                    self.held_or[p.surgery_day, inst.specialism_of(p)] += inst.specialism_minutes(p)
                    self.held_or[p.surgery_day, None] += inst.surgery_minutes(p)
            plist = self._options(p)
            droppable = p.name in o.drop_cost and p.name not in o.fixed
            if not plist:
                if droppable:
                    self.drops[p.name] = m.NewConstant(1)
                else:
                    unplaceable.append(p.name)
                continue
            vars_p = [(x, self._place(p, x, kind)) for x in plist]
            xs = [v for _, v in vars_p]
            if droppable:
                z = m.NewBoolVar("")
                self.drops[p.name] = z
                self._cost(z, o.drop_cost[p.name])
                xs.append(z)
            m.AddExactlyOne(xs)
            if p.name in o.fixed:
                m.Add(vars_p[0][1] == 1)
            self.opts[p.name] = vars_p
        if unplaceable:
            from medkg.errors import InfeasibleError

            raise InfeasibleError(
                f"{len(unplaceable)} patient(s) have no allowed room/admission day",
                [f"patient {n}: no room meets the needed properties, department and age limits in the window"
                 for n in unplaceable[:20]],
            )

    def _place(self, p: OrPasPatient, pl: Placement, kind: frozenset[str]) -> Any:
        inst, o = self.inst, self.o
        x = self.m.NewBoolVar("")
        self._cost(x, pl.cost)
        new = bool(o.reserves) and not p.present and (pl.admission <= o.earliest or p.name in o.firm)
        end = pl.admission + p.los
        for d in range(pl.admission, end):
            self.cover[pl.room, d].append(x)
            (self.cover_m if p.male else self.cover_f)[pl.room, d].append(x)
        if new:
            self.new_stays.append((kind, pl.admission, end, x))
        if p.variability and end < inst.num_days:
            self.leave[pl.room, end].append(x)
        minutes, off = inst.surgery_minutes(p), p.surgery_offset
        if minutes and off is not None:
            sd, spec, spec_minutes = pl.admission + off, inst.specialism_of(p), inst.specialism_minutes(p)
            self.or_day[sd].append((minutes, x))
            if spec_minutes:  # electives only count in the specialism's load
                self.or_spec[sd, spec].append((spec_minutes, x))
            if new:
                self.new_or[sd, None].append((minutes, x))
                if spec_minutes:
                    self.new_or[sd, spec].append((spec_minutes, x))
        return x

    def capacity_and_gender(self) -> None:
        """Room capacity every day; a mixing boolean per same-gender room-day holding both genders."""
        m, LE, rooms = self.m, self.LE, self.inst.rooms
        for (rname, _d), xs in self.cover.items():
            m.Add(LE.Sum(xs) <= rooms[rname].capacity)
        for rname, room in rooms.items():
            if room.gender_policy is not GenderPolicy.SAME:
                continue
            for d in range(self.inst.num_days):
                xm, xf = self.cover_m.get((rname, d)), self.cover_f.get((rname, d))
                if not xm or not xf:
                    continue
                bm, bf, mix = m.NewBoolVar(""), m.NewBoolVar(""), m.NewBoolVar("")
                m.Add(LE.Sum(xm) <= room.capacity * bm)
                m.Add(LE.Sum(xf) <= room.capacity * bf)
                m.Add(mix >= bm + bf - 1)
                self.aux.append((bm, lambda n, _w, xm=xm: int(n(xm) > 0)))
                self.aux.append((bf, lambda n, _w, xf=xf: int(n(xf) > 0)))
                self.aux.append((mix, lambda n, _w, xm=xm, xf=xf: int(n(xm) > 0 and n(xf) > 0)))
                self._cost(mix, self.w.gender_mix)

    def overcrowding(self) -> None:
        for (rname, d), xs in self.leave.items():
            cap = self.inst.rooms[rname].capacity
            terms = self.cover.get((rname, d), []) + xs
            if len(terms) <= cap:
                continue
            oc = self.m.NewIntVar(0, len(terms), "")
            self.m.Add(oc >= self.LE.Sum(terms) - cap)
            self.aux.append((oc, lambda n, _w, t=terms, c=cap: max(0, n(t) - c)))
            self._cost(oc, self.w.overcrowd_risk)

    def _load(self, items: list[tuple[int, Any]]) -> Any:
        return self.LE.WeightedSum([x for _, x in items], [mins for mins, _ in items])

    def operating_rooms(self) -> None:
        """Hard OR limits, overtime, and used slot time (the idle-OR credit) per specialism-day and per day."""
        inst, m, w, credit = self.inst, self.m, self.w, self.o.or_credit
        for (d, spec), items in self.or_spec.items():
            avail, cap = inst.slot_minutes(d, spec), inst.slots(d, spec) * ADMITTED_OVERTIME_PER_SLOT
            load = self._load(items)
            m.Add(load <= avail + cap)
            ot = m.NewIntVar(0, cap, "")
            m.Add(ot >= load - avail)
            self.aux.append((ot, lambda _n, wt, it=items, a=avail, c=cap: min(c, max(0, wt(it) - a))))
            self._cost(ot, w.overtime)
            if d < inst.horizon and avail > 0:
                u = m.NewIntVar(0, avail, "")
                m.Add(u <= load)
                self.aux.append((u, lambda _n, wt, it=items, a=avail: min(a, wt(it))))
                far = credit is not None and d >= credit.from_day
                self._cost(u, -(credit.per_minute if far and credit is not None else w.idle_or))
        for d, items in self.or_day.items():
            avail = inst.day_minutes(d)
            load = self._load(items)
            m.Add(load <= avail + ADMITTED_TOTAL_OVERTIME)
            ot = m.NewIntVar(0, ADMITTED_TOTAL_OVERTIME, "")
            m.Add(ot >= load - avail)
            self.aux.append((ot, lambda _n, wt, it=items, a=avail: min(ADMITTED_TOTAL_OVERTIME, max(0, wt(it) - a))))
            self._cost(ot, w.overtime)

    def reserves(self) -> None:
        """Each missing level of a reserve (a boolean) costs its price."""
        inst, m, LE = self.inst, self.m, self.LE
        for rv in self.o.reserves:
            if isinstance(rv, BedReserve):
                xs = [x for k, a, e, x in self.new_stays if k <= rv.rooms and a <= rv.day < e]
                used = sum(1 for k, a, e in self.held_stays if k <= rv.rooms and a <= rv.day < e)
                cap = sum(inst.rooms[r].capacity for r in rv.rooms)
                for k, price in enumerate(rv.costs, start=1):
                    miss = m.NewBoolVar("")  # fewer than k beds left free
                    m.Add(LE.Sum(xs) + used + k <= cap).OnlyEnforceIf(miss.Not())
                    self.aux.append((miss, lambda n, _w, xs=xs, u=used, c=cap, k=k: int(n(xs) + u + k > c)))
                    self._cost(miss, price)
                continue
            rspec, t = rv.specialism, rv.day
            cap_or = inst.or_limit(t, rspec)
            items = self.new_or.get((t, rspec), [])
            used = self.held_or[t, rspec]
            for k, price in enumerate(rv.costs, start=1):
                miss = m.NewBoolVar("")
                m.Add(self._load(items) + used + k * rv.minutes <= cap_or).OnlyEnforceIf(miss.Not())
                self.aux.append((miss, lambda _n, wt, it=items, u=used, c=cap_or, need=k * rv.minutes:
                                 int(wt(it) + u + need > c)))
                self._cost(miss, price)

    def hints(self) -> bool:
        """Hint the placements of ``fixed`` and ``hint``; when the hint is complete, the auxiliary variables too.
        Whether it was complete."""
        m, o = self.m, self.o
        hinted: dict[int, int] = {}
        for name, vars_p in self.opts.items():
            want = o.fixed.get(name) or o.hint.get(name)
            if want is None:  # no hint for this patient: let the solver choose
                continue
            for pl, x in vars_p:
                hinted[x.Index()] = int((pl.room, pl.admission) == want)
        for name, z in self.drops.items():
            if name not in self.opts:
                continue
            want = o.hint.get(name)
            placed = want is not None and want in {(pl.room, pl.admission) for pl, _ in self.opts[name]}
            m.AddHint(z, int(not placed))
            if not placed:
                for _pl, x in self.opts[name]:
                    hinted[x.Index()] = 0
        for x_idx, val in hinted.items():
            m.AddHint(m.GetBoolVarFromProtoIndex(x_idx), val)
        complete = all((o.fixed.get(n) or o.hint.get(n)) in {(pl.room, pl.admission) for pl, _ in v}
                       or n in self.drops for n, v in self.opts.items())
        if complete:

            def count(xs: list[Any]) -> int:
                return sum(hinted.get(x.Index(), 0) for x in xs)

            def weigh(items: list[tuple[int, Any]]) -> int:
                return sum(mins * hinted.get(x.Index(), 0) for mins, x in items)

            for var, fn in self.aux:
                m.AddHint(var, fn(count, weigh))
        return complete

    def solve(self, complete: bool, t0: float) -> ModelResult:
        from ortools.sat.python import cp_model

        m, o = self.m, self.o
        m.Minimize(self.LE.WeightedSum(self.obj, self.coef) + objective_constant(self.inst, self.w))
        solver = cp_model.CpSolver()
        build_s = time.perf_counter() - t0
        prm = solver.parameters
        prm.max_time_in_seconds = max(0.5, float(o.time_limit) - build_s)
        prm.num_workers = max(1, int(o.workers))
        prm.random_seed = 0
        prm.linearization_level = 2
        prm.cp_model_probing_level = 1
        prm.symmetry_level = 0
        prm.presolve_probing_deterministic_time_limit = 0.5
        prm.find_big_linear_overlap = False
        prm.log_search_progress = o.log_search
        prm.cp_model_presolve = o.presolve
        prm.repair_hint = not complete  # stay close to the warm start while placing the others
        progress = o.progress

        class _Progress(cp_model.CpSolverSolutionCallback):
            def __init__(self) -> None:
                super().__init__()
                self.count = 0

            def on_solution_callback(self) -> None:
                self.count += 1
                if progress is not None:
                    progress(f"  solution {self.count}: cost {self.ObjectiveValue():.0f}, "
                             f"bound {self.BestObjectiveBound():.0f}, {self.WallTime():.1f}s")

        try:
            status = solver.Solve(m, _Progress())
        except Exception as e:  # the library raises plain exceptions on invalid models
            raise SolverError(f"CP-SAT failed: {e}") from e
        res = ModelResult(status=solver.StatusName(status), seconds=time.perf_counter() - t0, variables=len(self.obj))
        log.info("CP-SAT %s in %.1fs (build %.1fs), %d vars", res.status, res.seconds, build_s, len(self.obj))
        if res.status in ("OPTIMAL", "FEASIBLE"):
            res.objective = solver.ObjectiveValue()
            res.bound = solver.BestObjectiveBound()
            for name, vars_p in self.opts.items():
                for pl, x in vars_p:
                    if solver.BooleanValue(x):
                        res.assignment[name] = (pl.room, pl.admission)
                        break
            res.dropped = sorted(n for n in self.drops if n not in res.assignment)
        return res

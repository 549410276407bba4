"""Options of the general allocation problem: which (department, ward, admission day) each patient may get.

A patient's options pass, in order: department fit (explicit or KG), a ward of that department, the
ward's features, its gender policy, the equipment the hospital has, the admission window inside the
horizon, and OR time for the surgery. The first filter that leaves nothing is the patient's blocking
constraint, reported as such (nobody is silently dropped).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from reasoning.allocation.service.kg_fit import DepartmentFit, DepartmentResolver
from reasoning.allocation.service.models import AllocationRequest, Assignment, PatientRequest, Ward

__all__ = ["Option", "Problem", "Usage", "build_problem", "greedy_options"]


@dataclass(frozen=True)
class Option:
    patient: str
    department: str
    ward: str
    admission: int
    rank: int  # department rank from the KG (1 = primary)
    cost: int
    moved: bool  # differs from the current plan


@dataclass
class Problem:
    req: AllocationRequest
    run_id: str
    patients: dict[str, PatientRequest]
    fits: dict[str, DepartmentFit]
    options: dict[str, list[Option]] = field(default_factory=dict)
    blocked: dict[str, tuple[str, str]] = field(default_factory=dict)  # patient -> (constraint, detail)
    fixed: set[str] = field(default_factory=set)
    plan: dict[str, Assignment] = field(default_factory=dict)
    ward_cap: dict[str, int] = field(default_factory=dict)
    or_cap: dict[tuple[str, int], int] = field(default_factory=dict)
    equip_cap: dict[str, int] = field(default_factory=dict)

    def stay_days(self, p: PatientRequest, a: int) -> range:
        return range(a, min(a + p.length_of_stay, self.req.days))

    def demand(self, o: Option) -> list[tuple[str, int]]:
        """Resource keys and amounts one option uses: ``ward:<id>@d``, ``equipment:<name>@d``, ``or:<dept>@d``."""
        p = self.patients[o.patient]
        out = [(f"ward:{o.ward}@{d}", 1) for d in self.stay_days(p, o.admission)]
        for e in p.equipment:
            out += [(f"equipment:{e}@{d}", 1) for d in self.stay_days(p, o.admission)]
        if p.surgery_minutes:
            out.append((f"or:{o.department}@{o.admission + p.surgery_offset}", p.surgery_minutes))
        return out

    def capacity(self, key: str) -> int:
        kind, _, rest = key.partition(":")
        name, _, day = rest.rpartition("@")
        if kind == "ward":
            return self.ward_cap[name]
        if kind == "equipment":
            return self.equip_cap.get(name, 0)
        return self.or_cap.get((name, int(day)), 0)


class Usage:
    """Resource use of a set of chosen options."""

    def __init__(self, prob: Problem) -> None:
        self.prob = prob
        self.used: dict[str, int] = defaultdict(int)

    def fits(self, o: Option) -> bool:
        return all(self.used[k] + n <= self.prob.capacity(k) for k, n in self.prob.demand(o))

    def add(self, o: Option) -> None:
        for k, n in self.prob.demand(o):
            self.used[k] += n


def _ward_ok(w: Ward, p: PatientRequest) -> bool:
    if w.gender_policy == "male_only":
        return p.sex == "male"
    if w.gender_policy == "female_only":
        return p.sex == "female"
    return True


def _options_of(prob: Problem, p: PatientRequest) -> list[Option] | tuple[str, str]:
    req, fit = prob.req, prob.fits[p.id]
    if fit.reason is not None:
        return fit.reason, fit.detail
    wards = [(w, rank) for dep, rank in fit.departments for w in req.wards if w.department == dep]
    if not wards:
        return "no_ward", f"no ward belongs to {', '.join(d for d, _ in fit.departments)}"
    wards = [(w, r) for w, r in wards if set(p.features) <= set(w.features) and w.capacity > 0]
    if not wards:
        return "no_ward", f"no staffed ward of the department has features {', '.join(p.features) or '(none)'}"
    wards = [(w, r) for w, r in wards if _ward_ok(w, p)]
    if not wards:
        return "gender_policy", f"every fitting ward is single-sex and does not admit sex {p.sex or 'unknown'}"
    missing = [e for e in p.equipment if prob.equip_cap.get(e, 0) <= 0]
    if missing:
        return "equipment", f"the hospital has no {', '.join(missing)}"
    lo = max(p.earliest, req.today)
    hi = min(p.latest if p.latest is not None else req.days - 1, req.days - 1)
    if p.surgery_minutes:
        hi = min(hi, req.days - 1 - p.surgery_offset)
    if lo > hi:
        return "window", f"admission window {p.earliest}..{p.latest} has no day in {req.today}..{req.days - 1}"
    w8 = req.weights
    prio = p.priority + (5 if p.emergency else 0)
    before = prob.plan.get(p.id)
    out = []
    for w, rank in wards:
        for a in range(lo, hi + 1):
            if p.surgery_minutes and prob.or_cap.get((w.department, a + p.surgery_offset), 0) < p.surgery_minutes:
                continue
            moved = before is not None and (before.ward, before.admission_day) != (w.id, a)
            cost = w8.delay * prio * (a - p.earliest) + w8.second_choice_department * (rank - 1)
            out.append(Option(p.id, w.department, w.id, a, rank, cost + (w8.change if moved else 0), moved))
    if not out:
        return "operating_room", f"no day in the window has {p.surgery_minutes} OR minutes for the department"
    out.sort(key=lambda o: (o.cost, o.admission, o.ward))
    return out


def build_problem(req: AllocationRequest, resolver: DepartmentResolver, run_id: str) -> Problem:
    prob = Problem(req=req, run_id=run_id, patients={p.id: p for p in req.patients}, fits={})
    prob.ward_cap = {w.id: w.capacity for w in req.wards}
    prob.equip_cap = {e.name: e.count for e in req.equipment}
    for o in req.operating_rooms:
        for dep, mins in o.minutes.items():
            for d in range(req.days):
                if o.open_days is None or d in o.open_days:
                    prob.or_cap[dep, d] = prob.or_cap.get((dep, d), 0) + mins
    prob.plan = {a.patient_id: a for a in req.current_plan if a.patient_id in prob.patients}
    for p in req.patients:
        prob.fits[p.id] = resolver.resolve(p, run_id)
        before = prob.plan.get(p.id)
        if before is not None and before.admission_day < req.today:  # already admitted: fixed
            prob.fixed.add(p.id)
            prob.options[p.id] = [Option(p.id, before.department, before.ward, before.admission_day, 1, 0, False)]
            continue
        res = _options_of(prob, p)
        if isinstance(res, tuple):
            prob.blocked[p.id] = res
        else:
            prob.options[p.id] = res
    return prob


def greedy_options(prob: Problem) -> dict[str, Option]:
    """Emergencies first, then by priority and earliest day; each on its cheapest option that still fits."""
    use = Usage(prob)
    out: dict[str, Option] = {}
    for pid in prob.fixed:
        o = prob.options[pid][0]
        use.add(o)
        out[pid] = o
    order = sorted((p for p in prob.patients.values() if p.id in prob.options and p.id not in prob.fixed),
                   key=lambda p: (not p.emergency, -p.priority, p.earliest, p.id))
    for p in order:
        for o in prob.options[p.id]:
            if use.fits(o):
                use.add(o)
                out[p.id] = o
                break
    return out

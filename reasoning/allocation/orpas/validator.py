"""Independent OR-PAS validator: recomputes every hard violation and cost component from instance + solution.

It imports only the data types and the XML readers, never the solver, so it can check the solver.

The definition is the published referee, ``or_pas_validator.cc`` (Ceschia & Schaerf; in
``../shared/tools/or_pas/``): its total and its violation count are the official ones, and a test runs it on
medkg's solutions and asserts equality in every component. Its rules, as read from its source:

- Horizon. ``H`` = the instance's ``num_days`` (original horizon). Stays may run on the extended horizon
  of ``2H`` days; the OR slot schedule repeats every ``H`` days. A patient without ``max_admission`` may
  be admitted as late as ``2H - LOS``.
- Hard (the referee's count, ``official_violations``): a patient-day in a room lacking a *needed* property,
  of a department that does not treat the specialism, or whose age limits exclude the patient (a limit of
  0 is none; a missing maximum is 120), one per patient-day; beds over capacity, per room-day; OR minutes
  over the limits (per specialism-day: slot minutes + 30 per slot; per day: the day's slot minutes + 60).
  The surgery day moves with the admission (same offset). Only *elective* patients (not registered on their
  admission day with no room for delay, :attr:`OrPasPatient.elective`) count in a specialism's load; every
  surgery counts in the day's total.
- medkg also checks the schedule, which the referee does not (``schedule_violations``): every patient
  scheduled once, on consecutive days, for exactly ``LOS`` days, admitted in ``[admission, max_admission]``
  (a present patient on day 0), on days ``< 2H``.
- Soft, per patient-day in an allowed room (a forbidden room is a violation and costs nothing else): 20 per
  missing preferred property, 10 if room capacity > preferred capacity (default 6), 20 if the department
  treats the specialism only as auxiliary, 50 for a male in a female-only room or vice versa. 50 per room-day
  of a same-gender room holding both genders. 100 per room change between consecutive days (day 0 compared
  with a present patient's current room). 5 per day of delay (a present patient has none). 1 per bed over
  capacity on day ``d`` if the patients with overstay risk who left room ``r`` on day ``d`` stayed one more
  day. 3 per overtime minute, per specialism-day (electives' load, capped at its admitted overtime) and per
  day (every surgery, capped at 60); the part beyond the cap is a hard violation instead.
- Idle OR minutes and idle bed-days are counted **within the original horizon** (days ``0..H-1``) and
  **net of unavoidable surplus**: idle OR minutes are each specialism-day's slot minutes not filled by its
  electives' surgeries, less ``max(0, slot minutes in H - every requested surgery minute)``; idle bed-days
  are the free beds of each room-day, less ``max(0, beds * H - requested bed-days inside H)`` (requested =
  at the patients' original dates).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from reasoning.allocation.orpas.domain import (
    ADMITTED_OVERTIME_PER_SLOT,
    ADMITTED_TOTAL_OVERTIME,
    WEIGHTS,
    CostBreakdown,
    GenderPolicy,
    OrPasInstance,
    OrPasPatient,
    OrPasSolution,
    Weights,
)

__all__ = ["ValidationReport", "render_report", "validate_solution"]


@dataclass
class ValidationReport:
    costs: CostBreakdown
    messages: list[str] = field(default_factory=list)  # one line per hard violation found

    @property
    def feasible(self) -> bool:
        return self.costs.violations == 0


def _room_ok(inst: OrPasInstance, p: OrPasPatient, room_name: str) -> str | None:
    """Why the room is forbidden for the patient, or None."""
    room = inst.rooms.get(room_name)
    if room is None:
        return f"unknown room {room_name!r}"
    missing = sorted(p.needed - room.features)
    if missing:
        return f"room {room_name} lacks needed {', '.join(missing)}"
    dep = inst.departments[room.department]
    spec = inst.specialism_of(p)
    if spec not in dep.main and spec not in dep.aux:
        return f"department {dep.name} does not treat {spec}"
    if not dep.admits_age(p.age):
        return f"patient age {p.age} outside {dep.name}'s age limits"
    return None


def _check_schedule(inst: OrPasInstance, p: OrPasPatient, days: dict[int, str], c: CostBreakdown,
                    msgs: list[str]) -> None:
    if not days:
        c.schedule_violations += 1
        msgs.append(f"patient {p.name} is not scheduled")
        return
    first, last = min(days), max(days)
    if len(days) != last - first + 1:
        c.schedule_violations += 1
        msgs.append(f"patient {p.name}: stay is not on consecutive days")
    if len(days) != p.los:
        c.schedule_violations += 1
        msgs.append(f"patient {p.name}: stay of {len(days)} days, length of stay is {p.los}")
    if p.present and first != 0:
        c.schedule_violations += 1
        msgs.append(f"patient {p.name} is already present but not scheduled from day 0")
    if not p.admission <= first <= p.max_admission:
        c.schedule_violations += 1
        msgs.append(f"patient {p.name}: admitted on day {first}, allowed {p.admission}..{p.max_admission}")
    if first < 0 or last >= inst.num_days:
        c.schedule_violations += 1
        msgs.append(f"patient {p.name}: stay outside the horizon (days 0..{inst.num_days - 1})")


def validate_solution(inst: OrPasInstance, sol: OrPasSolution, weights: Weights = WEIGHTS) -> ValidationReport:
    """Recompute every hard violation and cost component of ``sol`` for ``inst``."""
    c = CostBreakdown(weights=weights)
    msgs: list[str] = []
    n_days, hz = inst.num_days, inst.horizon
    occ: dict[tuple[str, int], int] = defaultdict(int)
    males: dict[tuple[str, int], int] = defaultdict(int)
    females: dict[tuple[str, int], int] = defaultdict(int)
    or_spec: dict[tuple[int, str], int] = defaultdict(int)
    or_day: dict[int, int] = defaultdict(int)
    known = {p.name for p in inst.patients}
    for name in sol.stays:
        if name not in known:
            c.schedule_violations += 1
            msgs.append(f"solution names unknown patient {name}")
    for p in inst.patients:
        days = {d: r for d, r in sol.stays.get(p.name, {}).items() if 0 <= d < n_days}
        _check_schedule(inst, p, sol.stays.get(p.name, {}), c, msgs)
        if not days:
            continue
        for d, rname in sorted(days.items()):
            prev = p.initial_room if d == 0 else days.get(d - 1)
            if prev is not None and prev != rname:
                c.transfers += 1
            room = inst.rooms.get(rname)
            if room is not None:
                occ[rname, d] += 1
                (males if p.male else females)[rname, d] += 1
            why = _room_ok(inst, p, rname)
            if why is not None or room is None:
                c.room_violations += 1
                msgs.append(f"patient {p.name} day {d}: {why}")
                continue
            c.properties_violations += len(p.preferred - room.features)
            c.preference_violations += int(room.capacity > p.preferred_capacity)
            dep = inst.departments[room.department]
            spec = inst.specialism_of(p)
            c.specialism_violations += int(spec not in dep.main and spec in dep.aux)
            c.room_gender_violations += int(
                (room.gender_policy is GenderPolicy.MALE_ONLY and not p.male)
                or (room.gender_policy is GenderPolicy.FEMALE_ONLY and p.male)
            )
        first = min(days)
        if not p.present:
            c.delay_days += max(0, first - p.admission)
        if p.surgery_offset is not None:
            sd = first + p.surgery_offset
            or_spec[sd, inst.specialism_of(p)] += inst.specialism_minutes(p)
            or_day[sd] += inst.surgery_minutes(p)
    # capacity, gender mix, overcrowding risk
    leaving: dict[tuple[str, int], int] = defaultdict(int)
    for p in inst.patients:
        days = sol.stays.get(p.name, {})
        if p.variability:
            for d, rname in days.items():
                if d + 1 < n_days and (d + 1) not in days:
                    leaving[rname, d + 1] += 1
    for rname, room in inst.rooms.items():
        for d in range(n_days):
            o = occ.get((rname, d), 0)
            if o > room.capacity:
                c.capacity_violations += o - room.capacity
                msgs.append(f"room {rname} day {d}: {o} patients, capacity {room.capacity}")
            if room.gender_policy is GenderPolicy.SAME and males.get((rname, d), 0) and females.get((rname, d), 0):
                c.gender_mix_room_days += 1
            if d >= 1:
                c.overcrowd_beds += max(0, o + leaving.get((rname, d), 0) - room.capacity)
    # operating rooms
    for d in range(n_days):
        for spec in inst.specialisms:
            load, avail = or_spec.get((d, spec), 0), inst.slot_minutes(d, spec)
            admitted = inst.slots(d, spec) * ADMITTED_OVERTIME_PER_SLOT
            if load > avail + admitted:
                c.or_violations += load - avail - admitted
                msgs.append(f"OR {spec} day {d}: {load} min booked, {avail} + {admitted} allowed")
            if load > avail:
                c.overtime_minutes += min(load - avail, admitted)
        load, avail = or_day.get(d, 0), inst.day_minutes(d)
        if load > avail + ADMITTED_TOTAL_OVERTIME:
            c.or_violations += load - avail - ADMITTED_TOTAL_OVERTIME
            msgs.append(f"OR total day {d}: {load} min booked, {avail} + {ADMITTED_TOTAL_OVERTIME} allowed")
        if load > avail:
            c.overtime_minutes += min(load - avail, ADMITTED_TOTAL_OVERTIME)
    # idle resources within the original horizon, net of unavoidable surplus
    requested_or = sum(inst.surgery_minutes(p) for p in inst.patients)
    slots_in_h = sum(inst.slot_minutes(d, s) for d in range(hz) for s in inst.specialisms)
    idle_or = sum(max(0, inst.slot_minutes(d, s) - or_spec.get((d, s), 0)) for d in range(hz) for s in inst.specialisms)
    c.idle_or_minutes = max(0, idle_or - max(0, slots_in_h - requested_or))
    requested_beds = sum(max(0, min(p.discharge, hz) - max(p.admission, 0)) for p in inst.patients)
    idle_beds = sum(max(0, r.capacity - occ.get((n, d), 0)) for n, r in inst.rooms.items() for d in range(hz))
    c.idle_bed_days = max(0, idle_beds - max(0, inst.beds * hz - requested_beds))
    # utilisation (reported, not costed)
    used = sum(occ.get((n, d), 0) for n in inst.rooms for d in range(hz))
    c.room_utilization = 100.0 * used / (inst.beds * hz) if inst.beds and hz else 0.0
    day_rates = []
    for d in range(hz):
        rates = [or_spec.get((d, s), 0) / inst.slot_minutes(d, s) for s in inst.specialisms if inst.slot_minutes(d, s)]
        if rates:
            day_rates.append(sum(rates) / len(rates))
    c.or_utilization = 100.0 * sum(day_rates) / len(day_rates) if day_rates else 0.0
    return ValidationReport(costs=c, messages=msgs)


def render_report(rep: ValidationReport) -> list[str]:
    """The breakdown as text lines (the same layout the solver command prints)."""
    c, w = rep.costs, rep.costs.weights
    lines = [
        "VIOLATIONS:",
        f"  capacity = {c.capacity_violations}",
        f"  operating room = {c.or_violations}",
        f"  room (needed property / department / age) = {c.room_violations}",
        f"  schedule (missing / length / window) = {c.schedule_violations}",
        "COSTS:",
        f"  patient/room = {c.patient_room}: properties {c.properties_violations} x {w.preferred_property}, "
        f"preference {c.preference_violations} x {w.preferred_capacity}, specialism {c.specialism_violations} x "
        f"{w.specialism}, room gender {c.room_gender_violations} x {w.room_gender}",
    ]
    comp = c.components()
    for key in ("gender", "transfer", "delay", "overcrowd_risk", "or_overtime_cost", "idle_room_cost",
                "idle_operating_room_cost"):
        lines.append(f"  {key} = {comp[key]}")
    lines.append(f"  room utilisation = {c.room_utilization:.2f}%, OR utilisation = {c.or_utilization:.2f}%")
    lines.append(f"TOTAL violations = {c.violations} (referee {c.official_violations} + schedule "
                 f"{c.schedule_violations}), total cost = {c.total}")
    return lines

"""Placement options shared by the greedy construction and the CP-SAT model.

A placement of a patient is ``(room, admission day)``; the patient stays in that room for the whole
stay (no transfers, except a present patient moved out of the room he occupies). This is the reduced
model the solver optimises: its bound is a bound for single-room stays, not for the general problem in
which a patient may change room mid-stay (which costs 100 per change and is rarely worth it).
"""

from __future__ import annotations

from dataclasses import dataclass

from reasoning.allocation.orpas.domain import WEIGHTS, GenderPolicy, OrPasInstance, OrPasPatient, Room, Weights

__all__ = ["Placement", "allowed_rooms", "objective_constant", "placement_cost", "placements", "room_day_cost",
           "room_kind"]


@dataclass(frozen=True)
class Placement:
    patient: str
    room: str
    admission: int
    cost: int  # everything linear in this choice: patient-room costs, delay, transfer, minus idle-bed credit


def allowed_rooms(inst: OrPasInstance, p: OrPasPatient) -> list[Room]:
    """Rooms that satisfy the hard patient-room constraints (needed properties, department, age)."""
    spec = inst.specialism_of(p)
    out = []
    for room in inst.rooms.values():
        dep = inst.departments[room.department]
        if not p.needed <= room.features or (spec not in dep.main and spec not in dep.aux):
            continue
        if not dep.admits_age(p.age):
            continue
        out.append(room)
    return out


def room_kind(inst: OrPasInstance, p: OrPasPatient) -> frozenset[str]:
    """The patient's *kind*: the names of the rooms he may use. The dynamic mode's urgent reserves are kept per
    kind, and a bed reserve of rooms ``K`` counts a patient only if his kind lies in ``K`` (Hall's condition)."""
    return frozenset(r.name for r in allowed_rooms(inst, p))


def room_day_cost(inst: OrPasInstance, p: OrPasPatient, room: Room, w: Weights = WEIGHTS) -> int:
    """Soft patient-room cost per day of stay."""
    dep = inst.departments[room.department]
    spec = inst.specialism_of(p)
    cost = len(p.preferred - room.features) * w.preferred_property
    cost += w.preferred_capacity if room.capacity > p.preferred_capacity else 0
    cost += w.specialism if spec not in dep.main else 0
    if (room.gender_policy is GenderPolicy.MALE_ONLY and not p.male) or (
        room.gender_policy is GenderPolicy.FEMALE_ONLY and p.male
    ):
        cost += w.room_gender
    return cost


def placement_cost(inst: OrPasInstance, p: OrPasPatient, room: Room, a: int, w: Weights = WEIGHTS, *,
                   credit_until: int | None = None) -> int:
    """Linear cost of one placement; the idle-bed credit is ``-w.idle_bed`` per bed-day inside the horizon.

    ``credit_until`` (dynamic mode's day models) credits only the bed-days before that day.
    """
    cost = room_day_cost(inst, p, room, w) * p.los + w.delay * (a - p.admission)
    if p.initial_room is not None and room.name != p.initial_room:
        cost += w.transfer
    end = inst.horizon if credit_until is None else min(inst.horizon, credit_until)
    inside = max(0, min(a + p.los, end) - a)
    return cost - w.idle_bed * inside


def placements(inst: OrPasInstance, p: OrPasPatient, *, earliest: int = 0, max_delay: int | None = None,
               w: Weights = WEIGHTS, credit_until: int | None = None) -> list[Placement]:
    """Every feasible ``(room, admission day)`` of a patient, cheapest first.

    ``max_delay`` (rolling) limits admission to ``max(admission, earliest) + max_delay`` at the latest.
    """
    lo = max(p.admission, earliest)
    hi = p.max_admission if max_delay is None else min(p.max_admission, lo + max_delay)
    hi = min(hi, inst.num_days - p.los)
    if p.present:  # already in hospital: admitted on his admission day (day 0, or today in dynamic mode)
        lo = hi = p.admission
    rooms = allowed_rooms(inst, p)
    out = [Placement(p.name, r.name, a, placement_cost(inst, p, r, a, w, credit_until=credit_until))
           for a in range(lo, hi + 1) for r in rooms]
    out.sort(key=lambda o: (o.cost, o.admission, o.room))
    return out


def objective_constant(inst: OrPasInstance, w: Weights = WEIGHTS) -> int:
    """The objective's constant: idle bed-days and OR minutes if nothing were used, net of unavoidable surplus
    (weighted). The single-room model and the bound relaxation both add it to their linear costs."""
    hz = inst.horizon
    requested_beds = sum(max(0, min(p.discharge, hz) - max(p.admission, 0)) for p in inst.patients)
    bed_const = inst.beds * hz - max(0, inst.beds * hz - requested_beds)
    slots = sum(inst.slot_minutes(d, s) for d in range(hz) for s in inst.specialisms)
    requested_or = sum(inst.surgery_minutes(p) for p in inst.patients)
    or_const = slots - max(0, slots - requested_or)
    return w.idle_bed * bed_const + w.idle_or * or_const

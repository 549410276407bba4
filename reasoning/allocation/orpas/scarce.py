"""Steer flexible patients away from scarce rooms in the dynamic mode's day models.

A static plan keeps the rooms that some patients can only use (one small ward for a specialism) for them,
and puts patients who may go elsewhere elsewhere. A day model sees only the patients registered so far:
it lets a flexible patient take the last bed of such a room, the room's own patients registered later are
pushed past the horizon, and there the backlog no longer fits (a dynamic hard violation traced on
dept6_short08: five beds that 55 patients can only use, taken on many horizon days by patients with 9 to 14
allowed rooms).

:func:`spare_rooms_view` returns the instance and patients the day model should use: a kind of patient
(the set of rooms he may use, at most ``NARROW_SHARE`` of the hospital's beds) is *scarce* when the bed-days
per bed of the patients registered so far who may only use rooms among it reach ``SCARCE_LOAD`` times the
bed-days per bed of all patients registered so far (a ratio, so it needs no extrapolation to the horizon).
Every room outside the scarce kinds gets a synthetic feature that every patient who may use a room outside
them prefers, so each day such a patient spends in a scarce room costs ``preferred_property`` (20) in the
day model -- an opportunity cost; the validator never sees it (the solution names rooms only). Uses only
patients registered by the day.
"""

from __future__ import annotations

import dataclasses

from reasoning.allocation.orpas.domain import OrPasInstance, OrPasPatient
from reasoning.allocation.orpas.options import allowed_rooms, room_kind

__all__ = ["NARROW_SHARE", "SCARCE_LOAD", "SPARE_FEATURE", "scarce_rooms", "spare_rooms_view"]

SCARCE_LOAD = 0.8  # a narrow kind is scarce when its own patients load its beds this much as all patients all beds
NARROW_SHARE = 0.25  # only kinds with at most this share of the hospital's beds are candidates
SPARE_FEATURE = "__spare_room__"  # synthetic feature of rooms outside the scarce kinds (day models only)


def scarce_rooms(inst: OrPasInstance, seen: list[OrPasPatient]) -> frozenset[str]:
    """Rooms of the narrow kinds whose own patients (of ``seen``) load them ``SCARCE_LOAD`` as much as all do all."""
    kinds = {p.name: room_kind(inst, p) for p in seen}
    overall = sum(p.los for p in seen) / max(1, inst.beds)
    out: set[str] = set()
    for rooms in set(kinds.values()):
        beds = sum(inst.rooms[r].capacity for r in rooms)
        if not rooms or beds > NARROW_SHARE * inst.beds:
            continue
        if sum(p.los for p in seen if kinds[p.name] <= rooms) >= SCARCE_LOAD * overall * beds:
            out |= rooms
    return frozenset(out)


def spare_rooms_view(inst: OrPasInstance, model: list[OrPasPatient],
                     seen: list[OrPasPatient]) -> tuple[OrPasInstance, list[OrPasPatient]]:
    """The instance and patients of a day's model with the scarce-room preference added (unchanged if none);
    ``seen``: the patients registered by that day."""
    scarce = scarce_rooms(inst, seen)
    if not scarce:
        return inst, model
    rooms = {n: r if n in scarce else dataclasses.replace(r, features=r.features | {SPARE_FEATURE})
             for n, r in inst.rooms.items()}
    view = dataclasses.replace(inst, rooms=rooms)
    out = []
    for p in model:
        flexible = any(r.name not in scarce for r in allowed_rooms(inst, p))
        out.append(dataclasses.replace(p, preferred=p.preferred | {SPARE_FEATURE}) if flexible else p)
    return view, out

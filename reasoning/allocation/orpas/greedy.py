"""Greedy construction of a feasible OR-PAS schedule (warm start for CP-SAT, fallback when it finds none).

Patients are placed one by one, least flexible first (present, then those with few allowed beds, then
by latest admission day, then longest stay), each on the earliest admission day that has a room with free
beds on every day of the stay and OR time for the surgery, choosing the cheapest such room (including an estimate of the
same-gender mixing cost).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from reasoning.allocation.orpas.domain import (
    WEIGHTS,
    GenderPolicy,
    OrPasInstance,
    OrPasPatient,
    Weights,
)
from reasoning.allocation.orpas.options import allowed_rooms, room_day_cost

__all__ = ["SCARCE_BEDS", "GreedyState", "greedy_schedule"]

SCARCE_BEDS = 4  # a patient whose allowed rooms hold at most this many beds is placed before the others


class GreedyState:
    """Occupancy and OR load of a partial schedule."""

    def __init__(self, inst: OrPasInstance) -> None:
        self.inst = inst
        self.occ: dict[tuple[str, int], int] = defaultdict(int)
        self.males: dict[tuple[str, int], int] = defaultdict(int)
        self.or_spec: dict[tuple[int, str], int] = defaultdict(int)
        self.or_day: dict[int, int] = defaultdict(int)

    def fits(self, p: OrPasPatient, room: str, a: int) -> bool:
        inst = self.inst
        cap = inst.rooms[room].capacity
        if a + p.los > inst.num_days:
            return False
        if any(self.occ[room, d] >= cap for d in range(a, a + p.los)):
            return False
        minutes = inst.surgery_minutes(p)
        if minutes and p.surgery_offset is not None:
            sd, spec = a + p.surgery_offset, inst.specialism_of(p)
            if self.or_spec[sd, spec] + inst.specialism_minutes(p) > inst.or_limit(sd, spec):
                return False
            if self.or_day[sd] + minutes > inst.or_limit(sd):
                return False
        return True

    def mix_penalty(self, p: OrPasPatient, room: str, a: int, w: Weights) -> int:
        if self.inst.rooms[room].gender_policy is not GenderPolicy.SAME:
            return 0
        pen = 0
        for d in range(a, a + p.los):
            o, males = self.occ[room, d], self.males[room, d]
            same = males if p.male else o - males
            if o and same == 0:
                pen += w.gender_mix
        return pen

    def add(self, p: OrPasPatient, room: str, a: int, sign: int = 1) -> None:
        for d in range(a, a + p.los):
            self.occ[room, d] += sign
            if p.male:
                self.males[room, d] += sign
        minutes = self.inst.surgery_minutes(p)
        if minutes and p.surgery_offset is not None:
            sd = a + p.surgery_offset
            self.or_spec[sd, self.inst.specialism_of(p)] += sign * self.inst.specialism_minutes(p)
            self.or_day[sd] += sign * minutes

    def remove(self, p: OrPasPatient, room: str, a: int) -> None:
        self.add(p, room, a, -1)


def _eject(st: GreedyState, p: OrPasPatient, lo: int, hi: int, out: dict[str, tuple[str, int]],
           movable: dict[str, OrPasPatient], w: Weights) -> bool:
    """Place ``p`` by moving one patient who blocks a room to another room on the same days."""
    inst = st.inst
    for a in range(lo, hi + 1):
        for room in sorted(allowed_rooms(inst, p), key=lambda r: room_day_cost(inst, p, r, w)):
            blockers = [(q, rq, aq) for q, (rq, aq) in out.items() if q in movable and rq == room.name
                        and aq < a + p.los and aq + movable[q].los > a]
            for q, rq, aq in blockers:
                qp = movable[q]
                st.remove(qp, rq, aq)
                if st.fits(p, room.name, a):
                    st.add(p, room.name, a)
                    for r2 in allowed_rooms(inst, qp):
                        if r2.name != rq and st.fits(qp, r2.name, aq):
                            st.add(qp, r2.name, aq)
                            out[q] = (r2.name, aq)
                            out[p.name] = (room.name, a)
                            return True
                    st.remove(p, room.name, a)
                st.add(qp, rq, aq)
    return False


def greedy_schedule(
    inst: OrPasInstance,
    patients: Sequence[OrPasPatient],
    *,
    fixed: dict[str, tuple[str, int]] | None = None,
    prefer: dict[str, tuple[str, int]] | None = None,
    earliest: int = 0,
    weights: Weights = WEIGHTS,
    first: frozenset[str] = frozenset(),
) -> tuple[dict[str, tuple[str, int]], list[str]]:
    """Placements ``patient -> (room, admission day)`` and the names that could not be placed.

    ``fixed`` placements are kept as they are; a ``prefer`` placement is tried first when it still fits;
    patients named in ``first`` are placed right after the present ones (a repair of a plan that left them out).
    """
    fixed = fixed or {}
    prefer = prefer or {}
    st = GreedyState(inst)
    out: dict[str, tuple[str, int]] = {}
    for p in patients:
        if p.name in fixed:
            room, a = fixed[p.name]
            st.add(p, room, a)
            out[p.name] = (room, a)
    todo = [p for p in patients if p.name not in fixed]
    beds = {p.name: sum(r.capacity for r in allowed_rooms(inst, p)) for p in todo}
    # least flexible first: present, ``first``, pinned by a previous plan, few allowed beds, early deadline, long stay
    todo.sort(key=lambda p: (not p.present, p.name not in first, p.name not in prefer, beds[p.name] > SCARCE_BEDS,
                             p.max_admission, -p.los, p.admission, p.name))
    failed: list[str] = []
    movable = {p.name: p for p in todo}
    for p in todo:
        rooms = sorted(allowed_rooms(inst, p), key=lambda r: (room_day_cost(inst, p, r, weights), r.name))
        if p.present and p.initial_room is not None:
            rooms.sort(key=lambda r: r.name != p.initial_room)
        lo = p.admission if p.present else max(p.admission, earliest)
        hi = p.admission if p.present else p.max_admission
        want = prefer.get(p.name)
        if want is not None and want[1] >= lo and st.fits(p, want[0], want[1]):
            st.add(p, want[0], want[1])
            out[p.name] = want
            continue
        placed = False
        for a in range(lo, hi + 1):
            best: tuple[int, str] | None = None
            for r in rooms:
                if not st.fits(p, r.name, a):
                    continue
                c = room_day_cost(inst, p, r, weights) * p.los + st.mix_penalty(p, r.name, a, weights)
                if p.initial_room is not None and r.name != p.initial_room:
                    c += weights.transfer
                if best is None or c < best[0]:
                    best = (c, r.name)
            if best is not None:
                st.add(p, best[1], a)
                out[p.name] = (best[1], a)
                placed = True
                break
        if not placed and not _eject(st, p, lo, hi, out, movable, weights):
            failed.append(p.name)
    return out, failed

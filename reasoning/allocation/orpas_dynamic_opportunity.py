"""Opportunity cost of beds for future arrivals in the dynamic mode's day models.

A day model sees only the patients registered so far. With free beds it admits a long-stay elective now
(each bed-day inside the horizon earns the idle-bed credit), and the surgical patients registered in the
next days -- whose admission would also earn idle operating-room credit -- find the beds taken and go past
the horizon (traced on dept6_short07: dynamic admitted 220 patients inside the horizon, static 277, with
about the same bed-days; the difference is most of the idle-OR gap).

:func:`bed_opportunity` prices, per group of rooms (``OPPORTUNITY_GROUPS``: each department's rooms, or the
whole hospital) and on each later day ``t`` of the next ``OPPORTUNITY_DAYS`` days inside the horizon, the k-th
bed of the group left free after the day's commit (present patients, today's admissions and the known
patients with no room for delay) at ``value * P(N_t >= k)``: ``N_t`` the patients registered after ``d`` still
in the group on ``t`` (Poisson; arrival rate, admission lead and stays of the patients registered so far, each
counted by the share of his allowed beds inside the group), ``value`` the idle-OR credit those patients earn
per bed-day (the idle-bed credit is the same for every patient and cancels), scaled by ``OPPORTUNITY_FACTOR``
and by the share of ``t``'s OR time still free. A long stay admitted today pays on every contested later day,
a short stay with surgery earns its own OR credit: so contested beds go to patients whose admission earns OR
credit and to short stays first, and a long-stay elective with room for delay waits. Uses only patients
registered by ``d``.

Measured (paired runs at 80 s on a loaded machine, on against off): department groups dept6_short07 88.0k vs
95.6k, dept6_short06 117.6k vs 116.0k, dept2_short07 66.8k vs 63.3k, dept4_short06 50.6k vs 50.0k; the
hospital-wide group 93.0k vs 87.0k and 115.0k vs 113.8k on dept6_short07/06. No gain beyond run-to-run noise
(the same configuration gave 87.0k and 95.6k on dept6_short07), so the dynamic mode leaves it off.
"""

from __future__ import annotations

import math

from reasoning.allocation.orpas_model import BedReserve
from reasoning.allocation.orpas_options import allowed_rooms
from reasoning.allocation.orpas_types import OrPasInstance, OrPasPatient, Weights

__all__ = ["OPPORTUNITY_DAYS", "OPPORTUNITY_FACTOR", "OPPORTUNITY_GROUPS", "bed_opportunity", "future_occupancy"]

OPPORTUNITY_DAYS = 7  # later days on which a free bed is priced
OPPORTUNITY_GROUPS = "department"  # "hospital": one group of all rooms; "department": each department's rooms
OPPORTUNITY_FACTOR = 1.0  # share of the arrivals' mean OR credit per bed-day charged for a contested bed-day
MIN_TAIL = 0.05  # levels with P(N_t >= k) below this are not priced


def future_occupancy(seen: list[OrPasPatient], d: int, t: int, share: dict[str, float] | None = None) -> float:
    """Expected number of patients registered on days ``d + 1 .. t`` who are in hospital on day ``t``.

    Arrivals a day are the patients seen so far per day (each weighted by ``share``, the part of him that a
    group of rooms receives; without it all of him); each arrives with the lead and stay of one of them.
    """
    pool = [p for p in seen if not p.present]
    if not pool or t <= d:
        return 0.0
    total = 0.0
    for p in pool:
        lead = p.admission - p.registration
        weight = 1.0 if share is None else share.get(p.name, 0.0)
        total += weight * sum(1 for j in range(d + 1, t + 1) if lead <= t - j < lead + p.los)
    return total / (d + 1)


def _tails(mean: float) -> list[float]:
    """``P(N >= k)`` for ``k = 1, 2, ...`` while at least ``MIN_TAIL``, ``N`` Poisson with mean ``mean``."""
    pk, cdf, out = math.exp(-mean), 0.0, []
    for k in range(10 * int(mean) + 10):
        cdf += pk
        tail = 1.0 - cdf
        if tail < MIN_TAIL:
            break
        out.append(tail)
        pk *= mean / (k + 1)
    return out


def _groups(inst: OrPasInstance, pool: list[OrPasPatient]) -> list[tuple[frozenset[str], dict[str, float]]]:
    """Groups of rooms priced separately, each with the share of every patient's allowed beds lying in it."""
    if OPPORTUNITY_GROUPS == "hospital":
        return [(frozenset(inst.rooms), {p.name: 1.0 for p in pool})]
    allowed = {p.name: [r for r in allowed_rooms(inst, p)] for p in pool}
    out = []
    for dept in sorted({r.department for r in inst.rooms.values()}):
        rooms = frozenset(n for n, r in inst.rooms.items() if r.department == dept)
        share = {}
        for p in pool:
            beds = sum(r.capacity for r in allowed[p.name])
            inside = sum(r.capacity for r in allowed[p.name] if r.name in rooms)
            if beds and inside:
                share[p.name] = inside / beds
        if share:
            out.append((rooms, share))
    return out


def bed_opportunity(inst: OrPasInstance, seen: list[OrPasPatient], model: list[OrPasPatient], d: int,
                    w: Weights) -> list[BedReserve]:
    """Bed reserves pricing the beds the commit of day ``d`` takes from future arrivals (per group of rooms)."""
    pool = [p for p in seen if not p.present]
    if not pool or OPPORTUNITY_FACTOR <= 0:
        return []
    out: list[BedReserve] = []
    for rooms, share in _groups(inst, pool):
        bed_days = sum(share.get(p.name, 0.0) * p.los for p in pool)
        minutes = sum(share.get(p.name, 0.0) * inst.surgery_minutes(p) for p in pool if p.surgery_offset is not None)
        if bed_days <= 0 or minutes <= 0:
            continue
        value = OPPORTUNITY_FACTOR * w.idle_or * minutes / bed_days
        cap = sum(inst.rooms[r].capacity for r in rooms)
        for t in range(d + 1, min(d + OPPORTUNITY_DAYS, inst.horizon - 1) + 1):
            day_or = inst.day_minutes(t)
            held = sum(inst.surgery_minutes(p) for p in model if p.present and p.surgery_day == t)
            # the share of t's OR time still free (no OR time that day: the arrivals' surgeries fall on others)
            price = value * (1.0 - min(1.0, held / day_or)) if day_or > 0 else value
            free = cap - sum(1 for p in model
                             if p.present and p.initial_room in rooms and p.admission <= t < p.discharge)
            costs = tuple(c for c in (round(price * tail) for tail in _tails(future_occupancy(pool, d, t, share)))
                          if c > 0)[:max(0, free)]
            if costs:
                out.append(BedReserve(rooms, t, costs))
    return out

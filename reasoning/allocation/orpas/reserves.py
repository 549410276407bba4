"""Reserves for urgent arrivals in the dynamic OR-PAS mode: what a day's commit should leave free.

A patient is *urgent* when his latest admission is at most ``URGENT_NOTICE`` days after his registration.
:func:`day_reserves` prices, for the commit of day ``d``, the free beds of each kind of room and the free OR
minutes per specialism (and per day) on every later day: each kind of patient (the rooms he may use) sends urgent
patients at the rate seen so far for it, or at the overall urgent share of its patients if higher (a kind whose
first emergency has not come yet); the k-th free unit is priced ``RESERVE_COST * P(at least k arrivals still in
hospital)`` (negative binomial, since urgent patients come in bursts: see ``URGENT_DISPERSION``), kept when at
least ``MIN_TAIL``, for at most ``RESERVE_SHARE`` of the kind's beds, or ``URGENT_LOAD_FACTOR`` times the urgent
share of its patients' bed-days if more (OR time: ``OR_RESERVE_COST`` and ``OR_MIN_TAIL``, since a committed
surgery day never moves). Uses only the patients registered by ``d``. The day models of
:mod:`reasoning.allocation.orpas.dynamic` charge these prices (:class:`BedReserve`, :class:`OrReserve`).
"""

from __future__ import annotations

import math
from collections import Counter

from reasoning.allocation.orpas.domain import (
    OrPasInstance,
    OrPasPatient,
)
from reasoning.allocation.orpas.model import BedReserve, OrReserve
from reasoning.allocation.orpas.options import room_kind

__all__ = ["MIN_TAIL", "OR_MIN_TAIL", "OR_RESERVE_COST", "RESERVE_COST", "RESERVE_DAYS", "RESERVE_SHARE",
           "URGENT_DISPERSION", "URGENT_LOAD_FACTOR", "URGENT_NOTICE", "day_reserves"]

URGENT_NOTICE = 2  # days between registration and latest admission that make a patient urgent
RESERVE_DAYS = 14  # later days whose beds and OR time a day's commit keeps for urgent arrivals
RESERVE_COST = 20_000  # price of a missing reserve that an urgent arrival needs for sure
MIN_TAIL = 0.03  # the k-th reserve is kept only if P(at least k urgent arrivals) >= this (at .05 a children's
# rehabilitation ward, 10 beds, dept6_short05, kept 3 beds of day 13 free on day 11 and 4 urgent patients came)
OR_RESERVE_COST = 50_000  # the same for OR time: a surgery committed for a later day can never move, and a
OR_MIN_TAIL = 0.03  # specialism with one slot fits one long surgery (dept6_short09, Pat_349: P = .041 at 20k/.05)
RESERVE_SHARE = 0.25  # at most this share of a kind's beds (of a day's OR time) is kept, and at least one
URGENT_LOAD_FACTOR = 2.0  # or this times the urgent share of the bed-days of the patients the beds serve, if more
# (a small ward urgent patients mostly fill: dept6_short09's children's rehabilitation, 10 beds, Pat_425)
URGENT_DISPERSION = 2.0  # urgent arrivals are negative binomial with this size: they come in bursts. Over the
# 15 OR-PAS instances (all days, all bed reserves), a Poisson count with the same mean put 539 expected events
# in the tail levels it priced at P = .005-.05, and 1,158 came; with size 2 it expects 651 against 856 (Brier
# .0609 vs .0644 over all levels; size 1.5-4 are within .0007 of it)


def _urgent(p: OrPasPatient) -> bool:
    """A patient who arrives with little notice and little room for delay (the beds a plan must keep free)."""
    return not p.present and p.max_admission - p.registration <= URGENT_NOTICE


def _rate(members: list[OrPasPatient], share: float, days: int) -> float:
    """Urgent arrivals a day of one kind: its own urgent count, or its share of all urgent arrivals if higher."""
    return max(sum(1 for q in members if _urgent(q)), share * len(members)) / days


def day_reserves(inst: OrPasInstance, seen: list[OrPasPatient], d: int) -> list[BedReserve | OrReserve]:
    """What the commit of day ``d`` should leave free for the urgent arrivals of the next ``RESERVE_DAYS`` days.

    Only patients registered by ``d`` are used. Each kind of patient (the set of rooms he may use) sends
    urgent arrivals at the rate of its own urgent patients seen so far, or -- a kind none of whose urgent
    patients has come yet may still send one -- at the overall urgent share of all its patients, if higher.
    On a later day ``t`` the arrivals of days ``d + 1 .. t`` in hospital (each admitted after the lag from
    registration to admission of one of the urgent patients seen so far, for one of the kind's stays) are negative
    binomial (mean as said, size ``URGENT_DISPERSION``: urgent patients come in bursts);
    the k-th free bed of the kind's rooms is priced ``RESERVE_COST * P(at least k)`` (kept when at least
    ``MIN_TAIL``), the arrivals of every kind whose rooms all lie among these counted in (Hall).
    OR time likewise per specialism (its elective patients only: the referee counts no other surgery in a
    specialism's load) and for the day's total (every surgical patient): urgent surgeries land on
    registration day + lag + surgery offset, each needing the median urgent surgery of the specialism; the offsets
    are those of all the specialism's surgical patients seen so far, not of its few urgent ones (see below).
    Without the lags the near days were over-kept: over the 15 OR-PAS instances, the specialisms' OR
    reserves of day ``d + 1`` expected 59.8 urgent surgeries in all and 40 came; with the lags, 41.2.
    """
    days = d + 1
    pool = [p for p in seen if not p.present]
    if not pool:
        return []
    urgent_share = sum(1 for p in pool if _urgent(p)) / len(pool)
    out: list[BedReserve | OrReserve] = []
    kinds: dict[frozenset[str], list[OrPasPatient]] = {}
    for p in pool:
        kinds.setdefault(room_kind(inst, p), []).append(p)
    # per kind: its arrival rate, and held[m] = expected arrivals still in hospital on a day per unit rate when
    # they may have come on any of the m days before it (the sum over those days of P(stay > days since))
    sends = {k: (_rate(m, urgent_share, days), _held([q.los for q in m if _urgent(q)] or [q.los for q in m]))
             for k, m in kinds.items()}
    # days from registration to admission of the urgent patients seen so far: one who registers on d + 1 with
    # a lag of 1 is admitted on d + 2, so the near days need less kept than the arrival rate alone says
    lags = [max(0, q.admission - q.registration) for q in pool if _urgent(q)] or [0]
    lag_share = {lag: n / len(lags) for lag, n in sorted(Counter(lags).items())}
    for rooms in sorted(kinds, key=sorted):
        # Hall: the free beds of these rooms serve every kind that can only use rooms among them
        within = [k for k in kinds if k and k <= rooms and sends[k][0] > 0]
        inner = [sends[k] for k in within]
        if not rooms or not inner:
            continue
        served = [q for k in within for q in kinds[k]]
        urgent_load = sum(q.los for q in served if _urgent(q)) / max(1, sum(q.los for q in served))
        keep = min(1.0, max(RESERVE_SHARE, URGENT_LOAD_FACTOR * urgent_load))  # of the beds kept at most
        beds = sum(inst.rooms[r].capacity for r in rooms)
        for t in range(d + 1, min(d + RESERVE_DAYS, inst.horizon - 1) + 1):
            mean = sum(rate * sum(share * held[max(0, t - lag - d)] for lag, share in lag_share.items())
                       for rate, held in inner)
            costs = _prices(mean, beds, keep)
            if costs:
                out.append(BedReserve(rooms, t, costs))
    surgical = [p for p in pool if inst.surgery_minutes(p) and p.surgery_offset is not None]
    if not surgical:
        return out
    s_share = max(urgent_share, sum(1 for p in surgical if _urgent(p)) / len(surgical))
    by_spec: dict[str | None, list[OrPasPatient]] = {None: surgical}
    for p in surgical:
        if p.elective:  # the referee counts only electives in a specialism's load (every surgery in the day's)
            by_spec.setdefault(inst.specialism_of(p), []).append(p)
    for spec, members in sorted(by_spec.items(), key=lambda kv: kv[0] or ""):
        rate = _rate(members, s_share, days)
        if rate <= 0:
            continue
        urgent = [q for q in members if _urgent(q)] or members
        minutes = sorted(inst.surgery_minutes(q) for q in urgent)[len(urgent) // 2]
        # the surgery offset does not depend on urgency (over the 15 OR-PAS instances 69% of urgent and 70% of all
        # surgical patients have offset 0), and a specialism's urgent patients seen so far are too few to estimate
        # it: in a resampled dept2_short08 Vascular's two urgent patients seen by day 9 both had offset 1, so day 9
        # kept no OR time of day 10, and an urgent patient who registered on day 10 for surgery that day found the
        # slots full. From all its surgical patients, day d + 1's reserves over the 15 instances expect 44.6 urgent
        # surgeries (40 came; 41.2 from the urgent ones) and leave 4 of them unprotected (P < OR_MIN_TAIL), not 7.
        offsets = [q.surgery_offset or 0 for q in members]
        for t in range(d + 1, min(d + RESERVE_DAYS, inst.horizon) + 1):
            if (inst.slots(t, spec) if spec else inst.day_minutes(t)) <= 0:
                continue
            mean = rate * sum(share for o in offsets for lag, share in lag_share.items() if t - o - lag >= d + 1) \
                / len(offsets)
            costs = _prices(mean, inst.or_limit(t, spec) // minutes, cost=OR_RESERVE_COST, min_tail=OR_MIN_TAIL)
            if costs:
                out.append(OrReserve(spec, t, minutes, costs))
    return out


def _held(stays: list[int]) -> list[float]:
    """``held[m]`` = sum over ``x < m`` of the share of ``stays`` longer than ``x``, for ``m = 0 .. RESERVE_DAYS``."""
    out = [0.0]
    for x in range(RESERVE_DAYS):
        out.append(out[-1] + sum(1 for s in stays if s > x) / len(stays))
    return out


def _prices(mean: float, room: int, share: float = RESERVE_SHARE, *, cost: int | None = None,
            min_tail: float | None = None) -> tuple[int, ...]:
    """Prices of the k-th reserve (``cost`` and ``min_tail`` default to ``RESERVE_COST`` and ``MIN_TAIL``); at most
    ``share`` of ``room`` units (and at least one) are kept, or a small ward kept for emergencies turns its
    electives away until after the horizon, when it is full."""
    most = max(1, math.floor(share * room))
    cost = RESERVE_COST if cost is None else cost
    floor = MIN_TAIL if min_tail is None else min_tail
    return tuple(round(cost * tail) for tail in _tails(mean) if tail >= floor)[:most]


def _tails(mean: float, most: int = 6) -> list[float]:
    """``P(N >= k)`` for ``k = 1..most``: ``N`` negative binomial with mean ``mean`` and size ``URGENT_DISPERSION``
    (variance ``mean + mean ** 2 / URGENT_DISPERSION``)."""
    r = URGENT_DISPERSION
    q = mean / (r + mean)
    pk, cdf, out = (1.0 - q) ** r, 0.0, []
    for k in range(most):
        cdf += pk
        out.append(max(0.0, 1.0 - cdf))
        pk *= (k + r) / (k + 1) * q
    return out

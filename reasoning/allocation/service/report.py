"""After the solve: operating-room per surgery, why each left-out patient was blocked, and resource shortfalls."""

from __future__ import annotations

from collections import Counter, defaultdict

from reasoning.allocation.service.models import Shortfall, Unassigned
from reasoning.allocation.service.options import Option, Problem, Usage

__all__ = ["assign_operating_rooms", "blocking_reasons", "resource_label", "shortfalls"]


def resource_label(key: str) -> tuple[str, int]:
    """``ward:W1@3`` -> (``ward:W1``, 3)."""
    res, _, day = key.rpartition("@")
    return res, int(day)


def assign_operating_rooms(prob: Problem, chosen: dict[str, Option]) -> dict[str, str]:
    """First-fit decreasing of each department-day's surgeries into its open rooms (pool only if none fits)."""
    by_slot: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
    for pid, o in chosen.items():
        p = prob.patients[pid]
        if p.surgery_minutes:
            by_slot[o.department, o.admission + p.surgery_offset].append((p.surgery_minutes, pid))
    out: dict[str, str] = {}
    for (dep, day), items in by_slot.items():
        free = {r.id: r.minutes.get(dep, 0) for r in prob.req.operating_rooms
                if r.minutes.get(dep, 0) > 0 and (r.open_days is None or day in r.open_days)}
        for mins, pid in sorted(items, reverse=True):
            room = next((r for r, left in sorted(free.items()) if left >= mins), None)
            if room is not None:
                free[room] -= mins
                out[pid] = room
    return out


def blocking_reasons(prob: Problem, chosen: dict[str, Option]) -> list[Unassigned]:
    """Every patient left out, with the constraint that blocked him and the facts it rests on."""
    out: list[Unassigned] = []
    for pid, (constraint, detail) in sorted(prob.blocked.items()):
        cites = [f.id for f in prob.fits[pid].facts]
        out.append(Unassigned(patient_id=pid, constraint=constraint, detail=detail,
                              citations=[*cites, f"solver:{prob.run_id}#blocked:{pid}:{constraint}"]))
    use = Usage(prob)
    for o in chosen.values():
        use.add(o)
    for pid in sorted(prob.options):
        if pid in chosen:
            continue
        full: Counter[str] = Counter()
        free_option = False
        for o in prob.options[pid]:
            over = [k for k, n in prob.demand(o) if use.used[k] + n > prob.capacity(k)]
            if not over:
                free_option = True
                break
            full.update(over[:1])
        if free_option:
            out.append(Unassigned(patient_id=pid, constraint="time_limit",
                                  detail="an option was still free; the solver stopped at its time limit",
                                  citations=[f"solver:{prob.run_id}#status"]))
            continue
        key, _ = full.most_common(1)[0]
        res, day = resource_label(key)
        detail = (f"all {len(prob.options[pid])} options are blocked; most often by {res} on day {day} "
                  f"({use.used[key]}/{prob.capacity(key)} used)")
        kind = res.split(":", 1)[0]
        out.append(Unassigned(patient_id=pid, constraint=f"capacity:{kind}", detail=detail,
                              citations=[f"solver:{prob.run_id}#capacity:{key}"]))
    return out


def shortfalls(prob: Problem, chosen: dict[str, Option], limit: int = 200) -> list[Shortfall]:
    """Resource-days whose demand (the plan plus each left-out patient at his best option) exceeds capacity."""
    demand: dict[str, int] = defaultdict(int)
    for o in chosen.values():
        for k, n in prob.demand(o):
            demand[k] += n
    for pid, opts in prob.options.items():
        if pid not in chosen and opts:
            for k, n in prob.demand(opts[0]):
                demand[k] += n
    out = []
    for k, n in demand.items():
        cap = prob.capacity(k)
        if n > cap:
            res, day = resource_label(k)
            out.append(Shortfall(resource=res, day=day, demand=n, capacity=cap, short_by=n - cap))
    out.sort(key=lambda s: (s.day, s.resource))
    return out[:limit]

"""After the solve: operating-room per surgery, why each left-out patient was blocked, and resource shortfalls."""

from __future__ import annotations

from collections import Counter, defaultdict

from reasoning.allocation.service.models import Shortfall, Unassigned
from reasoning.allocation.service.options import Option, Problem, Usage

__all__ = ["assign_operating_rooms", "blocking_reasons", "penalty", "resource_label", "shortfalls"]


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


def penalty(prob: Problem, pid: str) -> int:
    """What leaving ``pid`` out costs under the request's weights."""
    p, w8 = prob.patients[pid], prob.req.weights
    return w8.unassigned_emergency if p.emergency else w8.unassigned * p.priority


def _mix_cost(prob: Problem, o: Option, sexes: dict[tuple[str, int], set[str]]) -> int:
    """Gender-mix cost ``o`` would add: ward-days of a same-sex ward that now hold only the other sex."""
    p = prob.patients[o.patient]
    if p.sex is None or not any(w.id == o.ward and w.gender_policy == "same" for w in prob.req.wards):
        return 0
    present = [sexes.get((o.ward, d), set()) for d in prob.stay_days(p, o.admission)]
    days = sum(1 for s in present if s and p.sex not in s)  # only the other sex there so far
    return prob.req.weights.gender_mix * days


def blocking_reasons(prob: Problem, chosen: dict[str, Option], *, stopped: str = "Optimal",
                     time_limit: float | None = None) -> list[Unassigned]:
    """Every patient left out, with the constraint that blocked him and the facts it rests on.

    A patient left out although one of his options still fits is explained by what is true: that option costs
    at least as much as leaving him out (``cost``: the request's weights chose it), or the solver stopped before
    proving otherwise (``time_limit`` when ``stopped`` is HiGHS's time-limit status, else ``solver``).
    """
    out: list[Unassigned] = []
    for pid, (constraint, detail) in sorted(prob.blocked.items()):
        cites = [f.id for f in prob.fits[pid].facts]
        out.append(Unassigned(patient_id=pid, constraint=constraint, detail=detail,
                              citations=[*cites, f"solver:{prob.run_id}#blocked:{pid}:{constraint}"]))
    use = Usage(prob)
    sexes: dict[tuple[str, int], set[str]] = defaultdict(set)
    for o in chosen.values():
        use.add(o)
        sex = prob.patients[o.patient].sex
        if sex is not None:
            for d in prob.stay_days(prob.patients[o.patient], o.admission):
                sexes[o.ward, d].add(sex)
    for pid in sorted(prob.options):
        if pid in chosen:
            continue
        full: Counter[str] = Counter()
        free: list[tuple[int, Option]] = []
        for o in prob.options[pid]:
            over = [k for k, n in prob.demand(o) if use.used[k] + n > prob.capacity(k)]
            if over:
                full.update(over[:1])
            else:
                free.append((o.cost + _mix_cost(prob, o, sexes), o))
        if free:
            out.append(_left_out_with_a_free_option(prob, pid, min(free, key=lambda c: (c[0], c[1].admission)),
                                                    stopped, time_limit))
            continue
        key, _ = full.most_common(1)[0]
        res, day = resource_label(key)
        detail = (f"all {len(prob.options[pid])} options are blocked; most often by {res} on day {day} "
                  f"({use.used[key]}/{prob.capacity(key)} used)")
        kind = res.split(":", 1)[0]
        out.append(Unassigned(patient_id=pid, constraint=f"capacity:{kind}", detail=detail,
                              citations=[f"solver:{prob.run_id}#capacity:{key}"]))
    return out


def _left_out_with_a_free_option(prob: Problem, pid: str, best: tuple[int, Option], stopped: str,
                                 time_limit: float | None) -> Unassigned:
    cost, o = best
    pen = penalty(prob, pid)
    where = f"ward {o.ward} from day {o.admission}"
    if cost >= pen:
        weight = "unassigned_emergency" if prob.patients[pid].emergency else "unassigned"
        return Unassigned(
            patient_id=pid, constraint="cost",
            detail=f"leaving the patient out costs {pen} under the request's weights, no more than the cheapest "
                   f"option still free ({where}, cost {cost}); raise weights.{weight} to admit such patients",
            citations=[f"solver:{prob.run_id}#cost:unassigned:{pid}"])
    if stopped == "Time limit reached":
        limit = "" if time_limit is None else f" of {time_limit:g} s"
        return Unassigned(
            patient_id=pid, constraint="time_limit",
            detail=f"an option was still free ({where}, cost {cost} < {pen} for leaving out); the solver stopped "
                   f"at its time limit{limit} before finding it; a longer --time-limit may admit the patient",
            citations=[f"solver:{prob.run_id}#status"])
    return Unassigned(
        patient_id=pid, constraint="solver",
        detail=f"an option was still free ({where}, cost {cost} < {pen} for leaving out); the solver stopped "
               f"({stopped}) within its optimality tolerance without taking it",
        citations=[f"solver:{prob.run_id}#status"])


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

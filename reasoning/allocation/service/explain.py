"""Structured explanations of allocation decisions: solver facts and KG facts, each with a citation id.

The text of an explanation is rendered only from its facts' ``values`` (numbers are the solver's), so a
language model can later rephrase the facts without changing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reasoning.allocation.service.models import AllocationResponse, Explanation, Fact
from reasoning.allocation.service.report import penalty

if TYPE_CHECKING:
    from reasoning.allocation.service.options import Option, Problem

__all__ = ["explain_response", "render_response"]

MAX_ALTERNATIVES = 3


def _alternatives(prob: Problem, pid: str, o: Option, used: dict[str, int]) -> list[Fact]:
    own = dict(prob.demand(o))
    out: list[Fact] = []
    for alt in prob.options[pid]:
        if alt == o or len(out) >= MAX_ALTERNATIVES:
            continue
        base = f"solver:{prob.run_id}#alt:{pid}:{alt.ward}@{alt.admission}"
        over = [(k, n) for k, n in prob.demand(alt) if used.get(k, 0) - own.get(k, 0) + n > prob.capacity(k)]
        if over:
            k, n = over[0]
            others, cap = used.get(k, 0) - own.get(k, 0), prob.capacity(k)
            out.append(Fact(id=base, kind="solver",
                            statement=f"ward {alt.ward} from day {alt.admission} rejected: {others} of {cap} "
                                      f"{_resource_words(k)} are taken by other patients and this needs {n}",
                            values={"ward": alt.ward, "day": alt.admission, "resource": k,
                                    "used_by_others": others, "capacity": cap, "needs": n}))
        else:
            extra = alt.cost - o.cost
            move = prob.req.weights.change if alt.moved and not o.moved else 0
            why = f" ({move} of it for moving a planned patient)" if move else ""
            out.append(Fact(id=base, kind="solver",
                            statement=f"ward {alt.ward} from day {alt.admission} rejected: costs {extra} more{why}",
                            values={"ward": alt.ward, "day": alt.admission, "extra_cost": extra,
                                    "change_cost": move}))
    return out


def _resource_words(key: str) -> str:
    """``ward:C1@2`` -> 'beds of ward C1 on day 2'; ``or:surg@2`` -> 'OR minutes of surg on day 2'."""
    res, _, day = key.rpartition("@")
    kind, _, name = res.partition(":")
    what = {"ward": f"beds of ward {name}", "equipment": f"{name} units", "or": f"OR minutes of {name}"}
    return f"{what.get(kind, res)} on day {day}"


def _assignment_facts(prob: Problem, pid: str, o: Option, used: dict[str, int], room: str | None) -> list[Fact]:
    p, run = prob.patients[pid], prob.run_id
    facts = list(prob.fits[pid].facts)
    facts.append(Fact(id=f"solver:{run}#assign:{pid}", kind="solver",
                      statement=f"admit to ward {o.ward} ({o.department}) on day {o.admission} for "
                                f"{p.length_of_stay} day(s)",
                      values={"ward": o.ward, "department": o.department, "admission_day": o.admission,
                              "discharge_day": o.admission + p.length_of_stay, "department_rank": o.rank}))
    if o.admission > p.earliest:
        w8 = prob.req.weights
        days = o.admission - p.earliest
        facts.append(Fact(id=f"solver:{run}#cost:delay:{pid}", kind="solver",
                          statement=f"admission delayed {days} day(s)",
                          values={"days": days, "cost": w8.delay * (p.priority + (5 if p.emergency else 0)) * days}))
    if o.rank > 1:
        cost = prob.req.weights.second_choice_department * (o.rank - 1)
        facts.append(Fact(id=f"solver:{run}#cost:second_choice_department:{pid}", kind="solver",
                          statement=f"{o.department} is the KG's choice number {o.rank} among this hospital's "
                                    f"departments for the condition (cost {cost})",
                          values={"department": o.department, "rank": o.rank, "cost": cost}))
    keys = [k for k, _ in prob.demand(o)]
    tight = max(keys, key=lambda k: (used.get(k, 0) / max(1, prob.capacity(k)), k)) if keys else None
    if tight is not None:
        u, cap = used.get(tight, 0), prob.capacity(tight)
        facts.append(Fact(id=f"solver:{run}#capacity:{tight}", kind="solver",
                          statement=f"{u} of {cap} {_resource_words(tight)} used"
                                    + (" (binding)" if u >= cap else ""),
                          values={"resource": tight, "used": u, "capacity": cap, "binding": int(u >= cap)}))
    if p.surgery_minutes:
        facts.append(Fact(id=f"solver:{run}#surgery:{pid}", kind="solver",
                          statement=f"surgery of {p.surgery_minutes} min on day {o.admission + p.surgery_offset}",
                          values={"minutes": p.surgery_minutes, "day": o.admission + p.surgery_offset,
                                  "operating_room": room or "department pool"}))
    if o.moved:
        before = prob.plan[pid]
        urgent = sorted(q.id for q in prob.req.patients if q.emergency and q.id not in prob.plan)
        why = f" to admit emergency patient(s) {', '.join(urgent)}" if urgent else ""
        facts.append(Fact(id=f"solver:{run}#change:{pid}", kind="solver",
                          statement=f"moved from ward {before.ward} day {before.admission_day}{why} "
                                    f"(cost {prob.req.weights.change})",
                          values={"from_ward": before.ward, "from_day": before.admission_day,
                                  "cost": prob.req.weights.change, "for": ", ".join(urgent)}))
    facts.extend(_alternatives(prob, pid, o, used))
    return facts


def _text(decision: str, facts: list[Fact]) -> str:
    parts = [decision + "."]
    for f in facts:
        parts.append(f"{f.statement[0].upper()}{f.statement[1:]} [{f.id}].")
    return " ".join(parts)


def explain_response(prob: Problem, chosen: dict[str, Option], resp: AllocationResponse) -> list[Explanation]:
    used: dict[str, int] = {}
    for o in chosen.values():
        for k, n in prob.demand(o):
            used[k] = used.get(k, 0) + n
    rooms = {a.patient_id: a.operating_room for a in resp.assignments}
    out: list[Explanation] = []
    for pid, o in sorted(chosen.items()):
        facts = _assignment_facts(prob, pid, o, used, rooms.get(pid))
        decision = f"Patient {pid}: ward {o.ward} ({o.department}), days {o.admission}-" \
                   f"{o.admission + prob.patients[pid].length_of_stay - 1}"
        out.append(Explanation(patient_id=pid, decision=decision, facts=facts, text=_text(decision, facts)))
    for u in resp.unassigned:
        facts = [f for f in prob.fits[u.patient_id].facts if f.id in u.citations]
        cite = u.citations[-1] if u.citations else f"solver:{prob.run_id}#blocked:{u.patient_id}"
        values: dict[str, int | float | str] = {"constraint": u.constraint}
        key = cite.partition("#capacity:")[2]
        if key:  # the resource-day that blocked most of the patient's options, as the solver left it
            values.update({"resource": key, "used": used.get(key, 0), "capacity": prob.capacity(key)})
        facts.append(Fact(id=cite, kind="solver", statement=u.detail, values=values))
        q, pen = prob.patients[u.patient_id], penalty(prob, u.patient_id)
        kind = "an emergency" if q.emergency else f"priority {q.priority}"
        facts.append(Fact(id=f"solver:{prob.run_id}#cost:unassigned:{u.patient_id}", kind="solver",
                          statement=f"leaving out a patient of {kind} costs {pen}",
                          values={"priority": q.priority, "emergency": int(q.emergency), "cost": pen}))
        decision = f"Patient {u.patient_id}: not allocated ({u.constraint})"
        out.append(Explanation(patient_id=u.patient_id, decision=decision, facts=facts, text=_text(decision, facts)))
    return out


def render_response(resp: AllocationResponse, max_lines: int = 60) -> list[str]:
    """Plain-text summary of a response for the CLI."""
    lines = [f"run {resp.run_id}: {resp.status} in {resp.solve_seconds:.1f}s, objective {resp.objective_total}"
             + ("" if resp.gap is None else f" (gap {100 * resp.gap:.2f}%)")]
    lines.append("  " + ", ".join(f"{k}={v}" for k, v in resp.objective.items()))
    lines.append(f"{len(resp.assignments)} assigned, {len(resp.unassigned)} not allocated, "
                 f"{len(resp.changes)} changes to the current plan")
    for u in resp.unassigned[:20]:
        lines.append(f"  NOT ALLOCATED {u.patient_id}: {u.constraint}: {u.detail}")
    for s in resp.shortfalls[:20]:
        lines.append(f"  SHORTFALL {s.resource} day {s.day}: demand {s.demand}, capacity {s.capacity}, "
                     f"short by {s.short_by}")
    for c in resp.changes[:20]:
        after = f"{c.after.ward} day {c.after.admission_day}" if c.after else "not allocated"
        before = f"{c.before.ward} day {c.before.admission_day}" if c.before else "new"
        lines.append(f"  CHANGE {c.patient_id}: {before} -> {after} ({c.reason})")
    for e in resp.explanations[: max(0, max_lines - len(lines))]:
        lines.append(f"  {e.text}")
    return lines

"""Large-neighbourhood search over single-room OR-PAS plans, with CP-SAT as the engine of every move.

Each move frees the patients of one neighbourhood and fixes everybody else where the current plan has
them; CP-SAT re-optimises the freed patients (warm-started with the current plan, so a move never makes
things worse) for a few seconds. Neighbourhoods, in turn:

- a window of admission days: patients requested or planned to be admitted in ``[s, s + width)``;
- a group of rooms: patients planned in, or allowed into, one department's rooms (room-level swaps);
- the most expensive patients of the plan plus a random sample.

The model's objective equals the validator's total for a single-room plan, so accepting a move on the
model objective accepts it on the real cost. Moves are seeded, so a run is reproducible up to the time
limit.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from reasoning.allocation.orpas.domain import WEIGHTS, OrPasInstance, OrPasPatient, Weights
from reasoning.allocation.orpas.model import ModelOptions, solve_placements
from reasoning.allocation.orpas.options import placement_cost

__all__ = ["LNS_MOVE_SECONDS", "improve_plan"]

log = logging.getLogger(__name__)

LNS_MOVE_SECONDS = 4.0  # CP-SAT time per move
MISSED_ADMISSION_COST = 100_000  # a patient left out of the plan (a hard violation)
FREE_TARGET = 70  # about this many patients freed per move


def _window(inst: OrPasInstance, plan: dict[str, tuple[str, int]], rng: random.Random) -> set[str]:
    s = rng.randrange(0, inst.horizon + 4)
    width = rng.choice((2, 3, 4))
    return {p.name for p in inst.patients if not p.present and p.name in plan
            and (s <= plan[p.name][1] < s + width or s <= p.admission < s + width)}


def _rooms(inst: OrPasInstance, plan: dict[str, tuple[str, int]], rng: random.Random) -> set[str]:
    dep = rng.choice(sorted({r.department for r in inst.rooms.values()}))
    names = {r.name for r in inst.rooms.values() if r.department == dep}
    s = rng.randrange(0, inst.horizon)
    return {p.name for p in inst.patients if p.name in plan and plan[p.name][0] in names
            and s <= plan[p.name][1] + p.los and plan[p.name][1] < s + 7}


def _expensive(inst: OrPasInstance, plan: dict[str, tuple[str, int]], rng: random.Random,
               w: Weights) -> set[str]:
    def cost(p: OrPasPatient) -> int:  # the patient's own costs: room, delay, transfer; no idle-bed credit
        room, a = plan[p.name]
        return placement_cost(inst, p, inst.rooms[room], a, w, credit_until=0)

    ranked = sorted((p for p in inst.patients if p.name in plan), key=cost, reverse=True)
    out = {p.name for p in ranked[: FREE_TARGET // 2]}
    out |= {p.name for p in rng.sample(inst.patients, min(len(inst.patients), FREE_TARGET // 2))}
    return out


def improve_plan(
    inst: OrPasInstance,
    plan: dict[str, tuple[str, int]],
    objective: float,
    *,
    time_limit: float,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    weights: Weights = WEIGHTS,
    seed: int = 0,
) -> tuple[dict[str, tuple[str, int]], float, int]:
    """Improve a single-room plan for ``time_limit`` seconds; returns (plan, objective, moves kept).

    ``objective`` is the plan's model objective. Patients missing from ``plan`` (a start that could not
    place everybody) are freed in every move and may stay out at ``MISSED_ADMISSION_COST`` each.
    """
    say = progress or (lambda _m: None)
    rng = random.Random(seed)
    t_end = time.perf_counter() + time_limit
    best, best_obj = dict(plan), objective
    must = {p.name: MISSED_ADMISSION_COST for p in inst.patients if not p.present}
    kept = tried = 0
    while True:
        left = t_end - time.perf_counter()
        if left < 1.5:
            break
        missing = {p.name for p in inst.patients if p.name not in best}  # left out: free in every move
        kind = tried % 3
        if kind == 0:
            free = _window(inst, best, rng)
        elif kind == 1:
            free = _rooms(inst, best, rng)
        else:
            free = _expensive(inst, best, rng, weights)
        tried += 1
        free = {n for n in free if n in best} | missing
        if not free:
            continue
        fixed = {n: pa for n, pa in best.items() if n not in free}
        opts = ModelOptions(fixed=fixed, hint=best, time_limit=min(LNS_MOVE_SECONDS, left), workers=workers,
                            weights=weights, presolve=True, drop_cost=must)
        res = solve_placements(inst, inst.patients, opts)
        if res.objective is not None and res.objective < best_obj - 0.5 and len(res.assignment) >= len(best):
            best, best_obj = dict(res.assignment), res.objective
            kept += 1
            say(f"  LNS move {tried} ({('days', 'rooms', 'costly')[kind]}, {len(free)} free): cost {best_obj:.0f}")
    log.info("LNS: %d of %d moves kept, cost %.0f", kept, tried, best_obj)
    return best, best_obj, kept

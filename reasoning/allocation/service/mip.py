"""HiGHS MIP of the general allocation problem (a 0-1 assignment with packing rows: tight LP bounds).

Columns: one binary per option (patient, ward, admission day); one ``left out`` column per patient in
[0, 1] (integral whenever the options are); for same-sex wards, binaries ``male``/``female`` per ward-day
and a ``mix`` column. Rows: each patient exactly one option or left out; every resource-day within its
capacity (beds, equipment, OR minutes); ``mix >= male + female - 1``. Warm-started with the greedy
allocation.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from reasoning.allocation.highs_lp import LpBuilder, run_highs
from reasoning.allocation.service.options import Option, Problem

__all__ = ["MipResult", "solve_mip"]

log = logging.getLogger(__name__)


@dataclass
class MipResult:
    chosen: dict[str, Option] = field(default_factory=dict)
    status: str = "UNKNOWN"
    stopped: str = "UNKNOWN"  # HiGHS's own model status, e.g. "Optimal", "Time limit reached"
    objective: float | None = None
    bound: float | None = None


def solve_mip(prob: Problem, warm: dict[str, Option], *, time_limit: float, threads: int = 2) -> MipResult:
    import numpy as np

    req, w8 = prob.req, prob.req.weights
    b = LpBuilder()
    cols: dict[str, list[tuple[Option, int]]] = {}
    use: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    sexes: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    same = {w.id for w in req.wards if w.gender_policy == "same"}
    hint: dict[int, float] = {}
    for pid, opts in prob.options.items():
        p = prob.patients[pid]
        row = [(o, b.col(float(o.cost), integer=True)) for o in opts]
        for o, j in row:
            hint[j] = float(warm.get(pid) == o)
            for k, n in prob.demand(o):
                use[k][0].append(j)
                use[k][1].append(float(n))
            if o.ward in same and p.sex is not None:
                for d in prob.stay_days(p, o.admission):
                    sexes[o.ward, d, p.sex].append(j)
        idx = [j for _, j in row]
        if pid not in prob.fixed:
            pen = w8.unassigned_emergency if p.emergency else w8.unassigned * p.priority
            left = b.col(float(pen))
            hint[left] = float(pid not in warm)
            idx.append(left)
        b.row(1.0, 1.0, idx, [1.0] * len(idx))
        cols[pid] = row
    for k, (idx, val) in use.items():
        cap = prob.capacity(k)
        if sum(val) > cap:
            b.row(-np.inf, float(cap), idx, val)
    for (ward, d, sex), males in sexes.items():
        fem = sexes.get((ward, d, "female"))
        if sex != "male" or not fem:
            continue
        bm, bf, mix = b.col(0.0, integer=True), b.col(0.0, integer=True), b.col(float(w8.gender_mix))
        b.row(-np.inf, 0.0, [*males, bm], [1.0] * len(males) + [-float(len(males))])
        b.row(-np.inf, 0.0, [*fem, bf], [1.0] * len(fem) + [-float(len(fem))])
        b.row(-np.inf, 1.0, [bm, bf, mix], [1.0, 1.0, -1.0])
        hint[bm] = float(any(hint.get(j, 0) for j in males))
        hint[bf] = float(any(hint.get(j, 0) for j in fem))
        hint[mix] = float(hint[bm] and hint[bf])
    run = run_highs(b, time_limit=time_limit, threads=threads, mip_gap=1e-4, what="the allocation MIP", hint=hint)
    status, info, values = run.status, run.info, run.values
    res = MipResult(status=status, stopped=status)
    if len(values) != len(b.cost) or info.primal_solution_status == 0:
        log.warning("HiGHS returned no solution (%s)", status)
        return res
    res.status = "OPTIMAL" if status == "Optimal" else "FEASIBLE"
    res.objective = float(info.objective_function_value)
    res.bound = float(info.mip_dual_bound)
    for pid, row in cols.items():
        for o, j in row:
            if values[j] > 0.5:
                res.chosen[pid] = o
                break
    return res

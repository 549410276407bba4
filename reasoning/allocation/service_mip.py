"""HiGHS MIP of the general allocation problem (a 0-1 assignment with packing rows: tight LP bounds).

Columns: one binary per option (patient, ward, admission day); one ``left out`` column per patient in
[0, 1] (integral whenever the options are); for same-sex wards, binaries ``male``/``female`` per ward-day
and a ``mix`` column. Rows: each patient exactly one option or left out; every resource-day within its
capacity (beds, equipment, OR minutes); ``mix >= male + female - 1``. Warm-started with the greedy
allocation.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from medkg.errors import MedkgError
from reasoning.allocation.service_options import Option, Problem

__all__ = ["MipResult", "solve_mip"]

log = logging.getLogger(__name__)


@dataclass
class MipResult:
    chosen: dict[str, Option] = field(default_factory=dict)
    status: str = "UNKNOWN"
    objective: float | None = None
    bound: float | None = None


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class _Builder:
    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[float, float, list[int], list[float]]] = []

    def col(self, cost: float, integer: bool) -> int:
        self.cost.append(cost)
        self.upper.append(1.0)
        if integer:
            self.integer.append(len(self.cost) - 1)
        return len(self.cost) - 1

    def row(self, lo: float, hi: float, idx: list[int], val: list[float]) -> None:
        self.rows.append((lo, hi, idx, val))


def solve_mip(prob: Problem, warm: dict[str, Option], *, time_limit: float, threads: int = 2) -> MipResult:
    import highspy
    import numpy as np

    req, w8 = prob.req, prob.req.weights
    b = _Builder()
    cols: dict[str, list[tuple[Option, int]]] = {}
    use: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    sexes: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    same = {w.id for w in req.wards if w.gender_policy == "same"}
    hint: dict[int, float] = {}
    for pid, opts in prob.options.items():
        p = prob.patients[pid]
        row = [(o, b.col(float(o.cost), True)) for o in opts]
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
            left = b.col(float(pen), False)
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
        bm, bf, mix = b.col(0.0, True), b.col(0.0, True), b.col(float(w8.gender_mix), False)
        b.row(-np.inf, 0.0, [*males, bm], [1.0] * len(males) + [-float(len(males))])
        b.row(-np.inf, 0.0, [*fem, bf], [1.0] * len(fem) + [-float(len(fem))])
        b.row(-np.inf, 1.0, [bm, bf, mix], [1.0, 1.0, -1.0])
        hint[bm] = float(any(hint.get(j, 0) for j in males))
        hint[bf] = float(any(hint.get(j, 0) for j in fem))
        hint[mix] = float(hint[bm] and hint[bf])
    with _stdout_to_stderr():  # the library prints its banner on stdout when constructed
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.5, float(time_limit)))
    h.setOptionValue("threads", max(1, threads))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 1e-4)
    n = len(b.cost)
    h.addVars(n, np.zeros(n), np.asarray(b.upper))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(b.cost))
    if b.integer:
        ints = np.asarray(b.integer, dtype=np.int32)
        h.changeColsIntegrality(len(ints), ints, np.ones(len(ints), dtype=np.uint8))
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    for _, _, idx, val in b.rows:
        starts.append(len(index))
        index.extend(idx)
        value.extend(val)
    h.addRows(len(b.rows), np.asarray([r[0] for r in b.rows]), np.asarray([r[1] for r in b.rows]), len(index),
              np.asarray(starts, dtype=np.int32), np.asarray(index, dtype=np.int32), np.asarray(value))
    sol = highspy.HighsSolution()
    sol.col_value = [hint.get(j, 0.0) for j in range(n)]
    sol.value_valid = True
    h.setSolution(sol)
    try:
        h.run()
    except Exception as e:  # highspy raises plain exceptions
        raise MedkgError(f"HiGHS failed: {e}") from e
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    res = MipResult(status=status)
    values = h.getSolution().col_value
    if len(values) != n or info.primal_solution_status == 0:
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

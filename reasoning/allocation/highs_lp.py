"""A column/row builder for HiGHS MIPs and the one way both allocation MIPs (the general service's and the
OR-PAS bound relaxation) pass a model to HiGHS and run it. ``highspy`` is imported inside :func:`run_highs`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from medkg.errors import MedkgError

__all__ = ["HighsRun", "LpBuilder", "run_highs"]


@dataclass
class LpBuilder:
    """Columns (cost, upper bound, integrality, the cost component they count) and rows ``lo <= a.x <= hi``;
    every column's lower bound is 0."""

    cost: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    part: list[str] = field(default_factory=list)
    rows: list[tuple[float, float, list[int], list[float]]] = field(default_factory=list)

    def col(self, cost: float, *, upper: float = 1.0, integer: bool = False, part: str = "") -> int:
        """Add a column; returns its index."""
        self.cost.append(cost)
        self.upper.append(upper)
        self.part.append(part)
        if integer:
            self.integer.append(len(self.cost) - 1)
        return len(self.cost) - 1

    def row(self, lo: float, hi: float, idx: list[int], val: list[float]) -> None:
        self.rows.append((lo, hi, idx, val))


@dataclass
class HighsRun:
    """What HiGHS returned: its model status string, its info record and the column values (may be empty)."""

    status: str
    info: Any
    values: list[float]


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


def run_highs(lp: LpBuilder, *, time_limit: float, threads: int, mip_gap: float, what: str,
              error: type[MedkgError] = MedkgError, hint: Mapping[int, float] | None = None) -> HighsRun:
    """Solve ``lp`` (minimise) with HiGHS quietly, seeded, for at most ``time_limit`` s (at least 0.5 s), from the
    starting point ``hint`` (column -> value, others 0) when given. A library failure raises ``error`` naming
    ``what`` was being solved."""
    import highspy
    import numpy as np

    with _stdout_to_stderr():  # the library prints its banner on stdout when constructed
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.5, float(time_limit)))
    h.setOptionValue("threads", max(1, int(threads)))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    n = len(lp.cost)
    h.addVars(n, np.zeros(n), np.asarray(lp.upper))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(lp.cost))
    if lp.integer:
        ints = np.asarray(lp.integer, dtype=np.int32)
        h.changeColsIntegrality(len(ints), ints, np.ones(len(ints), dtype=np.uint8))
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    for _, _, idx, val in lp.rows:
        starts.append(len(index))
        index.extend(idx)
        value.extend(val)
    h.addRows(len(lp.rows), np.asarray([r[0] for r in lp.rows]), np.asarray([r[1] for r in lp.rows]), len(index),
              np.asarray(starts, dtype=np.int32), np.asarray(index, dtype=np.int32), np.asarray(value))
    if hint is not None:
        sol = highspy.HighsSolution()
        sol.col_value = [hint.get(j, 0.0) for j in range(n)]
        sol.value_valid = True
        h.setSolution(sol)
    try:
        h.run()
    except Exception as e:  # highspy raises plain exceptions
        raise error(f"HiGHS failed on {what}: {e}") from e
    return HighsRun(status=h.modelStatusToString(h.getModelStatus()), info=h.getInfo(),
                    values=list(h.getSolution().col_value))

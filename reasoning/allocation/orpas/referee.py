"""Run the published OR-PAS referee (``validate.sh`` around Ceschia & Schaerf's ``or_pas_validator.cc``) and read
its score, so medkg's validator and benchmark can be compared with the official cost, component by component.

The referee is not part of medkg: it lives beside the data (``../shared/tools/or_pas/``), needs g++ and Debian's
``libxml++2.6-dev``, and builds itself once into a cache folder. This module only runs it and parses what it
prints (its ``WriteCosts`` block and its last line, ``Total Violations: V, Total Cost: C``).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from medkg.errors import SolverError

__all__ = ["REFEREE_COMPONENTS", "RefereeScore", "parse_referee", "referee_script", "run_referee"]

# the referee's cost lines -> medkg's component names (CostBreakdown.components())
REFEREE_COMPONENTS = {
    "Patient/room total cost": "patient_room",
    "Gender cost": "gender",
    "Transfer cost": "transfer",
    "Delay cost": "delay",
    "Overcrowd risk cost": "overcrowd_risk",
    "Idle room cost": "idle_room_cost",
    "Idle operating room cost": "idle_operating_room_cost",
    "Operating room overtime cost": "or_overtime_cost",
}
_LINE = re.compile(r"^(?P<key>[A-Za-z/ ]+?) = (?P<value>\d+)")
_COUNTS = re.compile(r"features = (\d+) X \d+, preference = (\d+) X \d+, dept = (\d+) X \d+, fixed gender = (\d+) X")
_TOTAL = re.compile(r"Total Violations: (\d+), Total Cost: (\d+)")


@dataclass
class RefereeScore:
    total: int
    violations: int
    components: dict[str, int] = field(default_factory=dict)  # medkg's component names
    capacity_violations: int = 0
    or_violations: int = 0
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # features, preference, dept, fixed gender (patient-days)
    output: str = ""


def referee_script(data_dir: Path) -> Path:
    """Where the referee lies for a data folder: ``<data_dir>/../tools/or_pas/validate.sh``."""
    return data_dir.parent / "tools" / "or_pas" / "validate.sh"


def parse_referee(text: str) -> RefereeScore:
    """The score in the referee's output; :class:`SolverError` when its last line is missing."""
    m = _TOTAL.search(text)
    if m is None:
        tail = " | ".join(text.strip().splitlines()[-3:])
        raise SolverError(f"the OR-PAS referee printed no total: {tail[:300]}")
    score = RefereeScore(total=int(m.group(2)), violations=int(m.group(1)), output=text)
    for line in text.splitlines():
        lm = _LINE.match(line.strip())
        if lm is None:
            continue
        key, value = lm.group("key"), int(lm.group("value"))
        if key in REFEREE_COMPONENTS:
            score.components[REFEREE_COMPONENTS[key]] = value
        elif key == "Capacity":
            score.capacity_violations = value
        elif key == "Operating room":
            score.or_violations = value
        c = _COUNTS.search(line)
        if c is not None:
            a, b, d, g = (int(x) for x in c.groups())
            score.counts = (a, b, d, g)
    return score


def run_referee(script: Path, instance: Path, solution: Path, *, timeout: float = 300.0) -> RefereeScore:
    """Score ``solution`` with the referee (building it first if needed, which takes some seconds)."""
    if not script.is_file():
        raise SolverError(f"OR-PAS referee not found at {script}")
    try:
        done = subprocess.run(["bash", str(script), str(instance), str(solution)], capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise SolverError(f"the OR-PAS referee did not finish within {timeout:.0f} s") from e
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise SolverError(f"the OR-PAS referee failed (exit {done.returncode}): {tail[:300]}")
    return parse_referee(done.stdout)

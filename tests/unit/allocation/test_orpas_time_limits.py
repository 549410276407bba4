"""Every OR-PAS solver entry point honours its time limit (issue 18 item 11), even on a machine so busy that
building one day's model takes longer than the day's share of the time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from reasoning.allocation.orpas import dynamic
from reasoning.allocation.orpas.solve import solve_orpas
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import instance_xml, write


def test_dynamic_run_past_its_limit_commits_greedy_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each day's search is made to take 4 s: the 6-s run (2 days and the final plan) stops searching once past
    its limit and commits the greedy plan, instead of running 3 x 4 s and more."""
    inst = load_instance(write(tmp_path, "tiny.xml", instance_xml()), validate=False)
    real = dynamic.solve_placements

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(4.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(dynamic, "solve_placements", slow)
    t0 = time.perf_counter()
    res = solve_orpas(inst, mode="dynamic", time_limit=6.0, workers=1)
    wall = time.perf_counter() - t0
    assert res.status == "PARTIAL"  # a day was planned by the greedy alone, and the result says so
    assert wall < 11.0, wall  # two searched days (8 s and their models), not three plus re-searches
    assert sorted(res.solution.stays) == ["A", "B"]  # everybody still planned


def test_static_run_whose_bound_ate_the_time_returns_the_best_plan_so_far(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound's model building ran past the whole limit (a busy machine): no search stage starts after it."""
    from reasoning.allocation.orpas import solve

    inst = load_instance(write(tmp_path, "tiny.xml", instance_xml()), validate=False)

    def slow_bound(*_args: Any, **_kwargs: Any) -> tuple[None, dict[str, int]]:
        time.sleep(4.0)
        return None, {}

    monkeypatch.setattr(solve, "_proven_bound", slow_bound)
    t0 = time.perf_counter()
    res = solve_orpas(inst, mode="static", time_limit=4.0, workers=1)
    assert time.perf_counter() - t0 < 6.0
    assert res.warm_start == "greedy" and res.report.costs.violations == 0

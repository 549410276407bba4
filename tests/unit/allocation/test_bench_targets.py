"""The allocation bench's target lines: counts of instances that meet the issue's targets, from the rows."""

from __future__ import annotations

from typing import Any

from cli.bench.allocation import target_lines


def _row(instance: str, mode: str, cost: int, viol: int = 0, gap: float | None = None) -> dict[str, Any]:
    return {"instance": instance, "mode": mode, "total_cost": cost, "hard_violations": viol, "gap": gap}


def test_target_lines_count_violations_static_gaps_and_dynamic_ratios() -> None:
    rows = [_row("a", "static", 1000, gap=0.03), _row("a", "dynamic", 1100),
            _row("b", "static", 2000, gap=0.06), _row("b", "dynamic", 2300, viol=1)]
    assert target_lines(rows) == [
        "static: 0 hard violations on 2/2; within 5% of the bound on 1/2",
        "dynamic: 0 hard violations on 1/2; within 10% of static on 1/2, mean ratio 1.125, max 1.150",
    ]


def test_target_lines_of_one_mode_only() -> None:
    assert target_lines([_row("a", "dynamic", 1100, viol=2)]) == ["dynamic: 0 hard violations on 0/1"]
    assert target_lines([]) == []

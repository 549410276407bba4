"""The allocation bench's target lines: counts of instances that meet issue 22's targets, from the rows."""

from __future__ import annotations

from typing import Any

from cli.bench.allocation import target_lines


def _row(instance: str, mode: str, cost: int, viol: int = 0, gap: float | None = None, bound: float | None = None,
         referee: int | None = None) -> dict[str, Any]:
    return {"instance": instance, "mode": mode, "total_cost": cost, "hard_violations": viol,
            "official_violations": viol, "gap": gap, "bound": bound, "referee_total": referee,
            "referee_violations": None if referee is None else viol}


def test_target_lines_count_violations_referee_static_gaps_and_dynamic_excess_over_the_bound() -> None:
    rows = [_row("a", "static", 1000, gap=0.02, bound=980, referee=1000),
            _row("a", "dynamic", 1039, referee=1039),  # 6.0% above a's bound
            _row("b", "static", 2000, gap=0.06, bound=1880, referee=2001),  # the referee disagrees here
            _row("b", "dynamic", 2100, viol=1, referee=2100)]  # 11.7% above b's bound
    assert target_lines(rows) == [
        "static: 0 hard violations on 2/2; referee total equal on 1/2; within 3% of the bound on 1/2, mean gap 4.0%",
        "dynamic: 0 hard violations on 1/2; referee total equal on 2/2; above the static bound by 8.9% on average "
        "(target <= 6%: not met), max 11.7%, within 10% on 1/2",
    ]


def test_target_lines_of_one_mode_only() -> None:
    assert target_lines([_row("a", "dynamic", 1100, viol=2)]) == ["dynamic: 0 hard violations on 0/1"]
    assert target_lines([]) == []

"""The independent validator on hand-made solutions whose violations and costs were worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoning.allocation.orpas.domain import OrPasInstance, OrPasSolution
from reasoning.allocation.orpas.validator import render_report, validate_solution
from reasoning.allocation.orpas.xml_io import load_instance, read_solution
from tests.unit.allocation.orpas_fixtures import instance_xml, solution_xml, write

D0, D1, D2 = "2024-01-01", "2024-01-02", "2024-01-03"


@pytest.fixture
def inst(tmp_path: Path) -> OrPasInstance:
    return load_instance(write(tmp_path, "tiny.xml", instance_xml()), validate=False)


def _check(inst: OrPasInstance, tmp_path: Path, stays: dict[str, list[tuple[str, str]]]) -> OrPasSolution:
    return read_solution(write(tmp_path, "sol.xml", solution_xml(stays)), inst)


def test_good_solution_costs_by_hand(inst: OrPasInstance, tmp_path: Path) -> None:
    """A in R1 days 0-1, B in R2 day 0: no violation; B pays 20+10+20, the 80-min surgery 20+20 min overtime."""
    rep = validate_solution(inst, _check(inst, tmp_path, {"A": [(D0, "R1"), (D1, "R1")], "B": [(D0, "R2")]}))
    c = rep.costs
    assert rep.feasible and rep.messages == []
    assert (c.properties_violations, c.preference_violations, c.specialism_violations) == (1, 1, 1)
    assert c.room_gender_violations == 0 and c.patient_room == 50
    assert c.overtime_minutes == 40 and c.components()["or_overtime_cost"] == 120
    assert c.idle_or_minutes == 0  # the only slot is used, no surplus
    assert c.idle_bed_days == 0  # 3 idle bed-days in H, all unavoidable surplus (6 bed-days - 3 requested)
    assert (c.transfers, c.delay_days, c.overcrowd_beds, c.gender_mix_room_days) == (0, 0, 0, 0)
    assert c.total == 170


def test_bad_solution_every_violation_and_cost(inst: OrPasInstance, tmp_path: Path) -> None:
    """A moves R2->R1 (no oxygen in R2, male in a female room, transfer); B delayed into full R1 on day 1.

    As the referee scores it (976, checked with ``validate.sh``): A's day in the forbidden R2 is a violation and
    costs nothing else (not the 50 of a male in a female-only room)."""
    rep = validate_solution(inst, _check(inst, tmp_path, {"A": [(D0, "R2"), (D1, "R1")], "B": [(D1, "R1")]}))
    c = rep.costs
    assert c.room_violations == 1  # A in R2 without the needed oxygen
    assert c.capacity_violations == 1  # R1 holds A and B on day 1
    assert c.or_violations == 100  # day 1: no S2 slot (80 over 0+0) and 80 over the day's 0+60
    assert c.schedule_violations == 0
    assert c.violations == 102 and not rep.feasible
    assert c.room_gender_violations == 0 and c.specialism_violations == 1 and c.patient_room == 20
    assert c.gender_mix_room_days == 1 and c.transfers == 1 and c.delay_days == 1
    assert c.overcrowd_beds == 1  # R1 day 1 is already one over capacity
    assert c.overtime_minutes == 60  # only the day total admits overtime on day 1
    assert c.idle_or_minutes == 60  # day 0's slot unused
    assert c.idle_bed_days == 1  # 4 idle bed-days minus 3 unavoidable
    assert c.total == 20 + 50 + 100 + 5 + 1 + 180 + 600 + 20 == 976
    assert any("capacity 1" in m for m in rep.messages)
    assert any("lacks needed oxygen" in m for m in rep.messages)


def test_schedule_violations(inst: OrPasInstance, tmp_path: Path) -> None:
    """A missing day 1 (wrong length), B admitted after her latest day, an unknown patient listed."""
    sol = _check(inst, tmp_path, {"A": [(D0, "R1")], "B": [(D2, "R2")], "Z": [(D0, "R2")]})
    rep = validate_solution(inst, sol)
    assert rep.costs.schedule_violations == 3
    assert any("length of stay is 2" in m for m in rep.messages)
    assert any("allowed 0..1" in m for m in rep.messages)
    assert any("unknown patient Z" in m for m in rep.messages)


def test_missing_patient_is_a_violation(inst: OrPasInstance, tmp_path: Path) -> None:
    rep = validate_solution(inst, _check(inst, tmp_path, {"A": [(D0, "R1"), (D1, "R1")]}))
    assert rep.costs.schedule_violations == 1
    assert rep.messages == ["patient B is not scheduled"]


def test_present_patient_transfer(tmp_path: Path) -> None:
    """A present patient (already in R2) placed in R1 from day 0 pays one transfer."""
    inst = load_instance(write(tmp_path, "tiny.xml", instance_xml(a_room="R2")), validate=False)
    rep = validate_solution(inst, _check(inst, tmp_path, {"A": [(D0, "R1"), (D1, "R1")], "B": [(D0, "R2")]}))
    assert rep.costs.transfers == 1


def test_render_report_lists_every_component(inst: OrPasInstance, tmp_path: Path) -> None:
    rep = validate_solution(inst, _check(inst, tmp_path, {"A": [(D0, "R1"), (D1, "R1")], "B": [(D0, "R2")]}))
    text = "\n".join(render_report(rep))
    for key in ("patient/room = 50", "or_overtime_cost = 120", "idle_room_cost = 0", "TOTAL violations = 0"):
        assert key in text


def test_validator_is_independent_of_the_solver() -> None:
    """The validator imports only the shared data types, never the model, greedy or solver modules."""
    import ast

    import reasoning.allocation.orpas.validator as v

    tree = ast.parse(Path(v.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    allocation = {m for m in imported if m.startswith("reasoning.allocation")}
    assert allocation == {"reasoning.allocation.orpas.domain"}
    assert not any(m.startswith("ortools") for m in imported)

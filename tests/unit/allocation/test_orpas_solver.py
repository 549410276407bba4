"""CP-SAT model, greedy warm start and the static/dynamic drivers on tiny instances, checked by the validator."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from medkg.errors import InfeasibleError
from reasoning.allocation.orpas.domain import OrPasInstance
from reasoning.allocation.orpas.greedy import greedy_schedule
from reasoning.allocation.orpas.model import ModelOptions, solve_placements
from reasoning.allocation.orpas.solve import solve_orpas, to_solution
from reasoning.allocation.orpas.validator import validate_solution
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import NO_ROOM_PATIENT, instance_xml, write


def _extra(n: int, seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        adm = rng.randrange(2)
        los = rng.randint(1, 2)
        sex = rng.choice(("Male", "Female"))
        out.append(f'<patient name="X{i}" age="50" gender="{sex}" treatment="T1" registration="2024-01-01" '
                   f'admission="2024-01-0{adm + 1}" discharge="2024-01-0{adm + los + 1}" variability="{i % 2}">'
                   f'<room_properties/></patient>')
    return "\n".join(out)


@pytest.fixture
def tiny(tmp_path: Path) -> OrPasInstance:
    return load_instance(write(tmp_path, "tiny.xml", instance_xml()), validate=False)


def test_static_tiny_is_optimal_and_feasible(tiny: OrPasInstance) -> None:
    res = solve_orpas(tiny, mode="static", time_limit=10)
    assert res.report.feasible
    assert res.report.costs.total == 166  # optimum by brute force (test_orpas_bound); a hand-made schedule costs 170
    # the model's objective is the validator's total
    assert res.model_objective == pytest.approx(res.report.costs.total, abs=1e-6)
    assert res.bound == 165  # the proven bound (the relaxation misses 1 of per-room overcrowding risk)
    assert res.status == "FEASIBLE"  # OPTIMAL only where the cost meets the proven bound


def test_model_objective_equals_validator_on_a_crowded_instance(tmp_path: Path) -> None:
    """Four more patients for three beds: delays, gender mixing and idle costs all enter the objective."""
    inst = load_instance(write(tmp_path, "crowd.xml", instance_xml(extra_patients=_extra(4, 1), n_patients=6)),
                         validate=False)
    res = solve_placements(inst, inst.patients, ModelOptions(time_limit=20))
    assert res.status == "OPTIMAL"
    rep = validate_solution(inst, to_solution(inst, res.assignment))
    assert rep.feasible
    assert res.objective == pytest.approx(rep.costs.total, abs=1e-6)


def test_greedy_places_everyone_feasibly(tmp_path: Path) -> None:
    inst = load_instance(write(tmp_path, "crowd.xml", instance_xml(extra_patients=_extra(4, 2), n_patients=6)),
                         validate=False)
    plan, failed = greedy_schedule(inst, inst.patients)
    assert failed == []
    assert validate_solution(inst, to_solution(inst, plan)).feasible


def test_dynamic_tiny_is_feasible(tmp_path: Path) -> None:
    inst = load_instance(write(tmp_path, "crowd.xml", instance_xml(extra_patients=_extra(4, 3), n_patients=6)),
                         validate=False)
    res = solve_orpas(inst, mode="dynamic", time_limit=6)  # 2 s a day of the 2-day horizon and the final plan
    assert res.report.feasible, res.report.messages
    assert res.bound is None and res.gap is None  # dynamic mode proves no bound
    assert res.solution.current_day == inst.horizon - 1


def test_present_patient_stays_in_his_room(tmp_path: Path) -> None:
    inst = load_instance(write(tmp_path, "p.xml", instance_xml(a_room="R1")), validate=False)
    res = solve_orpas(inst, mode="static", time_limit=10)
    assert res.solution.stays["A"] == {0: "R1", 1: "R1"}
    assert res.report.costs.transfers == 0


def test_unplaceable_patient_raises_with_reason(tmp_path: Path) -> None:
    xml = instance_xml(extra_patients=NO_ROOM_PATIENT, n_patients=3)
    inst = load_instance(write(tmp_path, "n.xml", xml), validate=False)
    with pytest.raises(InfeasibleError) as e:
        solve_placements(inst, inst.patients, ModelOptions(time_limit=5))
    assert any("patient N" in s for s in e.value.shortfalls)


def test_progress_reports_solutions(tiny: OrPasInstance) -> None:
    lines: list[str] = []
    solve_orpas(tiny, mode="static", time_limit=5, progress=lines.append)
    assert any(line.startswith("greedy: cost") for line in lines)

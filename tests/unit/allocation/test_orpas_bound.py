"""The relaxation bound is a lower bound: <= the exact optimum found by brute force (transfers allowed) on tiny
instances, and <= the validator's cost of real schedules; the plan around its days is feasible."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from medkg.errors import InfeasibleError
from reasoning.allocation.orpas.bound import admission_window, relaxation_bound
from reasoning.allocation.orpas.domain import OrPasInstance, OrPasSolution
from reasoning.allocation.orpas.greedy import greedy_schedule
from reasoning.allocation.orpas.options import allowed_rooms
from reasoning.allocation.orpas.solve import to_solution
from reasoning.allocation.orpas.validator import validate_solution
from reasoning.allocation.orpas.warm import narrowed_instance, plan_around_days
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import NO_ROOM_PATIENT, instance_xml, schema_dir, write
from tests.unit.allocation.test_orpas_solver import _extra


def _brute_force_optimum(inst: OrPasInstance) -> int:
    """The least validator cost over every schedule with 0 hard violations (any room on any day)."""
    per_patient = []
    for p in inst.patients:
        rooms = [r.name for r in allowed_rooms(inst, p)]
        per_patient.append([(p.name, a, seq) for a in admission_window(inst, p)
                            for seq in itertools.product(rooms, repeat=p.los)])
    best: int | None = None
    for combo in itertools.product(*per_patient):
        sol = OrPasSolution(instance=inst.name)
        for name, a, seq in combo:
            sol.stays[name] = {a + i: r for i, r in enumerate(seq)}
        rep = validate_solution(inst, sol)
        if rep.feasible and (best is None or rep.costs.total < best):
            best = rep.costs.total
    assert best is not None
    return best


def test_tiny_bound_worked_by_hand(tmp_path: Path) -> None:
    """A delayed to day 1 (delay 5, idle bed-day 20), B in R1 (auxiliary 20), B's 80 minutes in a 60-minute slot
    (overtime 20 + 20 minutes x 3): 165. The schedule also pays 1 overcrowding risk in R1 (B may overstay into
    A's day), which the hospital-wide count of the relaxation does not see: optimum 166."""
    inst = load_instance(write(tmp_path, "tiny.xml", instance_xml()), validate=False)
    res = relaxation_bound(inst, time_limit=10)
    assert res.status == "Optimal"
    assert res.bound == 165
    assert res.admission == {"A": 1, "B": 0}
    assert _brute_force_optimum(inst) == 166


@pytest.mark.parametrize(("seed", "r1_beds"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 2)])
def test_bound_never_exceeds_the_brute_force_optimum(tmp_path: Path, seed: int, r1_beds: int) -> None:
    """With two beds in the same-gender room R1 (``r1_beds=2``) the schedules may also mix genders there."""
    xml = instance_xml(extra_patients=_extra(2, seed), n_patients=4)
    xml = xml.replace('room name="R1" capacity="1"', f'room name="R1" capacity="{r1_beds}"')
    inst = load_instance(write(tmp_path, "x.xml", xml), validate=False)
    res = relaxation_bound(inst, time_limit=10)
    opt = _brute_force_optimum(inst)
    assert res.bound is not None
    assert res.bound <= opt
    assert res.bound >= opt - 100  # and it is not a vacuous bound on these instances


def test_no_allowed_room_is_infeasible(tmp_path: Path) -> None:
    xml = instance_xml(extra_patients=NO_ROOM_PATIENT, n_patients=3)
    inst = load_instance(write(tmp_path, "n.xml", xml), validate=False)
    with pytest.raises(InfeasibleError) as e:
        relaxation_bound(inst, time_limit=5)
    assert any("patient N" in s for s in e.value.shortfalls)


def test_narrowed_instance_keeps_stay_and_surgery_offset(tmp_path: Path) -> None:
    inst = load_instance(write(tmp_path, "x.xml", instance_xml(extra_patients=_extra(3, 7), n_patients=5)),
                         validate=False)
    narrow = narrowed_instance(inst, {"B": 1, "X0": 2}, slack=0)
    by = {p.name: p for p in narrow.patients}
    orig = {p.name: p for p in inst.patients}
    assert by["B"].admission == by["B"].max_admission == 1
    assert by["B"].los == orig["B"].los and by["B"].surgery_offset == orig["B"].surgery_offset
    assert by["X0"].admission == 2 and by["X0"].los == orig["X0"].los
    assert by["A"] == orig["A"]  # not named: unchanged


def test_plan_around_the_relaxation_days_is_feasible(tmp_path: Path) -> None:
    inst = load_instance(write(tmp_path, "x.xml", instance_xml(extra_patients=_extra(4, 9), n_patients=6)),
                         validate=False)
    rel = relaxation_bound(inst, time_limit=10)
    plan = plan_around_days(inst, rel.admission, slack=1, time_limit=5)
    rep = validate_solution(inst, to_solution(inst, plan))
    assert rep.feasible, rep.messages
    assert rel.bound is not None and rel.bound <= rep.costs.total


def test_bound_below_a_validated_schedule_on_a_real_instance() -> None:
    path = schema_dir() / "or_pas_dept4_short07.xml"
    inst = load_instance(path, validate=False)
    plan, failed = greedy_schedule(inst, inst.patients)
    assert failed == []
    rep = validate_solution(inst, to_solution(inst, plan))
    assert rep.feasible
    res = relaxation_bound(inst, time_limit=30)
    assert res.bound is not None
    assert 0 < res.bound <= rep.costs.total
    days = {p.name: min(to_solution(inst, plan).stays[p.name]) for p in inst.patients}
    assert set(res.admission) == set(days)


def _fixed_patients(sexes: list[str]) -> str:
    return "\n".join(
        f'<patient name="M{i}" age="50" gender="{sex}" treatment="T1" registration="2024-01-01" '
        f'admission="2024-01-01" discharge="2024-01-03" variability="0" max_admission="2024-01-01">'
        f'<room_properties/></patient>' for i, sex in enumerate(sexes))


@pytest.mark.parametrize(("sexes", "mixing"), [(["Male", "Male"], True), (["Male", "Female"], False)])
def test_forced_gender_mixing_enters_the_bound(tmp_path: Path, sexes: list[str], mixing: bool) -> None:
    """Both rooms same-gender with 2 beds, nobody may be delayed: three men and B on day 0 must mix one room."""
    xml = instance_xml(extra_patients=_fixed_patients(sexes), n_patients=4)
    xml = xml.replace('room name="R1" capacity="1"', 'room name="R1" capacity="2"')
    xml = xml.replace('gender_policy="FemaleOnly"', 'gender_policy="SameGender"')
    xml = xml.replace('discharge="2024-01-03" variability="0"',
                      'discharge="2024-01-03" variability="0" max_admission="2024-01-01"', 1)  # A: no delay
    inst = load_instance(write(tmp_path, "g.xml", xml), validate=False)
    res = relaxation_bound(inst, time_limit=10)
    assert (res.parts["gender"] > 0) == mixing
    assert res.bound == _brute_force_optimum(inst)


def _patient(name: str, sex: str, first: int, last: int, *, oxygen: bool = False) -> str:
    props = '<room_property name="oxygen" type="needed"/>' if oxygen else ""
    day = f"2024-01-0{first + 1}"
    return (f'<patient name="{name}" age="50" gender="{sex}" treatment="T1" registration="2024-01-01" '
            f'admission="{day}" discharge="2024-01-0{last + 2}" variability="0" max_admission="{day}">'
            f'<room_properties>{props}</room_properties></patient>')


def test_a_forced_transfer_enters_the_bound(tmp_path: Path) -> None:
    """R1 (2 beds, oxygen) holds A and X (needs oxygen) on day 0, R2 (2 beds) holds W1 and W2 on day 1: M, in
    hospital on both days, must change room once (100), or W1 joins A in the same-gender R1 (mixing 50, room 50).
Without the transfer rows the relaxation moves M for free."""
    extra = "\n".join([_patient("X", "Male", 0, 0, oxygen=True), _patient("M", "Male", 0, 1),
                       _patient("W1", "Female", 1, 1), _patient("W2", "Female", 1, 1)])
    xml = instance_xml(extra_patients=extra, n_patients=6).replace('room name="R1" capacity="1"',
                                                                   'room name="R1" capacity="2"')
    xml = xml.replace('discharge="2024-01-03" variability="0"',
                      'discharge="2024-01-03" variability="0" max_admission="2024-01-01"', 1)  # A: no delay
    inst = load_instance(write(tmp_path, "t.xml", xml), validate=False)
    res = relaxation_bound(inst, time_limit=10)
    loose = relaxation_bound(inst, time_limit=10, transfers=False)
    opt = _brute_force_optimum(inst)
    assert res.status == "Optimal" and res.bound is not None and loose.bound is not None
    assert loose.bound + 100 <= res.bound == opt


@pytest.mark.parametrize(("a_room", "seed"), [("R1", 11), ("R2", 12), ("R2", 13)])
def test_bound_with_a_present_patient_never_exceeds_the_brute_force_optimum(tmp_path: Path, a_room: str,
                                                                            seed: int) -> None:
    """A is in hospital before day 0 in ``a_room``; in R2 (no oxygen, which he needs) he must move: 100."""
    xml = instance_xml(a_room=a_room, extra_patients=_extra(2, seed), n_patients=4)
    inst = load_instance(write(tmp_path, "p.xml", xml), validate=False)
    res = relaxation_bound(inst, time_limit=10)
    opt = _brute_force_optimum(inst)
    assert res.bound is not None and res.bound <= opt
    assert (res.parts.get("transfer", 0.0) >= 100 - 1e-6) == (a_room == "R2")

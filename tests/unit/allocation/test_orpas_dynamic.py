"""Dynamic-mode pieces: droppable patients in the day model, expected urgent arrivals, postponement costs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reasoning.allocation.orpas_dynamic import (
    MISSED_ADMISSION_COST,
    PHANTOM_COST,
    PHANTOM_PREFIX,
    _phantoms,
    _postpone_cost,
)
from reasoning.allocation.orpas_io import load_instance
from reasoning.allocation.orpas_model import solve_placements
from reasoning.allocation.orpas_types import WEIGHTS, OrPasInstance
from tests.unit.allocation.orpas_fixtures import instance_xml, write

# C competes with A for the only oxygen bed (R1) on days 0-1 and must be admitted on day 0.
_C = ('<patient name="C" age="40" gender="Male" treatment="T1" registration="2024-01-01" '
      'admission="2024-01-01" discharge="2024-01-03" variability="0" max_admission="2024-01-01">'
      '<room_properties><room_property name="oxygen" type="needed"/></room_properties></patient>')
_N = ('<patient name="N" age="50" gender="Male" treatment="T1" registration="2024-01-01" '
      'admission="2024-01-01" discharge="2024-01-02" variability="0">'
      '<room_properties><room_property name="nitrogen" type="needed"/></room_properties></patient>')


def _load(tmp: Path, extra: str) -> OrPasInstance:
    xml = instance_xml(extra_patients=extra, n_patients=3)
    return load_instance(write(tmp, "i.xml", xml), validate=False)


def _with_a_fixed_to_day0(inst: OrPasInstance) -> OrPasInstance:
    pats = [dataclasses.replace(p, max_admission=0) if p.name == "A" else p for p in inst.patients]
    return dataclasses.replace(inst, patients=pats)


@pytest.mark.parametrize(("cost_a", "cost_c", "out"), [(100_000, 50, "C"), (50, 100_000, "A")])
def test_cheaper_drop_is_the_one_left_out(tmp_path: Path, cost_a: int, cost_c: int, out: str) -> None:
    inst = _with_a_fixed_to_day0(_load(tmp_path, _C))
    res = solve_placements(inst, inst.patients, time_limit=10, drop_cost={"A": cost_a, "C": cost_c})
    assert res.status == "OPTIMAL"
    assert res.dropped == [out]
    assert set(res.assignment) == {"A", "B", "C"} - {out}


def test_droppable_patient_without_any_room_is_reported_not_raised(tmp_path: Path) -> None:
    inst = _load(tmp_path, _N)
    res = solve_placements(inst, inst.patients, time_limit=10, drop_cost={"N": MISSED_ADMISSION_COST})
    assert res.dropped == ["N"]
    assert set(res.assignment) == {"A", "B"}


def test_expected_urgent_arrivals_copy_seen_urgent_patients(tmp_path: Path) -> None:
    inst = _load(tmp_path, _C)
    seen = [p for p in inst.patients if p.name == "C"]  # C: registered and due on day 0 -> urgent
    expected = _phantoms(inst, seen, 0, 2)
    # seen once in one day: Poisson mean 1, P(>=1) = .632, P(>=2) = .264, P(>=3) = .080 (P(>=4) < 5%)
    assert [(g.admission, c) for g, c in expected] == [(t, c) for t in (1, 2) for c in (632, 264, 80)]
    assert PHANTOM_COST == 1000
    for g, _c in expected:
        assert g.name.startswith(PHANTOM_PREFIX)
        assert g.registration == g.admission == g.max_admission
        assert g.los == 2 and g.needed == seen[0].needed
    half = _phantoms(inst, seen, 1, 1)  # seen once in two days: mean .5, P(>=1) = .393, P(>=2) = .090
    assert [(g.admission, c) for g, c in half] == [(2, 393), (2, 90)]
    relaxed = [dataclasses.replace(p, max_admission=3) for p in inst.patients if p.name == "A"]
    assert _phantoms(inst, relaxed, 0, 2) == []  # three days' notice: not urgent


def test_postponing_beyond_the_window_is_priced_only_when_the_window_allows(tmp_path: Path) -> None:
    inst = _load(tmp_path, _C)
    by = {p.name: p for p in inst.patients}
    assert _postpone_cost(inst, by["C"], 0, 0, WEIGHTS) == MISSED_ADMISSION_COST  # due today
    assert _postpone_cost(inst, by["A"], 0, None, WEIGHTS) == MISSED_ADMISSION_COST  # final plan: no postponing
    # A (2 days, R1 costs 0 per day) admitted on day 1 instead of 0: 5 delay, no bed-day inside H on day 1 lost
    # (1 of 2 days inside a 2-day horizon): cost 1 + 5 - 20 * 1
    assert _postpone_cost(inst, by["A"], 0, 0, WEIGHTS) == 1 + 5 - 20

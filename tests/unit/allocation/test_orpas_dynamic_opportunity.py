"""Opportunity cost of beds for future arrivals in the dynamic mode's day models."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from reasoning.allocation import orpas_dynamic_opportunity
from reasoning.allocation.orpas_dynamic_opportunity import bed_opportunity, future_occupancy
from reasoning.allocation.orpas_io import load_instance
from reasoning.allocation.orpas_model import BedReserve
from reasoning.allocation.orpas_types import WEIGHTS, OrPasInstance
from tests.unit.allocation.orpas_fixtures import instance_xml, write


def _load(tmp: Path) -> OrPasInstance:
    return load_instance(write(tmp, "i.xml", instance_xml()), validate=False)


def test_future_arrivals_in_hospital_follow_rate_lead_and_stays(tmp_path: Path) -> None:
    inst = _load(tmp_path)
    # A (2 days) and B (1 day) registered on day 0, both admitted on registration: 2 arrivals a day;
    # on day 1 the arrivals of day 1 are both in hospital
    assert future_occupancy(inst.patients, 0, 1) == 2.0
    assert future_occupancy(inst.patients, 0, 0) == 0.0
    late = [dataclasses.replace(p, admission=p.registration + 1) for p in inst.patients]  # one day of lead
    assert future_occupancy(late, 0, 1) == 0.0  # day 1's arrivals come in on day 2


def test_free_beds_are_priced_at_the_or_credit_per_bed_day_times_poisson_tails(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    inst = _load(tmp_path)
    monkeypatch.setattr(orpas_dynamic_opportunity, "OPPORTUNITY_GROUPS", "hospital")
    # OR credit per bed-day of the patients seen: 10 * 80 minutes / 3 bed-days; day 1 has no OR time, so
    # nothing of it is taken yet; N_1 ~ Poisson(2): P(>=1) = .865, P(>=2) = .594, P(>=3) = .323; 3 beds
    value = 10 * 80 / 3
    tails = [1 - sum(math.exp(-2) * 2**i / math.factorial(i) for i in range(k)) for k in (1, 2, 3)]
    want = tuple(round(value * t) for t in tails)
    assert want == (231, 158, 86)
    rooms = frozenset({"R1", "R2"})
    assert bed_opportunity(inst, inst.patients, [], 0, WEIGHTS) == [BedReserve(rooms, 1, want)]
    # a present patient still in hospital on day 1 takes a bed: only two beds left to price
    by = {p.name: p for p in inst.patients}
    present = dataclasses.replace(by["A"], name="P", initial_room="R1", admission=1, discharge=2, max_admission=1)
    assert bed_opportunity(inst, inst.patients, [present], 0, WEIGHTS) == [BedReserve(rooms, 1, want[:2])]
    # no surgery seen: no OR credit to lose, no price; last day of the horizon: no later day
    assert bed_opportunity(inst, [by["A"]], [], 0, WEIGHTS) == []
    assert bed_opportunity(inst, inst.patients, [], 1, WEIGHTS) == []


def test_department_groups_weigh_each_patient_by_his_allowed_beds_inside(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    inst = _load(tmp_path)
    # one department holding every room: the same reserve as the hospital-wide group
    monkeypatch.setattr(orpas_dynamic_opportunity, "OPPORTUNITY_GROUPS", "hospital")
    hospital = bed_opportunity(inst, inst.patients, [], 0, WEIGHTS)
    assert hospital and hospital[0].rooms == frozenset({"R1", "R2"})
    monkeypatch.setattr(orpas_dynamic_opportunity, "OPPORTUNITY_GROUPS", "department")
    assert bed_opportunity(inst, inst.patients, [], 0, WEIGHTS) == hospital
    # half of A's arrivals and all of B's: day 1 holds 1 + .5 in expectation; a patient not named: none of his
    assert future_occupancy(inst.patients, 0, 1, {"A": 0.5, "B": 1.0}) == 1.5
    assert future_occupancy(inst.patients, 0, 1, {"A": 0.5}) == 0.5
    monkeypatch.setattr(orpas_dynamic_opportunity, "OPPORTUNITY_FACTOR", 0.0)
    assert bed_opportunity(inst, inst.patients, [], 0, WEIGHTS) == []

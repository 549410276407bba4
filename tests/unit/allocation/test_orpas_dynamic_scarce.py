"""Scarce rooms in the dynamic mode's day models: flexible patients pay for days in rooms others can only use."""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoning.allocation.orpas import scarce as orpas_dynamic_scarce
from reasoning.allocation.orpas.domain import OrPasInstance
from reasoning.allocation.orpas.options import room_day_cost
from reasoning.allocation.orpas.scarce import SPARE_FEATURE, scarce_rooms, spare_rooms_view
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import instance_xml, write


def _load(tmp: Path) -> OrPasInstance:
    return load_instance(write(tmp, "i.xml", instance_xml()), validate=False)


def test_a_narrow_kind_loaded_by_its_own_patients_is_scarce(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inst = _load(tmp_path)
    # A (2 days) may only use R1 (1 bed); B (1 day) R1 or R2: 3 bed-days on 3 beds overall, R1 alone 2 on 1 bed
    assert scarce_rooms(inst, inst.patients) == frozenset()  # R1 is a third of the beds: not narrow
    monkeypatch.setattr(orpas_dynamic_scarce, "NARROW_SHARE", 0.5)
    assert scarce_rooms(inst, inst.patients) == frozenset({"R1"})
    by = {p.name: p for p in inst.patients}
    assert scarce_rooms(inst, [by["B"]]) == frozenset()  # B alone: R1 holds nobody who needs it


def test_flexible_patients_pay_a_preferred_property_per_day_in_a_scarce_room(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    inst = _load(tmp_path)
    monkeypatch.setattr(orpas_dynamic_scarce, "NARROW_SHARE", 0.5)
    view, model = spare_rooms_view(inst, list(inst.patients), list(inst.patients))
    by = {p.name: p for p in model}
    assert SPARE_FEATURE in view.rooms["R2"].features and SPARE_FEATURE not in view.rooms["R1"].features
    assert by["A"] == next(p for p in inst.patients if p.name == "A")  # A can only use R1: unchanged
    assert SPARE_FEATURE in by["B"].preferred
    # B: R1 costs 20 (auxiliary specialism), R2 50 (no oxygen, 2 beds, auxiliary); in the view R1 costs 20 more
    b0 = next(p for p in inst.patients if p.name == "B")
    assert (room_day_cost(inst, b0, inst.rooms["R1"]), room_day_cost(inst, b0, inst.rooms["R2"])) == (20, 50)
    assert (room_day_cost(view, by["B"], view.rooms["R1"]), room_day_cost(view, by["B"], view.rooms["R2"])) == (40, 50)
    assert view.rooms["R1"] == inst.rooms["R1"] and inst.rooms["R2"].features == frozenset()  # the instance is kept

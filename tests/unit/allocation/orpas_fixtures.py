"""Tiny hand-made OR-PAS instances and solutions, with costs worked out by hand in the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medkg.data import resolve_data_dir
from reasoning.allocation.orpas.domain import OrPasInstance

__all__ = ["NO_ROOM_PATIENT", "SOLUTION_HEAD", "data_dir", "instance_xml", "perturbed_stays", "schema_dir",
           "solution_xml", "unavailable", "write"]

# Horizon 2 days from 2024-01-01 (stays may run on 4 days). Department D1 treats S1 (main) and S2 (aux).
# R1: 1 bed, SameGender, oxygen. R2: 2 beds, FemaleOnly, no features. OR: day 0, S2, one 60-minute slot.
# A: male, S1, days 0-1, needs oxygen. B: female, S2 surgery of 80 min on her admission day, 1 day,
# admission 0..1, prefers oxygen, preferred capacity 1, may overstay.
_PATIENT_A = ('<patient name="A" age="40" gender="Male" treatment="T1" registration="2024-01-01" '
              'admission="2024-01-01" discharge="2024-01-03" variability="0"{room}>'
              '<room_properties><room_property name="oxygen" type="needed"/></room_properties></patient>')
_PATIENT_B = ('<patient name="B" age="30" gender="Female" treatment="T2" registration="2024-01-01" '
              'admission="2024-01-01" surgery_day="2024-01-01" discharge="2024-01-02" variability="1" '
              'max_admission="2024-01-02" preferred_capacity="1">'
              '<room_properties><room_property name="oxygen" type="preferred"/></room_properties></patient>')


# N needs a room property no room has: no room admits him.
NO_ROOM_PATIENT = ('<patient name="N" age="50" gender="Male" treatment="T1" registration="2024-01-01" '
                   'admission="2024-01-01" discharge="2024-01-02" variability="0">'
                   '<room_properties><room_property name="nitrogen" type="needed"/></room_properties></patient>')


def instance_xml(*, a_room: str | None = None, extra_patients: str = "", n_patients: int = 2) -> str:
    room = f' room="{a_room}"' if a_room else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OrPasu_instance name="TINY">
  <descriptor>
    <Departments>1</Departments><Rooms>2</Rooms><Features>1</Features><Patients>{n_patients}</Patients>
    <Specialisms>2</Specialisms><Horizon start_day="2024-01-01" num_days="2"/><Treatments>2</Treatments>
  </descriptor>
  <specialisms><specialism>S1</specialism><specialism>S2</specialism></specialisms>
  <features><feature>oxygen</feature></features>
  <departments>
    <department name="D1">
      <main_specialisms><main_specialism>S1</main_specialism></main_specialisms>
      <aux_specialisms><aux_specialism>S2</aux_specialism></aux_specialisms>
    </department>
  </departments>
  <rooms>
    <room name="R1" capacity="1" department="D1" gender_policy="SameGender">
      <features><feature>oxygen</feature></features>
    </room>
    <room name="R2" capacity="2" department="D1" gender_policy="FemaleOnly"><features/></room>
  </rooms>
  <treatments>
    <treatment name="T1" specialism="S1" surgery="0"/>
    <treatment name="T2" specialism="S2" surgery="1" length="80"/>
  </treatments>
  <or_slots slot_length="60">
    <day name="2024-01-01"><specialism_assignment name="S2" number_or_slots="1"/></day>
  </or_slots>
  <patients>
    {_PATIENT_A.format(room=room)}
    {_PATIENT_B}
    {extra_patients}
  </patients>
</OrPasu_instance>
"""


SOLUTION_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<OrPasu_main_out name="sol-TINY" instance="TINY">
  <planning_horizon><start_day>2024-01-01</start_day><num_days>4</num_days>
  <current_day>2024-01-01</current_day></planning_horizon>
  <patients_scheduling>
"""
_SOLUTION_TAIL = """  </patients_scheduling>
  <costs objectives="0" violations="0" time="0">
    <patient_room value="0"><properties violations="0" weight="20"/><preference violations="0" weight="10"/>
    <specialism violations="0" weight="20"/><gender violations="0" weight="50"/></patient_room>
    <gender>0</gender><transfer>0</transfer><delay>0</delay><overcrowd_risk>0</overcrowd_risk>
    <or_overtime_cost>0</or_overtime_cost><idle_room_cost>0</idle_room_cost>
    <idle_operating_room_cost>0</idle_operating_room_cost>
    <capacity_violations value="0" room_utilization="0"/><or_violations value="0" or_utilization="0"/>
  </costs>
</OrPasu_main_out>
"""


def solution_xml(stays: dict[str, list[tuple[str, str]]]) -> str:
    """``{"A": [("2024-01-01", "R1"), ...]}`` -> solution XML (costs element left at zero)."""
    body = ""
    for name, days in stays.items():
        body += f'    <patient name="{name}" status="registered">\n'
        body += "".join(f'      <stay day="{d}" room="{r}"/>\n' for d, r in days)
        body += "    </patient>\n"
    return SOLUTION_HEAD + body + _SOLUTION_TAIL


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def unavailable(reason: str) -> None:
    """Skip a test whose shared data or tool is missing; under ``CI=true`` fail instead (CI must run it)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)


def data_dir() -> Path:
    """The shared data folder (``resolve_data_dir``), as the tests that need it see it."""
    return resolve_data_dir(None, None)


def schema_dir() -> Path:
    """The folder holding the OR-PAS instances and XSDs (shared data); tests needing them skip when it is absent,
    and fail under ``CI=true``."""
    d = data_dir() / "resources" / "or_pas"
    if not (d / "OrPasInstance.xsd").is_file():
        unavailable("OR-PAS instances and XSDs not available (shared data)")
    return d


def perturbed_stays(inst: OrPasInstance, plan: dict[str, tuple[str, int]], seed: int,
                    share: float = 0.15) -> dict[str, dict[int, str]]:
    """Stays of ``plan`` with a seeded ``share`` of its patients disturbed the way other solvers' plans differ: a
    room change mid-stay (a transfer, as the dynamic mode makes), a later admission (up to the end of the extended
    horizon, so stays overlap the original horizon's end), or a day in any room (forbidden rooms and crowded rooms
    included). Days stay inside the extended horizon, which the referee needs (it indexes days unchecked)."""
    import random

    from reasoning.allocation.orpas.options import allowed_rooms

    rng = random.Random(seed)
    names = sorted(inst.rooms)
    by_name = {p.name: p for p in inst.patients}
    stays: dict[str, dict[int, str]] = {}
    for name, (room, a) in sorted(plan.items()):
        p = by_name[name]
        days = {d: room for d in range(a, a + p.los)}
        if rng.random() < share:
            kind = rng.randrange(3)
            if kind == 0 and p.los > 1:
                other = rng.choice([r.name for r in allowed_rooms(inst, p)] or names)
                cut = rng.randrange(a + 1, a + p.los)
                days = {d: (room if d < cut else other) for d in days}
            elif kind == 1 and not p.present:
                last = min(p.max_admission, inst.num_days - p.los)
                b = rng.randint(a, max(a, last))
                days = {d: room for d in range(b, b + p.los)}
            else:
                d = rng.choice(sorted(days))
                days[d] = rng.choice(names)
        stays[name] = days
    return stays

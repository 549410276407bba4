"""Tiny hand-made OR-PAS instances and solutions, with costs worked out by hand in the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.data import resolve_data_dir

__all__ = ["NO_ROOM_PATIENT", "SOLUTION_HEAD", "instance_xml", "schema_dir", "solution_xml", "write"]

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


def schema_dir() -> Path:
    """The folder holding the OR-PAS XSDs (shared data); tests needing them skip when it is absent."""
    d = resolve_data_dir(None, None) / "resources" / "or_pas"
    if not (d / "OrPasInstance.xsd").is_file():
        pytest.skip("OR-PAS XSDs not available (shared data)")
    return d

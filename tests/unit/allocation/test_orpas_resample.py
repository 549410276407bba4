"""Resampled OR-PAS instances keep every patient possible on his own and change nothing but his dates."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from medkg.errors import InputValidationError
from reasoning.allocation.orpas.resample import allowed_shifts, resample_instance
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import instance_xml, schema_dir, write


# 30 more patients like B (S2 surgery of 80 min; S2 has its slot on day 0 of the 2-day master schedule, so on
# every even day), registered on day 0 or 1 and admitted that day, a third operated the day after admission,
# three in four with a latest admission of their own (the day after), the rest with the default.
def _extra(i: int) -> str:
    reg, off = i % 2, int(i % 3 == 0)
    latest = f' max_admission="2024-01-0{2 + reg}"' if i % 4 else ""
    return (f'<patient name="P{i}" age="30" gender="Female" treatment="T2" registration="2024-01-0{1 + reg}" '
            f'admission="2024-01-0{1 + reg}" surgery_day="2024-01-0{1 + reg + off}" '
            f'discharge="2024-01-0{2 + reg + off}" variability="0"{latest}/>')


_EXTRA = "".join(_extra(i) for i in range(30))


def _source(tmp: Path) -> Path:
    return write(tmp, "src.xml", instance_xml(a_room="R1", extra_patients=_EXTRA, n_patients=32))


def test_a_resampled_patient_keeps_notice_slack_stay_and_offset_and_stays_possible(tmp_path: Path) -> None:
    src = _source(tmp_path)
    got = resample_instance(src, tmp_path / "out.xml", seed=3, validate=False)
    before = {p.name: p for p in load_instance(src, validate=False).patients}
    inst = load_instance(tmp_path / "out.xml", validate=False)
    assert inst.name == "TINY-r3" and got.patients == 32
    moved = 0
    for p in inst.patients:
        q = before[p.name]
        delta = p.registration - q.registration
        moved += delta != 0
        assert (p.admission, p.discharge, p.surgery_day) == (
            q.admission + delta, q.discharge + delta, None if q.surgery_day is None else q.surgery_day + delta)
        assert 0 <= p.registration < inst.horizon
        assert p.admission + p.los <= inst.num_days
        if p.name.startswith("P") and int(p.name[1:]) % 4:  # a latest admission of his own moves with him
            assert p.max_admission == q.max_admission + delta
        if p.surgery_offset is not None:  # some allowed day has a slot of S2 (the even days)
            assert any(inst.slots(a + p.surgery_offset, "S2") for a in range(p.admission, p.max_admission + 1))
    a = next(p for p in inst.patients if p.name == "A")
    assert a.present and a.registration == before["A"].registration  # in hospital already: never moved
    assert moved == got.shifted > 0


def test_allowed_shifts_keep_registration_in_the_horizon_and_surgery_on_a_slot_day(tmp_path: Path) -> None:
    inst = load_instance(_source(tmp_path), validate=False)
    b = next(p for p in inst.patients if p.name == "B")
    # B: registered day 0, admitted 0..1, operated on the admission day: -1 and -2 register before day 0, +2
    # after the horizon (2 days); +1 operates her on day 1 or 2, and day 2 has S2's slot
    assert allowed_shifts(inst, b, 2) == [0, 1]
    # operated on day 0 only: +1 would operate her on day 1, which has no slot of S2
    due = dataclasses.replace(b, max_admission=0)
    assert allowed_shifts(inst, due, 2) == [0]
    # her latest admission is the default (the stay fits the extended horizon): it does not move, so +1 is allowed
    assert allowed_shifts(inst, due, 2, fixed_latest=False) == [0, 1]
    assert allowed_shifts(inst, b, 0) == [0]


def test_a_patient_without_slack_is_not_shifted_onto_a_day_his_surgery_no_longer_fits(tmp_path: Path) -> None:
    inst = load_instance(_source(tmp_path), validate=False)
    # a 4-day horizon with S2's 60-minute slot on days 0 and 2 (90 minutes with admitted overtime)
    wide = dataclasses.replace(inst, horizon=4, or_slots={0: {"S2": 1}, 2: {"S2": 1}})
    b = next(p for p in wide.patients if p.name == "B")
    due = dataclasses.replace(b, max_admission=0)  # operated on day 0, or day 2 if shifted by 2
    assert allowed_shifts(wide, due, 2) == [0, 2]
    # another urgent 80-minute surgery holds day 2: 160 > 90 there, so only her own day stays
    assert allowed_shifts(wide, due, 2, taken={(2, "S2"): 80, (2, None): 80}) == [0]
    # ... or holds her own day (shifted there before her): she moves to day 2; both held: she stays
    assert allowed_shifts(wide, due, 2, taken={(0, "S2"): 80, (0, None): 80}) == [2]
    assert allowed_shifts(wide, due, 2, taken={(d, k): 80 for d in (0, 2) for k in ("S2", None)}) == [0]
    # 10 minutes held: 90 fits exactly
    assert allowed_shifts(wide, due, 2, taken={(2, "S2"): 10, (2, None): 10}) == [0, 2]
    # the day's total counts too (60 slot minutes + 60 admitted overtime a day)
    assert allowed_shifts(wide, due, 2, taken={(2, None): 41}) == [0]
    # a patient with slack may still move there: tomorrow's model can place his surgery elsewhere
    assert allowed_shifts(wide, b, 2, taken={(2, "S2"): 80, (2, None): 80}) == [0, 1, 2]


def _six_day_source(tmp: Path) -> Path:
    """The tiny hospital over 6 days, S2's one slot on days 0, 2 and 4 (one 80-minute surgery a day fits), and two
    patients without slack: Z0 operated on day 2 (may move to 4), Z1 on day 4 (may move to 2 or 6)."""
    xml = instance_xml(extra_patients="".join(
        f'<patient name="Z{i}" age="30" gender="Female" treatment="T2" registration="2024-01-0{2 + 2 * i}" '
        f'admission="2024-01-0{3 + 2 * i}" surgery_day="2024-01-0{3 + 2 * i}" discharge="2024-01-0{4 + 2 * i}" '
        f'variability="0" max_admission="2024-01-0{3 + 2 * i}"/>' for i in range(2)), n_patients=4)
    days = "".join(f'<day name="2024-01-0{1 + d}"><specialism_assignment name="S2" number_or_slots="1"/></day>'
                   for d in (0, 2, 4))
    xml = xml.replace('num_days="2"', 'num_days="6"').replace(
        '<day name="2024-01-01"><specialism_assignment name="S2" number_or_slots="1"/></day>', days)
    return write(tmp, "six.xml", xml)


@pytest.mark.parametrize("seed", range(20))
def test_patients_without_slack_are_never_shifted_onto_the_same_single_slot_day(tmp_path: Path, seed: int) -> None:
    src = _six_day_source(tmp_path)
    assert load_instance(src, validate=False).horizon == 6
    resample_instance(src, tmp_path / "out.xml", seed=seed, validate=False)
    inst = load_instance(tmp_path / "out.xml", validate=False)
    z = {p.name: p.surgery_day for p in inst.patients if p.name.startswith("Z")}
    # each moved only to another slot day; one at random would share a day in a third of the seeds
    assert z["Z0"] in (2, 4) and z["Z1"] in (2, 4, 6) and z["Z0"] != z["Z1"]


def test_a_patient_without_a_latest_admission_gets_none_in_the_variant(tmp_path: Path) -> None:
    from lxml import etree

    src = _source(tmp_path)
    resample_instance(src, tmp_path / "out.xml", seed=3, validate=False)
    has = {el.get("name"): el.get("max_admission") is not None
           for el in etree.parse(str(tmp_path / "out.xml")).getroot().findall("patients/patient")}
    was = {el.get("name"): el.get("max_admission") is not None
           for el in etree.parse(str(src)).getroot().findall("patients/patient")}
    assert has == was and not all(has.values())


def test_the_cli_writes_the_variant_and_refuses_to_overwrite_its_source(tmp_path: Path) -> None:
    xsd = schema_dir()  # the CLI validates its input; skips without the shared data
    src = write(tmp_path, "src.xml", instance_xml())  # A in hospital, B may move by 0 or +1
    for name in ("OrPasInstance.xsd", "OrPasSolution.xsd"):
        (tmp_path / name).write_bytes((xsd / name).read_bytes())
    out = tmp_path / "sub" / "v.xml"
    ok = CliRunner().invoke(app, ["allocate", "resample", str(src), "--out", str(out), "--seed", "4", "--json"])
    assert ok.exit_code == 0, ok.output
    got = json.loads(ok.output)
    assert got["instance"] == "TINY-r4" and got["patients"] == 2 and got["shifted"] in (0, 1) and out.is_file()
    load_instance(out, schema=tmp_path / "OrPasInstance.xsd")  # still valid against the schema
    same = CliRunner().invoke(app, ["allocate", "resample", str(src), "--out", str(src)])
    assert same.exit_code != 0 and "overwrite" in str(same.exception)


def test_the_same_seed_writes_the_same_file_and_the_cli_reports_it(tmp_path: Path) -> None:
    src = _source(tmp_path)
    resample_instance(src, tmp_path / "a.xml", seed=5, validate=False)
    resample_instance(src, tmp_path / "b.xml", seed=5, validate=False)
    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()
    bad = CliRunner().invoke(app, ["allocate", "resample", str(src), "--out", str(tmp_path / "c.xml"),
                                   "--max-shift", "-1"])
    assert bad.exit_code != 0 and "--max-shift" in str(bad.exception)
    assert not (tmp_path / "c.xml").exists()


def test_a_negative_max_shift_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputValidationError, match="max_shift"):
        resample_instance(_source(tmp_path), tmp_path / "x.xml", seed=1, max_shift=-1, validate=False)

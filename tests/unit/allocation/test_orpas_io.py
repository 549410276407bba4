"""Reading instances (XSD-validated, line numbers in errors) and writing solutions valid against the XSD."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.errors import DataFileError, RowError
from reasoning.allocation.orpas.domain import CostBreakdown, OrPasSolution
from reasoning.allocation.orpas.xml_io import load_instance, read_solution, write_solution
from tests.unit.allocation.orpas_fixtures import instance_xml, schema_dir, write


def test_load_tiny_instance_fields(tmp_path: Path) -> None:
    inst = load_instance(write(tmp_path, "tiny.xml", instance_xml()), validate=False)
    a, b = inst.patients
    assert inst.horizon == 2 and inst.num_days == 4 and inst.beds == 3
    assert a.los == 2 and a.max_admission == 4 - 2  # no max_admission: the stay must fit the extended horizon
    assert a.preferred_capacity == 6 and a.needed == {"oxygen"} and a.male
    assert b.max_admission == 1 and b.surgery_offset == 0 and inst.surgery_minutes(b) == 80
    assert inst.slot_minutes(0, "S2") == 60 and inst.slot_minutes(2, "S2") == 60  # the MSS repeats every H days
    assert inst.day_minutes(1) == 0


def test_schema_validation_on_the_real_instances() -> None:
    d = schema_dir()
    inst = load_instance(sorted(d.glob("or_pas_dept2_*.xml"))[0])
    assert len(inst.patients) > 100 and inst.horizon == 14


def test_schema_error_names_the_line(tmp_path: Path) -> None:
    d = schema_dir()
    bad = instance_xml().replace('capacity="2" department="D1"', 'department="D1"')  # R2 without capacity
    path = write(tmp_path, "bad.xml", bad)
    with pytest.raises(RowError) as e:
        load_instance(path, schema=d / "OrPasInstance.xsd")
    expected = next(i for i, line in enumerate(bad.splitlines(), 1) if '<room name="R2"' in line)
    assert e.value.line == expected and "capacity" in str(e.value)


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.xml", instance_xml().replace("</rooms>", "</room>"))
    with pytest.raises(RowError) as e:
        load_instance(path, validate=False)
    assert e.value.line > 0


def test_instance_without_an_xsd_beside_it_uses_the_packaged_schemas(tmp_path: Path) -> None:
    """Issue 17: the published XSDs ship inside the package and are the default; an explicit missing one is an error."""
    inst = load_instance(write(tmp_path, "tiny.xml", instance_xml()))  # no OrPasInstance.xsd in tmp_path
    assert len(inst.patients) == 2
    bad = write(tmp_path, "bad.xml", instance_xml().replace('capacity="2" department="D1"', 'department="D1"'))
    with pytest.raises(RowError, match="capacity"):  # validated all the same
        load_instance(bad)
    with pytest.raises(DataFileError, match=r"OrPasInstance\.xsd not found"):
        load_instance(bad, schema=tmp_path / "nowhere" / "OrPasInstance.xsd")


def test_unknown_reference_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "x.xml", instance_xml().replace('treatment="T1"', 'treatment="T9"'))
    with pytest.raises(RowError, match="unknown treatment"):
        load_instance(path, validate=False)


def test_write_then_read_solution_round_trip(tmp_path: Path) -> None:
    d = schema_dir()
    inst = load_instance(write(tmp_path, "tiny.xml", instance_xml()), validate=False)
    sol = OrPasSolution(instance="TINY", stays={"A": {0: "R1", 1: "R1"}, "B": {1: "R2"}})
    out = tmp_path / "sol.xml"
    write_solution(out, inst, sol, CostBreakdown(delay_days=1), seconds=1.5, schema=d / "OrPasSolution.xsd")
    text = out.read_text()
    assert 'delay="1"' in text and "<delay>5</delay>" in text and 'objectives="5"' in text
    back = read_solution(out, inst, schema=d / "OrPasSolution.xsd")
    assert back.stays == sol.stays

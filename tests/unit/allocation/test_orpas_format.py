"""The one OR-PAS format module (``kg.formats.orpas``): the ingest reader and the solver read a file the same way;
problems the reader turns into rejects, the solver refuses with the file's line (issue 17 "one of each")."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers.base import ReadContext
from ingest.readers.orpas import OrPasReader
from kg.formats import atoi, packaged_schema, parse_orpas_xml, read_departments, read_rooms, read_specialisms
from medkg.errors import RowError
from medkg.types import Node, Relationship
from reasoning.allocation.orpas.xml_io import load_instance
from tests.unit.allocation.orpas_fixtures import instance_xml, write


def _ingest(tmp_path: Path, text: str) -> tuple[list[Node], list[Relationship], list[str]]:
    folder = tmp_path / "resources" / "or_pas"
    folder.mkdir(parents=True)
    write(folder, "tiny.xml", text)
    ctx = ReadContext()
    nodes, rels, rejects = [], [], []
    for item in OrPasReader().read(tmp_path, ctx):
        if isinstance(item, Node):
            nodes.append(item)
        elif isinstance(item, Relationship):
            rels.append(item)
        else:
            rejects.append(str(item))
    return nodes, rels, rejects


def test_reader_and_solver_see_the_same_rooms_and_departments(tmp_path: Path) -> None:
    nodes, rels, rejects = _ingest(tmp_path, instance_xml())
    inst = load_instance(tmp_path / "resources" / "or_pas" / "tiny.xml")
    assert rejects == []
    rooms = {n.props["code"]: n.props["capacity"] for n in nodes if n.label == "Room"}
    assert rooms == {name: r.capacity for name, r in inst.rooms.items()}
    treats = {(r.start.rsplit(":", 1)[1], r.end.rsplit(":", 1)[1], r.props["kind"]) for r in rels
              if r.type == "TREATS_SPECIALISM"}
    assert treats == {(d.name, s, "main") for d in inst.departments.values() for s in d.main} | {
        (d.name, s, "aux") for d in inst.departments.values() for s in d.aux}


def test_a_problem_is_a_reject_for_ingest_and_a_refusal_for_the_solver(tmp_path: Path) -> None:
    """An unknown specialism of a department: ingest keeps the department and rejects the link; the solver refuses."""
    bad = instance_xml().replace("<aux_specialism>S2</aux_specialism>", "<aux_specialism>S9</aux_specialism>")
    nodes, _rels, rejects = _ingest(tmp_path, bad)
    assert any(n.label == "Department" for n in nodes)
    assert len(rejects) == 1 and "unknown specialism 'S9'" in rejects[0]
    with pytest.raises(RowError, match="unknown specialism 'S9'") as e:
        load_instance(tmp_path / "resources" / "or_pas" / "tiny.xml", validate=False)
    assert e.value.line > 0


def test_records_carry_lines_and_refuse_absurd_capacities(tmp_path: Path) -> None:
    text = instance_xml().replace('capacity="2"', 'capacity="100000000000000000000"')
    root = parse_orpas_xml(write(tmp_path, "big.xml", text))
    deps = [r.value.name for r in read_departments(root, read_specialisms(root)) if r.value is not None]
    recs = list(read_rooms(root, set(deps), ["oxygen"]))
    big = next(r for r in recs if r.value is None)
    assert "R2" in big.problems[0] and "1..1000" in big.problems[0] and big.line > 0
    ok = next(r for r in recs if r.value is not None)
    assert ok.value is not None and ok.value.name == "R1" and ok.value.capacity == 1


def test_integers_are_read_as_the_referee_reads_them() -> None:
    assert (atoi("1"), atoi("true"), atoi("0"), atoi(" 12abc"), atoi(None)) == (1, 0, 0, 12, 0)


def test_the_published_xsds_ship_inside_the_package() -> None:
    for name in ("OrPasInstance.xsd", "OrPasSolution.xsd"):
        assert packaged_schema(name).is_file()

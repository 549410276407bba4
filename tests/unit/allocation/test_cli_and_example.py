"""``medkg allocate`` commands and the example request built from the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.allocate import app
from medkg.errors import NotFoundError
from medkg.types import Node, Relationship
from reasoning.allocation.service.example import build_example_request
from reasoning.allocation.service.synthetic import synthetic_request
from tests.unit.allocation.orpas_fixtures import instance_xml, schema_dir, solution_xml, write

runner = CliRunner()
D0, D1 = "2024-01-01", "2024-01-02"


def _schemas_next_to(tmp_path: Path) -> str:
    d = schema_dir()
    return str(d)


def test_validate_command_exit_codes(tmp_path: Path) -> None:
    sd = _schemas_next_to(tmp_path)
    inst = write(tmp_path, "tiny.xml", instance_xml())
    good = write(tmp_path, "good.xml", solution_xml({"A": [(D0, "R1"), (D1, "R1")], "B": [(D0, "R2")]}))
    bad = write(tmp_path, "bad.xml", solution_xml({"A": [(D0, "R2"), (D1, "R1")], "B": [(D1, "R1")]}))
    ok = runner.invoke(app, ["validate", str(inst), str(good), "--schema-dir", sd])
    assert ok.exit_code == 0, ok.output
    assert "total cost = 170" in ok.output
    res = runner.invoke(app, ["validate", str(inst), str(bad), "--schema-dir", sd, "--json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["hard_violations"] == 102 and data["components"]["transfer"] == 100


def test_or_pas_command_writes_a_valid_solution(tmp_path: Path) -> None:
    sd = _schemas_next_to(tmp_path)
    inst = write(tmp_path, "tiny.xml", instance_xml())
    out = tmp_path / "sol.xml"
    res = runner.invoke(app, ["or-pas", str(inst), "--out", str(out), "--time-limit", "5", "--schema-dir", sd])
    assert res.exit_code == 0, res.output
    assert "TOTAL violations = 0" in res.output and "lower bound" in res.output
    check = runner.invoke(app, ["validate", str(inst), str(out), "--schema-dir", sd])
    assert check.exit_code == 0


def test_plan_command(tmp_path: Path) -> None:
    req = synthetic_request(30, seed=5)
    path = tmp_path / "req.json"
    path.write_text(req.model_dump_json(), encoding="utf-8")
    out = tmp_path / "resp.json"
    res = runner.invoke(app, ["plan", str(path), "--out", str(out), "--time-limit", "10"])
    assert res.exit_code == 0, res.output
    assert "assigned" in res.output
    assert "[solver:" in res.output  # citation ids are printed as text, not eaten as rich markup
    data = json.loads(out.read_text())
    assert len(data["assignments"]) + len(data["unassigned"]) == 30


def test_example_on_an_empty_store_names_the_ingest_command(embedded_store: Any) -> None:
    with pytest.raises(NotFoundError, match="medkg ingest records"):
        build_example_request(embedded_store)


def test_example_from_encounters(embedded_store: Any) -> None:
    st, src = embedded_store, "synthea"
    st.upsert_nodes([
        Node(id="medkg:patient:1", label="Patient", name="patient 1", sources=(src,), props={"gender": "F"}),
        Node(id="medkg:enc:1", label="Encounter", name="inpatient", sources=(src,),
             props={"encounter_class": "inpatient", "start": "2020-01-01T10:00:00Z", "stop": "2020-01-04T10:00:00Z"}),
        Node(id="medkg:enc:2", label="Encounter", name="emergency", sources=(src,),
             props={"encounter_class": "emergency", "start": "2020-01-02T10:00:00Z", "reason": "hypertension"}),
        Node(id="medkg:enc:3", label="Encounter", name="ambulatory", sources=(src,),
             props={"encounter_class": "ambulatory", "start": "2020-01-02T10:00:00Z"}),
        Node(id="medkg:cond:1", label="Condition", name="Hypertension", sources=(src,)),
        Node(id="DOID:10763", label="Disease", name="hypertension", sources=("curated",)),
        Node(id="medkg:dept:cardiology", label="Department", name="Cardiology", sources=("curated",)),
    ])
    st.upsert_relationships([
        Relationship(type="HAS_ENCOUNTER", start="medkg:patient:1", end="medkg:enc:1", source=src),
        Relationship(type="DIAGNOSED", start="medkg:enc:1", end="medkg:cond:1", source=src),
        Relationship(type="IS_A", start="medkg:cond:1", end="DOID:10763", source=src),
    ])
    req = build_example_request(st, days=7)
    by_id = {p.id: p for p in req.patients}
    assert set(by_id) == {"medkg:enc:1", "medkg:enc:2"}
    assert by_id["medkg:enc:1"].condition == "hypertension" and by_id["medkg:enc:1"].length_of_stay == 3
    assert by_id["medkg:enc:1"].sex == "female"
    assert by_id["medkg:enc:2"].emergency and by_id["medkg:enc:2"].earliest == 1
    assert [d.kg_id for d in req.departments] == ["medkg:dept:cardiology"]
    assert req.wards[0].department == "cardiology"

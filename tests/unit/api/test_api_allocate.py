"""``POST /allocate`` and ``POST /allocate/emergency`` against a real embedded store built from a tiny graph."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import allocate as alloc_router
from kg.embedded import EmbeddedGraphStore
from medkg.settings import Settings
from medkg.types import Node, Relationship
from reasoning.allocation.service.solver import AllocationService

SRC = "curated"


@pytest.fixture
def alloc_client(settings: Settings) -> Iterator[TestClient]:
    """The sample graph plus hypertension -> cardiology and diabetes -> endocrinology (English department ids)."""
    store = EmbeddedGraphStore(settings.store_dir / "graph.sqlite3")
    try:
        store.upsert_nodes([
            Node(id="medkg:dept:cardiology", label="Department", name="Cardiology", sources=(SRC,)),
            Node(id="medkg:dept:endocrinology", label="Department", name="Endocrinology", sources=(SRC,)),
        ])
        store.upsert_relationships([
            Relationship(type="TREATED_IN", start="DOID:10763", end="medkg:dept:cardiology", source=SRC,
                         props={"rank": 1}),
            Relationship(type="TREATED_IN", start="DOID:9352", end="medkg:dept:endocrinology", source=SRC,
                         props={"rank": 1}),
        ])
    finally:
        store.close()
    with TestClient(create_app(settings)) as c:
        yield c


def _example() -> dict[str, Any]:
    value: dict[str, Any] = alloc_router.ALLOCATE_EXAMPLES["small hospital"]["value"]
    return value


def _cardio(patients: list[dict[str, Any]], beds: int = 2) -> dict[str, Any]:
    return {"days": 7, "departments": [{"id": "cardio", "kg_id": "medkg:dept:cardiology"}],
            "wards": [{"id": "C1", "department": "cardio", "beds": beds}], "patients": patients}


def _elective(pid: str, **kw: Any) -> dict[str, Any]:
    return {"id": pid, "department": "cardio", "length_of_stay": 2, "latest": 3, **kw}


def test_documented_example_is_allocated_with_kg_and_solver_citations(alloc_client: TestClient) -> None:
    r = alloc_client.post("/allocate", json=_example(), params={"time_limit": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    got = {a["patient_id"]: a for a in body["assignments"]}
    assert set(got) == {"p1", "p2", "p3"} and body["unassigned"] == []
    assert got["p1"]["ward"] == "C1" and got["p2"]["ward"] == "E1"
    assert got["p3"]["operating_room"] == "OR1" and got["p3"]["surgery_day"] == got["p3"]["admission_day"] + 1
    assert body["status"] == "OPTIMAL" and body["objective_total"] == sum(body["objective"].values())
    ex = {e["patient_id"]: e for e in body["explanations"]}
    ids = {f["id"] for f in ex["p2"]["facts"]}
    assert "kg:node:DOID:9352" in ids
    assert "kg:rel:TREATED_IN:DOID:9352->medkg:dept:endocrinology#curated" in ids
    assert f"solver:{body['run_id']}#assign:p2" in ids
    assert "[kg:node:DOID:9352]" in ex["p2"]["text"]
    # p3 names its department: the request is the evidence, not the KG
    assert not any(f["id"].startswith("kg:") for f in ex["p3"]["facts"])


def test_documented_emergency_example_moves_the_elective(alloc_client: TestClient) -> None:
    value = alloc_router.EMERGENCY_EXAMPLES["cardiac emergency"]["value"]
    body = alloc_client.post("/allocate/emergency", json=value, params={"time_limit": 10}).json()
    got = {a["patient_id"]: a for a in body["assignments"]}
    assert got["u1"]["ward"] == "C1" and got["u1"]["admission_day"] == 0
    assert [(c["patient_id"], c["after"]["admission_day"]) for c in body["changes"]] == [("p1", 1)]


def test_capacity_shortfall_explains_itself(alloc_client: TestClient) -> None:
    pats = [{"id": f"p{i}", "department": "cardio", "length_of_stay": 1, "earliest": 2, "latest": 2, "priority": i + 1}
            for i in range(3)]
    body = alloc_client.post("/allocate", json=_cardio(pats), params={"time_limit": 10}).json()
    assert {a["patient_id"] for a in body["assignments"]} == {"p1", "p2"}
    (u,) = body["unassigned"]
    assert u["patient_id"] == "p0" and u["constraint"] == "capacity:ward" and "ward:C1 on day 2" in u["detail"]
    assert body["shortfalls"] == [{"resource": "ward:C1", "day": 2, "demand": 3, "capacity": 2, "short_by": 1}]
    why = next(e for e in body["explanations"] if e["patient_id"] == "p0")
    blocked = next(f for f in why["facts"] if f["id"] == f"solver:{body['run_id']}#capacity:ward:C1@2")
    assert blocked["values"] == {"constraint": "capacity:ward", "resource": "ward:C1@2", "used": 2, "capacity": 2}
    cost = next(f for f in why["facts"] if f["id"] == f"solver:{body['run_id']}#cost:unassigned:p0")
    assert cost["values"]["cost"] == body["objective"]["unassigned"] == 10_000  # priority 1: the cheapest to leave
    kept = next(e for e in body["explanations"] if e["patient_id"] == "p2")
    assert "2 of 2 beds of ward C1 on day 2 used (binding)" in kept["text"]


def test_condition_unknown_to_the_kg_is_reported(alloc_client: TestClient) -> None:
    req = _cardio([{"id": "x", "condition": "dragon pox", "length_of_stay": 1}])
    body = alloc_client.post("/allocate", json=req).json()
    assert body["assignments"] == []
    assert [(u["patient_id"], u["constraint"]) for u in body["unassigned"]] == [("x", "no_kg_match")]


@pytest.mark.parametrize(
    ("patient", "needle"),
    [
        ({"id": "a", "department": "neuro", "length_of_stay": 1}, "unknown department 'neuro'"),
        ({"id": "a", "department": "cardio", "length_of_stay": 1, "earliest": 3, "latest": 1}, "latest admission"),
        ({"id": "a", "length_of_stay": 1}, "give a condition or a department"),
    ],
)
def test_invalid_request_is_422_with_the_reason(alloc_client: TestClient, patient: dict[str, Any],
                                                 needle: str) -> None:
    r = alloc_client.post("/allocate", json=_cardio([patient]))
    assert r.status_code == 422
    assert r.json()["error"] == "RequestValidationError" and needle in r.json()["message"]
    assert "Value error" not in r.json()["message"]


def test_time_limit_is_bounded(alloc_client: TestClient) -> None:
    req = _cardio([_elective("a")])
    assert alloc_client.post("/allocate", json=req, params={"time_limit": 0}).status_code == 422
    too_long = alloc_client.post("/allocate", json=req, params={"time_limit": alloc_router.MAX_TIME_LIMIT_S + 1})
    assert too_long.status_code == 422 and "time_limit" in too_long.json()["message"]


def test_size_limits_are_413_naming_the_limit(alloc_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    req = _cardio([_elective("a"), _elective("b"), _elective("c")])
    monkeypatch.setattr(alloc_router, "MAX_PATIENTS", 2)
    r = alloc_client.post("/allocate", json=req)
    assert r.status_code == 413
    assert r.json()["error"] == "RequestTooLargeError" and "3 patients; at most 2" in r.json()["message"]
    emergency = {"request": _cardio([_elective("a"), _elective("b")]), "current_plan": [],
                 "patient": _elective("u", latest=0)}
    assert alloc_client.post("/allocate/emergency", json=emergency).status_code == 413  # 2 + the urgent one
    monkeypatch.setattr(alloc_router, "MAX_PATIENTS", 100)
    monkeypatch.setattr(alloc_router, "MAX_BODY_BYTES", 50)
    r = alloc_client.post("/allocate", json=req)
    assert r.status_code == 413 and "at most 50 are accepted" in r.json()["message"]
    assert alloc_client.get("/health").status_code == 200  # other routes are not limited


def test_body_without_length_is_cut_at_the_limit(alloc_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunked body (no Content-Length) is stopped as soon as the bytes received pass the limit."""
    monkeypatch.setattr(alloc_router, "MAX_BODY_BYTES", 100)
    raw = json.dumps(_cardio([_elective(f"p{i}") for i in range(5)])).encode()
    headers = {"Content-Type": "application/json"}
    r = alloc_client.post("/allocate", content=iter([raw[:80], raw[80:]]), headers=headers)
    assert r.status_code == 413 and "more than 100 bytes" in r.json()["message"]
    monkeypatch.setattr(alloc_router, "MAX_BODY_BYTES", 10_000)
    ok = alloc_client.post("/allocate", content=iter([raw[:80], raw[80:]]), headers=headers)
    assert ok.status_code == 200 and len(ok.json()["assignments"]) + len(ok.json()["unassigned"]) == 5


def test_emergency_moves_one_elective_and_says_what_changed(alloc_client: TestClient) -> None:
    req = _cardio([_elective("e0"), _elective("e1")])
    plan = alloc_client.post("/allocate", json=req, params={"time_limit": 10}).json()
    assert [a["admission_day"] for a in plan["assignments"]] == [0, 0]
    intake = {"request": req, "current_plan": plan["assignments"],
              "patient": {"id": "u", "department": "cardio", "length_of_stay": 1, "latest": 0}}
    r = alloc_client.post("/allocate/emergency", json=intake, params={"time_limit": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    got = {a["patient_id"]: a for a in body["assignments"]}
    assert got["u"]["admission_day"] == 0 and body["unassigned"] == []
    (change,) = body["changes"]
    assert change["patient_id"] in ("e0", "e1") and "emergency patient(s) u" in change["reason"]
    assert change["before"]["admission_day"] == 0 and change["after"]["admission_day"] > 0
    assert body["objective"]["changes"] == 300
    moved = next(e for e in body["explanations"] if e["patient_id"] == change["patient_id"])
    fact = next(f for f in moved["facts"] if f["id"] == f"solver:{body['run_id']}#change:{change['patient_id']}")
    assert fact["values"] == {"from_ward": "C1", "from_day": 0, "cost": 300, "for": "u"}
    assert "to admit emergency patient(s) u (cost 300)" in moved["text"]


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"patient": _elective("e0")}, "already in request.patients"),
        ({"current_plan": [{"patient_id": "ghost", "department": "cardio", "ward": "C1", "admission_day": 0,
                            "discharge_day": 1}]}, "'ghost', who is not in patients"),
        ({"current_plan": [{"patient_id": "e0", "department": "cardio", "ward": "Z9", "admission_day": 0,
                            "discharge_day": 1}]}, "ward 'Z9'"),
    ],
)
def test_emergency_input_errors_are_422(alloc_client: TestClient, patch: dict[str, Any], needle: str) -> None:
    intake = {"request": _cardio([_elective("e0")]), "current_plan": [], "patient": _elective("u"), **patch}
    r = alloc_client.post("/allocate/emergency", json=intake)
    assert r.status_code == 422 and needle in r.json()["message"]


def test_store_needed_only_for_conditions(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "store").write_text("not a folder")  # the store cannot be opened
    with TestClient(create_app(Settings(home=home, store="embedded", _env_file=None))) as c:
        ok = c.post("/allocate", json=_cardio([_elective("a")]))
        assert ok.status_code == 200 and ok.json()["assignments"][0]["ward"] == "C1"
        down = c.post("/allocate", json=_cardio([{"id": "b", "condition": "hypertension", "length_of_stay": 1}]))
        assert down.status_code == 503 and down.json()["error"] == "StoreUnavailableError"


def test_solver_runs_off_the_event_loop(alloc_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, int] = {}
    check, solve = alloc_router._check_patients, AllocationService.allocate

    def on_loop(n: int) -> None:  # called in the async endpoint, i.e. on the event loop's thread
        seen["loop"] = threading.get_ident()
        check(n)

    def in_solver(self: AllocationService, req: Any) -> Any:
        seen["solver"] = threading.get_ident()
        return solve(self, req)

    monkeypatch.setattr(alloc_router, "_check_patients", on_loop)
    monkeypatch.setattr(AllocationService, "allocate", in_solver)
    assert alloc_client.post("/allocate", json=_cardio([_elective("a")])).status_code == 200
    assert seen["loop"] != seen["solver"]


def test_openapi_documents_routes_limits_and_examples(alloc_client: TestClient) -> None:
    spec = alloc_client.get("/openapi.json").json()
    post = spec["paths"]["/v1/allocate"]["post"]
    assert f"at most {alloc_router.MAX_PATIENTS:,} patients" in post["description"]
    assert "small hospital" in post["requestBody"]["content"]["application/json"]["examples"]
    assert {"413", "422", "503"} <= set(post["responses"])
    emergency = spec["paths"]["/v1/allocate/emergency"]["post"]
    assert "cardiac emergency" in emergency["requestBody"]["content"]["application/json"]["examples"]

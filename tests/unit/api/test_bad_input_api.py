"""Bad search text and invalid allocation requests over HTTP: 422 with the reason, never a 500 or a server path."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("q", ["hyper\x00tension", "hyp\x1bertension", "a\x7f", "\x00"])
def test_search_with_control_characters_is_422_without_a_path(client: TestClient, q: str) -> None:
    r = client.get("/graph/search", params={"q": q})
    assert r.status_code == 422, r.text
    body = r.json()
    assert "NUL" in body["message"] or "control character" in body["message"]
    assert "/" not in body["message"] and "sqlite" not in r.text.lower()


@pytest.mark.parametrize("q", ["_", "%", "*", "?!"])
def test_search_of_punctuation_only_names_gets_one_answer(client: TestClient, q: str) -> None:
    r = client.get("/graph/search", params={"q": q})
    assert r.status_code == 422, r.text
    assert "no letter or digit" in r.json()["message"]


def _hospital(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "days": 5, "departments": [{"id": "cardio"}], "wards": [{"id": "C1", "department": "cardio", "beds": 1}],
        "patients": [{"id": "a", "department": "cardio", "length_of_stay": 2}],
    }
    return body | extra


def _entry(**kw: Any) -> list[dict[str, Any]]:
    return [{"patient_id": "a", "department": "cardio", "ward": "C1", "admission_day": 0, "discharge_day": 2} | kw]


@pytest.mark.parametrize(("body", "reason"), [
    (_hospital(weights={"unassigned": -1e18}), "weights.unassigned"),
    (_hospital(current_plan=_entry(admission_day=-1)), "admission_day"),
    (_hospital(current_plan=_entry(admission_day=3, discharge_day=1)), "must be after the admission day"),
    (_hospital(current_plan=_entry(admission_day=10**9, discharge_day=10**9 + 1)), "outside the horizon"),
    (_hospital(current_plan=_entry() + _entry()), "more than once"),
    (_hospital(today=5), "today (5) must be before days (5)"),
    (_hospital(wards=[{"id": "C1", "department": "cardio", "beds": 1}] * 2), "ward ids must be unique"),
    (_hospital(departments=[{"id": "cardio"}] * 2), "department ids must be unique"),
    (_hospital(equipment=[{"name": "monitor", "count": 1}] * 2), "equipment names must be unique"),
], ids=["weight", "negative-day", "reversed", "day-1e9", "twice", "today", "dup-ward", "dup-dept", "dup-equipment"])
def test_invalid_allocation_requests_are_422_with_the_reason(client: TestClient, body: dict[str, Any],
                                                             reason: str) -> None:
    r = client.post("/allocate", json=body, params={"time_limit": 5})
    assert r.status_code == 422, r.text
    assert reason in r.json()["message"]


@pytest.mark.parametrize("seconds", ["-1", "0", "nan", "inf", "1e12"])
def test_allocation_time_limit_is_validated(client: TestClient, seconds: str) -> None:
    r = client.post("/allocate", json=_hospital(), params={"time_limit": seconds})
    assert r.status_code == 422, r.text
    assert "time_limit" in r.json()["message"]


@pytest.mark.parametrize(("plan", "reason"), [
    (_entry(admission_day=9, discharge_day=11), "outside the horizon"),
    (_entry() + _entry(), "more than once"),
])
def test_emergency_intake_with_a_bad_plan_is_422(client: TestClient, plan: list[dict[str, Any]], reason: str) -> None:
    body = {"request": _hospital(), "current_plan": plan,
            "patient": {"id": "u", "department": "cardio", "length_of_stay": 1}}
    r = client.post("/allocate/emergency", json=body, params={"time_limit": 5})
    assert r.status_code == 422, r.text
    assert reason in r.json()["message"]

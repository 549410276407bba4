"""Issue 18 items 4, 7, 17, 18: one problem+json body for every error (the framework's included, all in the
spec), the emergency intake's unknown department as 422, an access log without query text, and a solver that
answers 429 instead of queueing."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import ApiLimits
from medkg.settings import Settings

PROBLEM = "application/problem+json"


def _is_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert {"type", "title", "status", "detail", "error", "message"} <= set(body)
    assert body["status"] == status and body["detail"] == body["message"]
    return body


def test_framework_errors_are_problem_json(v1: TestClient) -> None:
    """Unknown route 404, wrong method 405, unparseable body 400, invalid body 422: one body shape."""
    assert "no route" in _is_problem(v1.get("/v1/nope"), 404)["detail"]
    assert "DELETE" in _is_problem(v1.delete("/healthz"), 405)["detail"]
    assert v1.options("/v1/search").headers["allow"] == "GET, POST"  # both routes of the path, not the first
    bad = v1.post("/v1/ask", content=b"{bad", headers={"content-type": "application/json"})
    assert "not valid JSON" in _is_problem(bad, 400)["detail"]
    assert "question" in _is_problem(v1.post("/v1/ask", json={"k": 3}), 422)["detail"]


def test_unexpected_exception_is_problem_500_without_traceback(settings: Settings) -> None:
    class Boom:
        def search(self, query: str, k: int = 10) -> Any:
            raise KeyError("/srv/secret/path.py")

        def close(self) -> None:
            pass

    app = create_app(settings, retriever_factory=lambda s, sv: Boom())
    with TestClient(app, raise_server_exceptions=False) as c:
        body = _is_problem(c.post("/v1/search", json={"query": "fever"}), 500)
    assert "Traceback" not in body["detail"] and "/srv" not in body["detail"]


def test_every_error_status_is_documented_as_problem_json(v1: TestClient) -> None:
    spec = v1.get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"] and "HTTPValidationError" not in spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert {"400", "404", "405", "422", "429", "500", "503"} <= codes, (path, method)
            for code, resp in op["responses"].items():
                if int(code) >= 400 and not (path == "/readyz" and code == "503"):
                    assert list(resp["content"]) == [PROBLEM], (path, method, code)


@pytest.mark.parametrize("department", ["zzz", ""])
def test_emergency_with_unknown_department_is_422_naming_it(v1: TestClient, department: str) -> None:
    """Issue 18 item 4: was a 500 text/plain and a reset connection."""
    body = {"request": {"days": 3, "departments": [{"id": "a", "name": "A"}],
                        "wards": [{"id": "W", "department": "a", "beds": 2}], "patients": []},
            "patient": {"id": "u", "department": department, "length_of_stay": 1}}
    for url in ("/v1/allocate/emergency", "/allocate/emergency"):
        problem = _is_problem(v1.post(url, json=body), 422)
        assert f"department {department!r}" in problem["detail"], problem["detail"]


def test_access_log_names_route_template_and_status_never_query_text(
        v1: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 18 item 17: a searched name never reaches a log."""
    secret = "Jane-Doe-" + "x" * 500
    with caplog.at_level(logging.INFO):
        v1.get("/v1/graph/lookup", params={"q": secret})
        v1.get(f"/v1/graph/entity/{secret}")
        v1.get(f"/v1/patients/{'ab' * 8}")
    access = [r.getMessage() for r in caplog.records if r.name == "api.access"]
    assert any(m.startswith("GET /v1/graph/lookup 200") for m in access), access
    assert any(m.startswith("GET /v1/graph/entity/{node_id:path} 404") for m in access), access
    assert any(m.startswith("GET /v1/patients/{pseudonym} 403") for m in access), access
    ours = [r for r in caplog.records if r.name.startswith(("api", "uvicorn", "kg", "medkg"))]
    assert not any("Jane-Doe" in r.getMessage() or "abababab" in r.getMessage() for r in ours)


def test_serve_turns_uvicorns_query_logging_access_log_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from cli.main import app

    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.append(k))
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert seen[0]["access_log"] is False and seen[0]["workers"] == 2


def _cardio_request(n: int = 2) -> dict[str, Any]:
    return {"days": 7, "departments": [{"id": "cardio"}], "wards": [{"id": "C1", "department": "cardio", "beds": 2}],
            "patients": [{"id": f"p{i}", "department": "cardio", "length_of_stay": 2, "latest": 3} for i in range(n)]}


def test_busy_solver_is_429_with_retry_after_and_anonymous_time_is_capped(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18 item 18: a second solve while one runs is refused at once, not queued behind it."""
    from reasoning.allocation.service import solver as solver_mod

    started, release = threading.Event(), threading.Event()
    limits_seen: list[float] = []
    real = solver_mod.AllocationService.allocate

    def slow(self: Any, req: Any) -> Any:
        limits_seen.append(self.time_limit)
        started.set()
        release.wait(10)
        return real(self, req)

    monkeypatch.setattr(solver_mod.AllocationService, "allocate", slow)
    limits = ApiLimits(anonymous_max_solve_s=3.0)
    with TestClient(create_app(settings, limits=limits)) as c:
        results: dict[str, Any] = {}
        t = threading.Thread(target=lambda: results.update(
            first=c.post("/v1/allocate", json=_cardio_request(), params={"time_limit": 100})))
        t.start()
        assert started.wait(10)
        t0 = time.monotonic()
        busy = c.post("/v1/allocate", json=_cardio_request(), params={"time_limit": 1})
        assert time.monotonic() - t0 < 2  # answered at once
        release.set()
        t.join(20)
    problem = _is_problem(busy, 429)
    assert "solver is busy" in problem["detail"]
    assert 1 <= int(busy.headers["retry-after"]) <= 5
    assert results["first"].status_code == 200
    assert limits_seen == [3.0]  # 100 s asked, capped for an anonymous caller


def test_nul_in_a_lookup_is_422_never_a_500_with_a_path(v1: TestClient) -> None:
    """Issue 18 item 5 as the API renders it: was a 500 naming the SQLite file."""
    for url in ("/v1/graph/lookup", "/graph/search"):
        problem = _is_problem(v1.get(url, params={"q": "hyper\x00tension"}), 422)
        assert "NUL" in problem["detail"] and "sqlite" not in problem["detail"].lower()

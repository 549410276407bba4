"""/healthz, /readyz (503 with the reason while the store is down, ready again when it returns) and /metrics."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from medkg.settings import Settings


def test_healthz_and_readyz(v1: TestClient) -> None:
    assert v1.get("/healthz").json()["status"] == "ok"
    r = v1.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready" and body["checks"]["store"] == "ok"
    assert body["checks"]["answer_engine"] == "not loaded yet"
    v1.post("/v1/ask", json={"question": "metformin?"})
    assert v1.get("/readyz").json()["checks"]["answer_engine"] == "ok"


def test_readyz_is_503_with_reason_while_store_is_dead_then_recovers(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "store").write_text("not a folder")  # the store cannot be opened
    s = Settings(home=home, store="embedded", _env_file=None)
    with TestClient(create_app(s, store_retry_interval=0.0)) as c:
        down = c.get("/readyz")
        assert down.status_code == 503 and down.headers["retry-after"] == "5"
        assert down.json()["checks"]["store"].startswith("StoreUnavailableError")
        lookup = c.get("/v1/graph/lookup", params={"q": "x"})
        assert lookup.status_code == 503 and lookup.headers["content-type"] == "application/problem+json"
        assert c.get("/healthz").status_code == 200  # alive, not ready
        (home / "store").unlink()
        assert c.get("/readyz").status_code == 200
        assert c.get("/v1/graph/lookup", params={"q": "x"}).status_code == 200


def test_metrics_count_requests_per_route_template(v1: TestClient, settings: Settings) -> None:
    v1.get("/v1/graph/entity/DOID:9352")
    v1.get("/v1/graph/entity/DOID:0")
    v1.post("/v1/ask", json={"question": "metformin?"})
    text = v1.get("/metrics").text
    assert 'medkg_http_request_seconds_count{method="GET",route="/v1/graph/entity/{node_id:path}",status="200"} 1.0' \
        in text
    assert 'medkg_http_errors_total{route="/v1/graph/entity/{node_id:path}",status="404"} 1.0' in text
    assert 'medkg_generation_seconds_count{kind="ask"} 1.0' in text
    assert "medkg_generation_queue_depth 0.0" in text
    assert "DOID:0" not in text

"""Keys, roles, patient scope, rate limit, limits and the audit log (issue 21, security and data protection)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import ApiLimits
from api.security import KeyStore
from kg.embedded import EmbeddedGraphStore
from medkg.settings import Settings
from medkg.types import Node, Relationship
from tests.unit.api.conftest import Fakes

PSEUDO = "ab12" * 16
OTHER = "cd34" * 16


@pytest.fixture
def keyed(settings: Settings, fakes: Fakes) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store = EmbeddedGraphStore(settings.store_dir / "graph.sqlite3")
    try:
        store.upsert_nodes([Node(id=f"medkg:patient:{PSEUDO}", label="Patient", name="Patient ab12ab12",
                                 sources=("synthea",)),
                            Node(id="medkg:encounter:ee11", label="Encounter", name="Encounter 1",
                                 sources=("synthea",))])
        store.upsert_relationships([Relationship(type="HAS_ENCOUNTER", start=f"medkg:patient:{PSEUDO}",
                                                 end="medkg:encounter:ee11", source="synthea")])
    finally:
        store.close()
    keys = KeyStore(settings.home / "keys" / "api_keys.json")
    tokens = {role: keys.create(role, f"test {role}")[1] for role in ("reader", "clinician", "admin")}
    limits = ApiLimits(key_rate=1000, key_burst=1000)
    with TestClient(create_app(settings, limits=limits, **fakes.kwargs())) as c:  # type: ignore[arg-type]
        yield c, {role: f"Bearer {t}" for role, t in tokens.items()}


def test_keys_are_stored_hashed(settings: Settings) -> None:
    keys = KeyStore(settings.home / "keys" / "api_keys.json")
    rec, token = keys.create("reader", "x")
    raw = keys.path.read_text()
    assert token.split("_", 2)[2] not in raw and rec.sha256 in raw
    assert oct(keys.path.stat().st_mode & 0o777) == "0o600"
    assert keys.verify(token) is not None and keys.verify(token + "x") is None
    keys.revoke(rec.id)
    assert keys.verify(token) is None


def test_anonymous_reader_until_a_key_exists(v1: TestClient, settings: Settings) -> None:
    assert v1.post("/v1/search", json={"query": "metformin"}).status_code == 200
    assert v1.get(f"/v1/patients/{PSEUDO}").status_code == 403  # anonymous is a reader
    KeyStore(settings.home / "keys" / "api_keys.json").create("reader")  # a running server sees it
    r = v1.post("/v1/search", json={"query": "metformin"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert v1.get("/healthz").status_code == 200 and v1.get("/metrics").status_code == 200


def test_roles(keyed: tuple[TestClient, dict[str, str]]) -> None:
    c, auth = keyed
    assert c.post("/v1/search", json={"query": "x"}, headers={"Authorization": "Bearer mk_nope_nope"}).status_code \
        == 401
    for role in ("reader", "clinician", "admin"):
        assert c.post("/v1/ask", json={"question": "metformin?"}, headers={"Authorization": auth[role]}).status_code \
            == 200
    assert c.post("/v1/ingest", json={"parts": ["kg"]}, headers={"Authorization": auth["clinician"]}).status_code \
        == 403
    unknown = c.post("/v1/ingest", json={"parts": ["nope"]}, headers={"Authorization": auth["admin"]})
    assert unknown.status_code == 422 and "nope" in unknown.json()["detail"]


def test_reader_learns_nothing_about_patients(keyed: tuple[TestClient, dict[str, str]]) -> None:
    c, auth = keyed
    reader = {"Authorization": auth["reader"]}
    existing = c.get(f"/v1/patients/{PSEUDO}", headers=reader)
    missing = c.get(f"/v1/patients/{OTHER}", headers=reader)
    assert existing.status_code == missing.status_code == 403
    assert existing.json() == missing.json()
    for url in (f"/v1/graph/entity/medkg:patient:{PSEUDO}", f"/v1/graph/entity/medkg:patient:{OTHER}"):
        assert c.get(url, headers=reader).status_code == 403
    # a reader never sees record nodes in a lookup either
    assert c.get("/v1/graph/lookup", params={"q": "Patient"}, headers=reader).json()["results"] == []
    consult = c.post("/v1/consult", json={"question": "chest pain", "patient": PSEUDO}, headers=reader)
    assert consult.status_code == 403


def test_clinician_reads_patient_records(keyed: tuple[TestClient, dict[str, str]], fakes: Fakes) -> None:
    c, auth = keyed
    clin = {"Authorization": auth["clinician"]}
    r = c.get(f"/v1/patients/{PSEUDO}", headers=clin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["patient"]["id"] == f"medkg:patient:{PSEUDO}"
    assert [e["id"] for e in body["entries"]] == ["medkg:encounter:ee11"]
    assert c.get(f"/v1/patients/{OTHER}", headers=clin).status_code == 404
    assert c.post("/v1/consult", json={"question": "chest pain", "patient": PSEUDO}, headers=clin).status_code == 200
    assert fakes.consult.calls[-1] == ("chest pain", PSEUDO)


def test_audit_log_has_who_route_status_pseudonym_never_question(
        keyed: tuple[TestClient, dict[str, str]], settings: Settings) -> None:
    c, auth = keyed
    c.get(f"/v1/patients/{PSEUDO}", headers={"Authorization": auth["reader"]})
    c.post("/v1/ask", json={"question": "my secret question about metformin"},
           headers={"Authorization": auth["clinician"]})
    path = settings.home / "audit" / "api.jsonl"
    text = path.read_text()
    lines = [json.loads(x) for x in text.splitlines()]
    refused = next(r for r in lines if r["route"] == "/v1/patients/{pseudonym}")
    assert refused["status"] == 403 and refused["pseudonym"] == PSEUDO and refused["role"] == "reader"
    asked = next(r for r in lines if r["route"] == "/v1/ask")
    assert asked["status"] == 200 and asked["role"] == "clinician" and asked["key"] != "anonymous"
    assert {"ts", "key", "method", "route", "status"} <= set(asked)
    assert "secret question" not in text


def _limited(settings: Settings, fakes: Fakes, **kw: Any) -> TestClient:
    return TestClient(create_app(settings, limits=ApiLimits(**kw), **fakes.kwargs()))  # type: ignore[arg-type]


def test_rate_limit_is_429_with_retry_after(settings: Settings, fakes: Fakes) -> None:
    with _limited(settings, fakes, anonymous_rate=0.5, anonymous_burst=2) as c:
        codes = [c.post("/v1/search", json={"query": "x"}).status_code for _ in range(3)]
        last = c.post("/v1/search", json={"query": "x"})
    assert codes[:2] == [200, 200] and codes[2] == 429
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1


def test_limits_body_question_and_queue(settings: Settings, fakes: Fakes) -> None:
    with _limited(settings, fakes, max_body_bytes=200, max_question_chars=20, generation_slots=1,
                  generation_queue=0, generation_wait_s=0.01) as c:
        big = c.post("/v1/ask", json={"question": "x" * 500})
        assert big.status_code == 413 and "at most 200" in big.json()["detail"]
        long = c.post("/v1/ask", json={"question": "y" * 30})
        assert long.status_code == 422 and "at most 20" in long.json()["detail"]
        services = c.app.state.services  # type: ignore[attr-defined]
        services.queue().enter()  # one generation running, none may wait
        try:
            busy = c.post("/v1/ask", json={"question": "metformin?"})
        finally:
            services.queue().leave()
        assert busy.status_code == 503 and busy.headers["retry-after"] == "10"
        assert c.post("/v1/ask", json={"question": "metformin?"}).status_code == 200

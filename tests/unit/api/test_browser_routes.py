"""``/browser/*`` serves the guide (AsciiDoc and HTML), saved queries and style with CORS, and nothing else."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kg.browser import GUIDE_FILE, browser_dir, browser_files

ORIGIN = {"Origin": "http://localhost:7474"}


def test_guide_adoc_served_with_cors(client: TestClient) -> None:
    r = client.get("/browser/medkg-guide.adoc", headers=ORIGIN)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == (browser_dir() / GUIDE_FILE).read_text(encoding="utf-8")


def test_guide_html_rendered(client: TestClient) -> None:
    r = client.get("/browser/medkg-guide.html", headers=ORIGIN)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.text.count("<slide ") >= 6


def test_every_browser_file_is_served(client: TestClient) -> None:
    names = set(browser_files())
    assert {"medkg.grass", "disease_overview.cypher", GUIDE_FILE} <= names
    for name, path in browser_files().items():
        r = client.get(f"/browser/{name}")
        assert r.status_code == 200, name
        assert r.text == path.read_text(encoding="utf-8")


def test_preflight_allows_browser_headers(client: TestClient) -> None:
    r = client.options(
        "/browser/medkg-guide.html",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control",
        },
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "GET" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-headers"] == "*"


def test_graph_endpoints_do_not_send_cors(client: TestClient) -> None:
    r = client.get("/graph/stats", headers=ORIGIN)
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers


def test_unknown_or_unsafe_names_are_rejected(client: TestClient) -> None:
    r = client.get("/browser/nope.cypher")
    assert r.status_code == 404
    assert "medkg-guide.adoc" in r.json()["message"]
    assert client.get("/browser/__init__.py").status_code == 404
    assert client.get("/browser/..%2Fschema.py").status_code in (404, 422)
    assert client.get("/browser/../schema.py").status_code == 404


def test_index_lists_files_and_commands(client: TestClient) -> None:
    body = client.get("/browser/").json()
    assert body["play_command"] == ":guide http://testserver/browser/medkg-guide.html"
    assert body["style_command"] == ":style http://testserver/browser/medkg.grass"
    assert "medkg-guide.html" in body["files"]
    assert "trauma_hospitals_near.cypher" in body["files"]

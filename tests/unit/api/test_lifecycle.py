"""App lifecycle: the store opens in the lifespan (never at import/creation), closes on shutdown, and an
unreachable store gives 503 with the reason, recovering by itself once the store can be opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from kg import GraphStore, open_store
from medkg.errors import StoreUnavailableError
from medkg.settings import Settings


class _Recorder:
    """Wraps the real factory and records what the app does with the store it gets."""

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0

    def __call__(self, settings: Settings) -> GraphStore:
        self.opened += 1
        store = open_store(settings)
        real_close = store.close

        def close() -> None:
            self.closed += 1
            real_close()

        store.close = close  # type: ignore[method-assign]
        return store


def test_importing_api_opens_nothing() -> None:
    """Importing the app module loads no store implementation and no heavy library."""
    code = (
        "import sys, api, api.app; "
        "bad = [m for m in ('kg.embedded', 'kg.neo4j', 'neo4j', 'torch', 'faiss', 'uvicorn') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


def test_store_opened_by_lifespan_and_closed_on_shutdown(settings: Settings) -> None:
    rec = _Recorder()
    app = create_app(settings, store_factory=rec)
    assert rec.opened == 0  # creating the app does no I/O
    with TestClient(app) as c:
        assert rec.opened == 1
        assert c.get("/health").status_code == 200
        assert c.get("/graph/stats").status_code == 200
        assert rec.opened == 1  # one store for the app's lifetime
        assert rec.closed == 0
    assert rec.closed == 1


def _dead_settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    home.mkdir()
    (home / "store").write_text("not a folder")  # the store folder cannot be created: the store is unreachable
    return Settings(home=home, store="embedded", _env_file=None)


def test_dead_store_is_503_with_reason(tmp_path: Path) -> None:
    s = _dead_settings(tmp_path)
    with TestClient(create_app(s)) as c:  # the app starts anyway
        for url in ("/health", "/graph/stats", "/graph/nodes/DOID:9352", "/graph/search?q=diabetes"):
            r = c.get(url)
            assert r.status_code == 503, url
            body = r.json()
            assert body["error"] == "StoreUnavailableError"
            assert body["status"] == 503
            assert "graph store" in body["message"]
            assert r.headers["retry-after"] == "5"
        # static Browser files do not need the store
        assert c.get("/browser/medkg-guide.adoc").status_code == 200


def test_dead_neo4j_is_503_naming_the_server(tmp_path: Path) -> None:
    """MEDKG_STORE=neo4j with nothing listening: the real Neo4j adapter's error reaches the client as a 503."""
    s = Settings(home=tmp_path, store="neo4j", neo4j_uri="bolt://127.0.0.1:1", neo4j_password="not-used-pw",
                 _env_file=None)
    with TestClient(create_app(s)) as c:
        r = c.get("/health")
        assert r.status_code == 503
        assert r.json()["error"] == "StoreUnavailableError"
        assert "bolt://127.0.0.1:1" in r.json()["message"]


def test_store_recovers_once_reachable(tmp_path: Path) -> None:
    s = _dead_settings(tmp_path)
    with TestClient(create_app(s, store_retry_interval=0.0)) as c:
        assert c.get("/health").status_code == 503
        (s.home / "store").unlink()
        r = c.get("/health")
        assert r.status_code == 200
        assert r.json()["nodes"] == 0


def test_failed_open_is_not_retried_on_every_request(tmp_path: Path) -> None:
    """While the store is down, requests within the retry interval fail fast instead of each reconnecting."""
    attempts: list[int] = []

    def factory(s: Settings) -> GraphStore:
        attempts.append(1)
        raise StoreUnavailableError("Neo4j at bolt://neo4j:7687: cannot reach the server")

    s = Settings(home=tmp_path, store="embedded", _env_file=None)
    with TestClient(create_app(s, store_factory=factory, store_retry_interval=3600.0)) as c:
        for _ in range(3):
            r = c.get("/health")
            assert r.status_code == 503
            assert "cannot reach the server" in r.json()["message"]
        assert "next connection attempt in" in r.json()["message"]
    assert len(attempts) == 1  # the start-up attempt only


def test_store_failing_mid_request_is_503(settings: Settings) -> None:
    class Dying:
        def __init__(self, inner: GraphStore) -> None:
            self.inner = inner

        def counts(self) -> object:
            raise StoreUnavailableError("bolt://neo4j:7687 is not answering (connection refused)")

        def close(self) -> None:
            self.inner.close()

    with TestClient(create_app(settings, store_factory=lambda s: Dying(open_store(s)))) as c:  # type: ignore[arg-type,return-value]
        r = c.get("/graph/stats")
        assert r.status_code == 503
        assert "not answering" in r.json()["message"]


def test_other_medkg_errors_are_500_without_traceback(settings: Settings) -> None:
    from medkg.errors import StoreError

    class Broken:
        def counts(self) -> object:
            raise StoreError("write rolled back: disk I/O error")

        def close(self) -> None:
            pass

    with TestClient(create_app(settings, store_factory=lambda s: Broken())) as c:  # type: ignore[arg-type,return-value]
        r = c.get("/health")
        assert r.status_code == 500
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert {k: body[k] for k in ("error", "message", "status", "detail")} == {
            "error": "StoreError", "message": "write rolled back: disk I/O error", "status": 500,
            "detail": "write rolled back: disk I/O error"}

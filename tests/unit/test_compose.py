"""docker-compose.yml, Dockerfile and .env.example, checked for structure with PyYAML (Docker is not available
to the tests): services, images, ports, volumes, healthcheck, env file, start order, the gpu profile, and the
Browser settings that let Neo4j Browser play the guide the API serves."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.browser import GUIDE_HTML, STYLE_FILE, browser_files

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _services(compose: dict[str, Any]) -> dict[str, Any]:
    services = compose["services"]
    assert isinstance(services, dict)
    return services


def _container_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(p).rsplit(":", 1)[-1].split("/")[0]) for p in service.get("ports", [])}


def _host_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(p).split(":")[0]) for p in service.get("ports", [])}


def _dockerfile() -> list[str]:
    """Dockerfile instructions with continuation lines joined and comments dropped."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    return [ins.strip() for ins in re.sub(r"\\\n", " ", "\n".join(lines)).splitlines() if ins.strip()]


def test_services_and_images(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert {"neo4j", "api", "api-gpu"} <= set(services)
    assert services["neo4j"]["image"] == "neo4j:5"
    for name in ("api", "api-gpu"):
        assert services[name]["build"]["dockerfile"] == "Dockerfile"
        assert services[name]["build"]["context"] == "."


def test_ports(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert _container_ports(services["neo4j"]) == {7474, 7687}
    assert _host_ports(services["neo4j"]) == {7474, 7687}
    assert _container_ports(services["api"]) == {8000}
    assert _host_ports(services["api"]) == {8000}
    assert _host_ports(services["api-gpu"]).isdisjoint(_host_ports(services["api"]))


def test_named_volumes(compose: dict[str, Any]) -> None:
    services = _services(compose)
    declared = set(compose["volumes"])
    neo4j_mounts = dict(str(v).split(":", 1) for v in services["neo4j"]["volumes"])
    assert neo4j_mounts["neo4j-data"] == "/data"
    api_mounts = dict(str(v).split(":", 1) for v in services["api"]["volumes"])
    assert api_mounts["medkg-home"] == services["api"]["environment"]["MEDKG_HOME"]
    assert set(neo4j_mounts) | set(api_mounts) <= declared


def test_neo4j_auth_from_env_file_and_healthcheck(compose: dict[str, Any]) -> None:
    neo4j = _services(compose)["neo4j"]
    auth = neo4j["environment"]["NEO4J_AUTH"]
    assert auth.startswith("neo4j/${NEO4J_PASSWORD:?")  # required: compose refuses to start without .env's value
    assert "env_file" not in neo4j  # the image would turn NEO4J_PASSWORD into a neo4j.conf line
    hc = neo4j["healthcheck"]
    test = " ".join(hc["test"]) if isinstance(hc["test"], list) else hc["test"]
    assert "cypher-shell" in test and "RETURN 1" in test
    assert "$${NEO4J_AUTH#neo4j/}" in test  # the container's own variable, escaped from compose substitution
    for key in ("interval", "timeout", "retries", "start_period"):
        assert key in hc


def test_env_example_documents_the_password() -> None:
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    values = dict(
        ln.split("=", 1) for ln in example.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    )
    assert len(values["NEO4J_PASSWORD"]) >= 8  # Neo4j 5 refuses shorter passwords
    assert "cp .env.example .env" in example
    gitignore = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in gitignore


def test_browser_settings_allow_the_guide(compose: dict[str, Any]) -> None:
    env = _services(compose)["neo4j"]["environment"]
    allowed = {h.strip() for h in env["NEO4J_browser_remote__content__hostname__whitelist"].split(",")}
    cmd = env["NEO4J_browser_post__connect__cmd"]
    urls = re.findall(r"https?://[^\s;]+", cmd)
    assert {u.rsplit("/", 1)[-1] for u in urls} == {GUIDE_HTML, STYLE_FILE}
    for url in urls:
        host = url.split("/")[2].split(":")[0]
        assert host in allowed
        assert url.startswith("http://localhost:8000/browser/")  # served by the api service's published port
    assert STYLE_FILE in browser_files()
    assert re.match(r"^(style|guide|play) ", cmd.strip())  # Browser commands, written without the colon


def test_api_environment_and_start_order(compose: dict[str, Any]) -> None:
    services = _services(compose)
    for name in ("api", "api-gpu"):
        svc = services[name]
        env = svc["environment"]
        assert env["MEDKG_STORE"] == "neo4j"
        assert env["MEDKG_NEO4J_URI"] == "bolt://neo4j:7687"
        assert env["MEDKG_NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD")
        assert svc["depends_on"]["neo4j"]["condition"] == "service_healthy"
        assert any("/readyz" in str(part) for part in svc["healthcheck"]["test"])
        env_files = svc["env_file"]
        assert any((e["path"] if isinstance(e, dict) else e) == ".env" for e in env_files)


def test_gpu_profile(compose: dict[str, Any]) -> None:
    services = _services(compose)
    gpu = services["api-gpu"]
    assert gpu["profiles"] == ["gpu"]
    assert "gpu" in gpu["build"]["args"]["EXTRAS"].split(",")
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia"
    assert "gpu" in devices[0]["capabilities"]
    assert gpu["environment"]["MEDKG_DEVICE"] == "cuda"
    assert "profiles" not in services["api"] and "profiles" not in services["neo4j"]
    assert "gpu" not in services["api"]["build"]["args"]["EXTRAS"].split(",")


def test_dockerfile_base_torch_extras_and_cmd() -> None:
    ins = _dockerfile()
    froms = [i for i in ins if i.startswith("FROM ")]
    assert froms == ["FROM python:3.11-slim AS build", "FROM python:3.11-slim AS runtime"]  # multi-stage
    runtime = ins[ins.index(froms[1]):]
    assert any(i.startswith("COPY --from=build /opt/medkg") for i in runtime)
    assert not any("pip install" in i for i in runtime)  # nothing is built in the runtime stage
    args = {i.split()[1].split("=")[0]: i.split("=", 1)[1] for i in ins if i.startswith("ARG ") and "=" in i}
    assert args["TORCH_VERSION"] == "2.13.0"
    assert args["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    assert set(args["EXTRAS"].split(",")) == {"api", "ml", "solver"}
    runs = [i for i in ins if i.startswith("RUN ")]
    torch_at = next(k for k, r in enumerate(runs) if 'torch==${TORCH_VERSION}' in r)
    extras_at = next(k for k, r in enumerate(runs) if "pip install" in r and '".[${EXTRAS}]"' in r)
    assert torch_at < extras_at  # CPU torch first, so the ml extra does not pull the CUDA build
    cmd = next(i for i in ins if i.startswith("CMD "))
    assert json.loads(cmd[4:]) == [
        "uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--no-access-log",
    ]  # uvicorn's access log prints query strings (issue 18 item 17)
    health = next(i for i in ins if i.startswith("HEALTHCHECK "))
    assert "/readyz" in health
    assert any(i.startswith("EXPOSE 8000") for i in ins)
    assert any(i.startswith("USER ") and "root" not in i for i in runtime)
    copied = {shlex.split(i)[1] for i in ins if i.startswith("COPY ") and "--from" not in i}
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.findall(r'"(\w+)\*"', pyproject.split("[tool.setuptools.packages.find]")[1].split("\n\n")[0])
    assert "api" in packages and "kg" in packages
    for pkg in packages:
        assert pkg in copied, f"package {pkg} is not copied into the image"


def test_dockerignore_keeps_secrets_and_venv_out() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {".env", ".venv", ".git"} <= set(ignored)
    assert "!.env.example" in ignored

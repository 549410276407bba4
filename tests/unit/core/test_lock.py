"""constraints.txt (the lock from scripts/lock.sh) pins every dependency pyproject.toml declares, so a fresh install
from it cannot pick up an untested release of one (a dependency added without re-running the lock fails here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[_canonical(name)] = version.split(";")[0].strip()
    return pins


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra, deps in project["optional-dependencies"].items():
        if extra != "gpu":  # CUDA FAISS replaces faiss-cpu where CUDA is present; the lock is CI's CPU machine
            reqs += deps
    names = {_canonical(m.group(1)) for r in reqs if (m := _NAME.match(r))}
    return names - {_canonical(project["name"])}


def test_every_declared_dependency_is_pinned() -> None:
    """Each runtime and extra dependency (the gpu extra aside) has an exact pin in constraints.txt."""
    missing = sorted(_declared() - set(_pins()))
    assert not missing, f"not in constraints.txt (run `bash scripts/lock.sh`): {', '.join(missing)}"


def test_torch_pin_is_the_one_installed_first() -> None:
    """install.sh installs torch==2.13.0 first; the lock agrees and carries no local build label (+cpu)."""
    assert _pins()["torch"] == "2.13.0"
    assert "torch==2.13.0" in (REPO / "scripts" / "install.sh").read_text(encoding="utf-8")

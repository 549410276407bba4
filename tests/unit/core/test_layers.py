"""The house rules import-linter cannot express, checked on the source with ``ast`` (no imports run).

- One way in per package: a module of one top-level package imports another top-level package only through a
  package's ``__init__`` (``from kg import GraphStore``, ``from kg.embedded import EmbeddedGraphStore``), never a
  plain module inside it (``from kg.store import GraphStore``), and only names that ``__init__`` lists in
  ``__all__``. The kernel ``medkg`` is the exception: its modules (``medkg.errors``, ``medkg.settings``,
  ``medkg.types``, ...) are each a public kernel module.
- Every top-level package is under the import-linter contracts in pyproject.toml (``lint-imports`` in CI checks
  the layer direction and that sibling modules have no import cycles), so a new package cannot escape them.

The packages are discovered from the tree, so the rules cover packages added later.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
KERNEL = "medkg"  # its modules are public one by one (see the module docstring)
NOT_LAYERS = {"tests"}


def top_packages() -> list[str]:
    """The repository's top-level import packages (folders with an ``__init__.py``), tests excepted."""
    return sorted(p.name for p in REPO.iterdir() if (p / "__init__.py").is_file() and p.name not in NOT_LAYERS)


def _path(module: str) -> Path:
    return REPO.joinpath(*module.split("."))


def _is_package(module: str) -> bool:
    return (_path(module) / "__init__.py").is_file()


def _is_module(module: str) -> bool:
    return _path(module).with_suffix(".py").is_file()


@cache
def exported(package: str) -> frozenset[str] | None:
    """The names in ``package``'s ``__init__`` ``__all__`` (a literal list or tuple), or None without one."""
    tree = ast.parse((_path(package) / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
            value = ast.literal_eval(node.value)
            return frozenset(value)
    return None


@dataclass(frozen=True)
class Violation:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _check_from(importer_top: str, module: str, names: list[str], where: str) -> list[Violation]:
    top = module.split(".", maxsplit=1)[0]
    if top in (importer_top, KERNEL) or top not in TOPS:
        return []
    if _is_module(module) and not _is_package(module):
        return [Violation(where, f"imports the module {module}; import it from its package's __init__ instead")]
    if not _is_package(module):
        return []  # not ours (or does not exist): import-linter and mypy report that
    out: list[Violation] = []
    public = exported(module)
    for name in names:
        sub = f"{module}.{name}"
        if _is_package(sub):
            continue
        if _is_module(sub):
            out.append(Violation(where, f"imports the module {sub}; import its names from {module}'s __init__"))
        elif name == "*":
            out.append(Violation(where, f"star import from {module}"))
        elif public is None:
            out.append(Violation(where, f"{module}/__init__.py has no literal __all__ naming {name}"))
        elif name not in public:
            out.append(Violation(where, f"{name} is not in {module}.__all__"))
    return out


def violations(py: Path) -> list[Violation]:
    """The cross-package imports of one source file that bypass a package's ``__init__``."""
    rel = py.relative_to(REPO)
    importer_top = rel.parts[0]
    out: list[Violation] = []
    for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"), filename=str(rel))):
        where = f"{rel}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += _check_from(importer_top, node.module, [a.name for a in node.names], where)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".", maxsplit=1)[0]
                if top not in (importer_top, KERNEL) and top in TOPS and not _is_package(alias.name):
                    out.append(Violation(where, f"imports the module {alias.name}; import its package instead"))
    return out


TOPS = top_packages()


def test_the_layer_packages_are_found() -> None:
    """The discovery sees the packages of DESIGN.md's rooms (guards against a test that checks nothing)."""
    assert {"api", "cli", "ingest", "kg", "medkg", "reasoning", "retrieval"} <= set(TOPS)


@pytest.mark.parametrize("package", TOPS)
def test_imports_go_through_package_inits(package: str) -> None:
    """No module of ``package`` imports a plain module of another package, or a name its ``__all__`` lacks."""
    found = [v for py in sorted((REPO / package).rglob("*.py")) for v in violations(py)]
    assert not found, "imports that bypass a package's __init__:\n" + "\n".join(map(str, found))


def test_the_checker_catches_a_deep_import(tmp_path: Path) -> None:
    """A deep import (``from kg.embedded.store import ...`` in api/) and a name outside ``__all__`` are reported."""
    assert _check_from("api", "kg.embedded.store", ["EmbeddedGraphStore"], "x")
    assert _check_from("api", "kg", ["store"], "x")  # a plain module named in the import list
    assert _check_from("api", "kg", ["no_such_public_name"], "x")
    assert not _check_from("api", "kg", ["GraphStore"], "x")
    assert not _check_from("api", "kg.embedded", ["EmbeddedGraphStore"], "x")
    assert not _check_from("kg", "kg.embedded.store", ["EmbeddedGraphStore"], "x")  # inside its own package
    assert not _check_from("api", "medkg.errors", ["MedkgError"], "x")  # the kernel's modules are public


@cache
def _importlinter() -> dict[str, object]:
    config: dict[str, object] = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]
    return config


def test_every_package_is_under_the_import_contracts() -> None:
    """Each top-level package is a root package of import-linter, in exactly one layer, and checked for cycles."""
    config = _importlinter()
    assert set(TOPS) <= set(config["root_packages"])  # type: ignore[call-overload]
    contracts = config["contracts"]
    assert isinstance(contracts, list)
    layers = next(c for c in contracts if c["type"] == "layers")
    in_layers = [p.strip() for layer in layers["layers"] for p in layer.replace(":", "|").split("|")]
    assert sorted(in_layers) == sorted(set(in_layers)) and set(TOPS) <= set(in_layers)
    acyclic = next(c for c in contracts if c["type"] == "acyclic_siblings")
    assert set(TOPS) <= set(acyclic["ancestors"])

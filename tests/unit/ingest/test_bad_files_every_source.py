"""Issue 18, "checks that keep it so": for EVERY source, an empty, a truncated and a wrongly encoded file leaves the
store's counts, a name search and the passage index as they were (refused with a DataFileError naming the file,
or, for a truncated table, the cut row rejected and the rest merged with what is stored).

The data dir is the bundled sample cut to a few rows per file, tiny BioASQ/MedQuAD files, and one OR-PAS instance
from ../shared/data when the sample has none (under CI=true its absence fails the test instead of skipping it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from ingest import LiteratureSetup, run_ingest
from ingest.literature import default_sources
from ingest.sources import PARTS
from kg.embedded import EmbeddedGraphStore
from medkg.data import SAMPLE_DIR
from medkg.errors import DataFileError
from medkg.settings import Settings
from tests.unit.literature.fakes import FakeIndexer
from tests.unit.literature.helpers import write_data_dir

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
ROWS = 12


def _cut(path: Path) -> None:
    if path.suffix in (".csv", ".tsv", ".jsonl", ".txt"):
        lines = path.read_bytes().split(b"\n")
        path.write_bytes(b"\n".join(lines[: ROWS + 1]) + b"\n")


def _data_dir(root: Path) -> Path:
    data = root / "data"
    shutil.copytree(SAMPLE_DIR, data)
    for p in data.rglob("*"):
        if p.is_file():
            _cut(p)
    lit = write_data_dir(root / "lit")
    for rel in ("literature/bioasq_snippets.jsonl", "literature/medquad.jsonl"):
        if not (data / rel).exists():
            shutil.copy(lit / rel, data / rel)
    if not (data / "resources" / "or_pas").is_dir():
        xmls = sorted((SHARED / "resources" / "or_pas").glob("*.xml"), key=lambda p: p.stat().st_size)
        if not xmls:
            if os.environ.get("CI") == "true":
                pytest.fail(f"no OR-PAS instance in the sample or in {SHARED}")
            pytest.skip("no OR-PAS instance to test with (not in the sample, no ../shared/data)")
        (data / "resources" / "or_pas").mkdir(parents=True)
        shutil.copy(xmls[0], data / "resources" / "or_pas" / xmls[0].name)
    return data


def _files(data: Path) -> list[tuple[str, str, Path]]:
    """(part, source, file) for every source the data dir carries: its first table (a term list with one name a
    line, cut mid-name, cannot be told from a shorter list), else its first file."""
    out = []
    for part, factories in PARTS.items():
        for factory in factories:
            reader = factory()
            files = [f for f in reader.files(data) if f.is_file()]
            if files:
                out.append((part, reader.source, next((f for f in files if f.suffix != ".txt"), files[0])))
    out += [("literature", s.name, s.path) for s in default_sources(data) if s.path.is_file()]
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("every-source")
    data = _data_dir(root)
    store = EmbeddedGraphStore(root / "graph.sqlite3")
    idx = FakeIndexer()
    try:
        store.ensure_schema()
        run_ingest(store, data, ["all"], settings=Settings(home=root / "home"), literature=LiteratureSetup(indexer=idx))
    finally:
        store.close()
    return data, root, dict(idx.records)


def _state(store: EmbeddedGraphStore, idx: FakeIndexer) -> tuple[object, ...]:
    found = sorted(n.id for q in ("diabetes", "fever", "糖尿病") for n in store.find_nodes(q, limit=50))
    return store.counts().model_dump(), found, sorted(idx.passage_ids()), sorted(store.node_ids(label="Passage"))


def _broken(original: bytes, how: str) -> bytes:
    if how == "empty":
        return b""
    if how == "truncated":
        return original[: int(len(original) * 0.6)]
    first = original.find(b"\n") + 1  # wrong encoding: a Latin-1 byte on the second line
    return original[:first] + b"caf\xe9 " + original[first:]


@pytest.mark.parametrize("how", ["empty", "truncated", "wrong-encoding"])
def test_a_bad_file_of_any_source_changes_nothing(base: tuple[Path, Path, dict[str, Any]], tmp_path: Path,
                                                  how: str) -> None:
    data_src, root, records = base
    db_src = root / "graph.sqlite3"
    data = tmp_path / "data"
    shutil.copytree(data_src, data)
    shutil.copytree(root / "home", tmp_path / "home")  # the same de-identification key as the first ingest
    files = _files(data)
    assert {s for _, s, _ in files} >= {"hetionet", "synthea", "hifld", "orpas", "pubmed", "bioasq", "medquad",
                                        "zhdlg"}
    problems = []
    for part, source, path in files:
        db = tmp_path / f"{source}.sqlite3"
        shutil.copy(db_src, db)
        store = EmbeddedGraphStore(db)
        idx = FakeIndexer()
        idx.records = dict(records)
        try:
            before = _state(store, idx)
            original = path.read_bytes()
            path.write_bytes(_broken(original, how))
            try:
                run_ingest(store, data, [part], settings=Settings(home=tmp_path / "home"),
                           literature=LiteratureSetup(indexer=idx))
            except DataFileError as e:
                if str(path) not in str(e):
                    problems.append(f"{source} {how}: the error does not name {path}: {e}")
            else:
                if how != "truncated":
                    problems.append(f"{source} {how}: accepted")
            finally:
                path.write_bytes(original)
            if _state(store, idx) != before:
                problems.append(f"{source} {how}: the store or the index changed")
        finally:
            store.close()
    assert not problems, "\n".join(problems)

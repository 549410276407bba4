"""Bad input: each kind of broken file gives a clear DataFileError/RowError, and nothing already stored is lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest import run_ingest
from ingest.pipeline import IngestOptions, ingest_source
from ingest.readers.base import Item, ReadContext
from ingest.readers.hetionet import HetionetReader
from ingest.readers.hsdn import HsdnReader
from medkg.errors import DataFileError, RowError
from medkg.settings import Settings
from medkg.types import Node, Relationship
from tests.unit.ingest.helpers import HETIONET_HEADER, write
from tests.unit.ingest.memstore import MemStore

NODES = "kg/hetionet/hetionet-v1.0-nodes.tsv"
GOOD = HETIONET_HEADER + "Disease::DOID:1\tfirst disease\tDisease\nDisease::DOID:2\tsecond disease\tDisease\n"


def _seeded() -> MemStore:
    st = MemStore()
    st.upsert_nodes([Node(id="DOID:9", label="Disease", name="kept", sources=("hetionet",), props={"x": 1})])
    return st


def test_missing_file_names_expected_path(tmp_path: Path) -> None:
    """A source folder without its file: DataFileError naming the full expected path."""
    (tmp_path / "kg/hetionet").mkdir(parents=True)
    with pytest.raises(DataFileError) as e:
        ingest_source(MemStore(), HetionetReader(), tmp_path, IngestOptions())
    assert str(tmp_path / NODES) in str(e.value)


def test_absent_source_is_skipped_but_a_part_with_none_fails(tmp_path: Path) -> None:
    """A data dir without any kg source is an error naming what was expected; one absent source is skipped."""
    with pytest.raises(DataFileError, match="kg/hetionet"):
        run_ingest(MemStore(), tmp_path, ["kg"], settings=Settings(home=tmp_path / "home"))
    report = ingest_source(MemStore(), HsdnReader(), tmp_path, IngestOptions())
    assert "skipped" in report.notes


def test_malformed_row_rejected_with_file_and_line(tmp_path: Path) -> None:
    """Default: a malformed row becomes a reject with its file and 1-based line; the good rows are written."""
    write(tmp_path, NODES, GOOD + "Disease::DOID:3\tonly two fields\n" + "Disease::DOID:4\tfourth\tDisease\n")
    st = _seeded()
    report = ingest_source(st, HetionetReader(), tmp_path, IngestOptions())
    assert [(r.file, r.line) for r in report.rejected] == [(str(tmp_path / NODES), 4)]
    assert {"DOID:1", "DOID:2", "DOID:4", "DOID:9"} == set(st.nodes)


def test_strict_aborts_before_writing_anything(tmp_path: Path) -> None:
    """--strict: the first bad row raises RowError(file, line); none of the source is written; old data stays."""
    write(tmp_path, NODES, GOOD + "Disease::DOID:3\tbad kind\tNotAKind\n")
    st = _seeded()
    with pytest.raises(RowError) as e:
        ingest_source(st, HetionetReader(), tmp_path, IngestOptions(strict=True))
    assert e.value.line == 4
    assert e.value.path == tmp_path / NODES
    assert set(st.nodes) == {"DOID:9"}
    assert st.nodes["DOID:9"].props == {"x": 1}


class _DanglingReader:
    """Emits one node and a relationship to a node that exists nowhere."""

    source = "hsdn"
    root: Path | None = None

    def files(self, data_dir: Path) -> list[Path]:
        return []

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        ctx.at(data_dir / "f.tsv", 7)
        yield Node(id="DOID:1", label="Disease", name="one", sources=("hsdn",))
        yield Relationship(type="HAS_SYMPTOM", start="DOID:1", end="MESH:D404", source="hsdn")


def test_missing_endpoint_rejected_or_strict_abort(tmp_path: Path) -> None:
    """A relationship to an id in neither the batch nor the store: reject (file, line); strict: RowError, no write."""
    st = _seeded()
    with pytest.raises(RowError, match="MESH:D404") as e:
        ingest_source(st, _DanglingReader(), tmp_path, IngestOptions(strict=True))
    assert e.value.line == 7
    assert set(st.nodes) == {"DOID:9"}
    report = ingest_source(st, _DanglingReader(), tmp_path, IngestOptions())
    assert [(r.line, "MESH:D404" in r.reason) for r in report.rejected] == [(7, True)]
    assert "DOID:1" in st.nodes and not st.rels


@pytest.mark.parametrize(
    ("payload", "encoding", "message"),
    [
        ("id\tname\tkind\nDisease::DOID:1\tMénière disease\tDisease\n", "latin-1", "UTF-8"),
        ("id\tname\tkind\nDisease::DOID:1\tx\tDisease\n", "utf-16", "UTF-16"),
        ("", "utf-8", "empty"),
        ("\n\n", "utf-8", "empty"),
        ("ident\tname\tkind\nDisease::DOID:1\tx\tDisease\n", "utf-8", "missing column"),
    ],
    ids=["latin-1", "utf-16", "empty", "blank", "wrong-columns"],
)
def test_broken_files_are_clear_data_file_errors(tmp_path: Path, payload: str, encoding: str, message: str) -> None:
    """Wrong encoding, empty file and unknown/missing columns each raise DataFileError naming the file."""
    write(tmp_path, NODES, payload, encoding=encoding)
    st = _seeded()
    with pytest.raises(DataFileError, match=message) as e:
        ingest_source(st, HetionetReader(), tmp_path, IngestOptions())
    assert str(tmp_path / NODES) in str(e.value)
    assert set(st.nodes) == {"DOID:9"}


def test_duplicate_ids_rejected_naming_first_line(tmp_path: Path) -> None:
    """A node id defined twice in one file: the second row is a reject naming the first line."""
    write(tmp_path, NODES, GOOD + "Disease::DOID:1\tagain\tDisease\n")
    st = MemStore()
    report = ingest_source(st, HetionetReader(), tmp_path, IngestOptions())
    assert len(report.rejected) == 1
    assert report.rejected[0].line == 4
    assert "first defined on line 2" in report.rejected[0].reason
    assert st.nodes["DOID:1"].name == "first disease"
    with pytest.raises(RowError, match="duplicate id"):
        ingest_source(MemStore(), HetionetReader(), tmp_path, IngestOptions(strict=True))


def test_rejects_report_file(tmp_path: Path) -> None:
    """run_ingest writes every reject as a JSON line under <home>/reports/ingest-rejects.jsonl."""
    import json

    from ingest import rejects_path

    data = tmp_path / "data"
    write(data, NODES, GOOD + "broken line without tabs\n")
    settings = Settings(home=tmp_path / "home")
    run_ingest(MemStore(), data, ["kg"], settings=settings)
    lines = rejects_path(settings).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert (rec["source"], rec["line"], rec["file"]) == ("hetionet", 4, str(data / NODES))


def test_non_finite_numbers_are_rejected(tmp_path: Path) -> None:
    """A NaN/inf that would reach a stored property is a reject with file and line, never a stored number."""
    write(tmp_path, "kg/hsdn/symptoms-DO.tsv",
          "symptom_name\tdisease_name\tcooccurs\ttfidf_score\tdisease_id\tsymptom_id\tdoid_code\tdoid_name\n"
          "Cough\tAsthma\t5\tinf\tD001249\tD003371\tDOID:2841\tasthma\n"
          "Fever\tAsthma\t5\tnan\tD001249\tD005334\tDOID:2841\tasthma\n")
    st = MemStore()
    report = ingest_source(st, HsdnReader(), tmp_path, IngestOptions())
    assert sorted(r.line for r in report.rejected) == [2, 3]
    assert not st.rels

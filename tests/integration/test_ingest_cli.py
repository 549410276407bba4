"""``medkg ingest`` end to end on the bundled sample and the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from medkg.data import SAMPLE_DIR
from medkg.errors import MedkgError, RowError
from medkg.settings import get_settings


def test_ingest_kg_records_resources(_private_home: Path) -> None:
    """Prints the per-source summary and where the reject report is; the store has the data afterwards."""
    result = CliRunner().invoke(app, ["ingest", "kg", "records", "resources", "--data", str(SAMPLE_DIR)])
    assert result.exit_code == 0, result.output
    assert "ingest summary" in result.output
    assert "hetionet" in result.output and "synthea" in result.output and "hifld" in result.output
    assert "ingest-rejects.jsonl" in result.output.replace("\n", "")
    assert (get_settings().reports_dir / "ingest-rejects.jsonl").exists()
    stats = CliRunner().invoke(app, ["graph", "stats", "--json"])
    assert stats.exit_code == 0 and '"Patient": 7' in stats.output


def test_strict_names_file_and_line(tmp_path: Path) -> None:
    """--strict aborts on the first malformed row with a RowError naming the file and line."""
    bad = tmp_path / "data" / "kg" / "hetionet"
    bad.mkdir(parents=True)
    (bad / "hetionet-v1.0-nodes.tsv").write_text("id\tname\tkind\nDisease::DOID:1\tx\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", "kg", "--data", str(tmp_path / "data"), "--strict"])
    assert isinstance(result.exception, RowError)
    assert result.exception.line == 2
    assert "hetionet-v1.0-nodes.tsv" in str(result.exception)


def test_unknown_part(tmp_path: Path) -> None:
    """A typo'd part is a clear error."""
    from ingest import run_ingest
    from medkg.settings import Settings
    from tests.unit.ingest.memstore import MemStore

    with pytest.raises(MedkgError, match="unknown ingest part"):
        run_ingest(MemStore(), SAMPLE_DIR, ["kgg"], settings=Settings(home=tmp_path))


def test_all_on_a_data_dir_without_literature_skips_it(tmp_path: Path) -> None:
    """'all' on a data dir without literature folders ingests the rest and reports literature as skipped."""
    import shutil

    from ingest import run_ingest
    from medkg.settings import Settings
    from tests.unit.ingest.memstore import MemStore

    data = tmp_path / "data"
    for sub in ("kg", "records", "resources"):  # the sample minus its literature/dialogue folders
        shutil.copytree(SAMPLE_DIR / sub, data / sub)
    report = run_ingest(MemStore(), data, ["all"], settings=Settings(home=tmp_path))
    by_source = {s.source: s for s in report.sources}
    assert "skipped" in by_source["literature"].notes
    assert by_source["hetionet"].nodes_written > 0


def test_empty_literature_file_is_refused_before_anything_is_written(_private_home: Path, tmp_path: Path) -> None:
    """Old code: exit 0 and the source's stored documents deleted. Now a DataFileError naming the file, with the kg
    part of the same run not written either (every file is checked before the first write)."""
    import shutil

    from medkg.errors import DataFileError

    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR / "kg", data / "kg")
    (data / "literature").mkdir()
    (data / "literature" / "pubmed_abstracts.jsonl").write_bytes(b"")
    result = CliRunner().invoke(app, ["ingest", "kg", "literature", "--data", str(data)])
    assert isinstance(result.exception, DataFileError)
    assert "file is empty" in str(result.exception) and "pubmed_abstracts.jsonl" in str(result.exception)
    stats = CliRunner().invoke(app, ["graph", "stats", "--json"])
    assert '"Disease"' not in stats.output


def test_ingest_help_documents_replace_and_strict() -> None:
    result = CliRunner().invoke(app, ["ingest", "literature", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--replace" in result.output and "--strict" in result.output

"""``medkg search``: --json prints the bundle, --file prints one JSON line per query, errors are one line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from medkg.settings import get_settings
from retrieval.embedder import Embedder


@pytest.fixture()
def home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedders: dict[str, Embedder], built_index: Path
) -> Iterator[Path]:
    monkeypatch.setenv("MEDKG_HOME", str(tmp_path / "home"))
    # the CLI builds its own indexer: hand it the session's models instead of loading them again
    monkeypatch.setattr("retrieval.indexing.load_embedder", lambda lang, cfg: embedders[lang])
    get_settings.cache_clear()
    shutil.copytree(built_index, get_settings().index_dir)
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_search_json(home: Path) -> None:
    res = CliRunner().invoke(app, ["search", "metformin type 2 diabetes", "--k", "2", "--json", "--no-graph"])
    assert res.exit_code == 0, res.output
    bundle = json.loads(res.stdout)
    assert bundle["lang"] == "en" and len(bundle["passages"]) == 2
    assert bundle["passages"][0]["citation_id"].startswith("pmid:1#") and bundle["passages"][0]["pmid"] == "1"


def test_search_human_table(home: Path) -> None:
    res = CliRunner().invoke(app, ["search", "asthma", "--no-graph"])
    assert res.exit_code == 0, res.output
    assert "pmid:2#results" in res.stdout


def test_search_file_jsonl(home: Path, tmp_path: Path) -> None:
    q = tmp_path / "q.jsonl"
    q.write_text(
        "\n".join(
            json.dumps({"question": s, "id": i}, ensure_ascii=False)
            for i, s in enumerate(["asthma in children", "", "高血压饮食", "aspirin platelets"])
        )
        + "\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(app, ["search", "--file", str(q), "--limit", "3", "--k", "1", "--no-graph"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["passages"][0]["citation_id"] == "pmid:2#results"
    assert "EmptyInputError" in lines[1]["error"]
    assert lines[2]["passages"][0]["citation_id"] == "zhdlg:2"

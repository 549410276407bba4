"""Issue 18, item 15: ``medkg search --file`` answers every good line and prints an ``error`` JSON line for each
broken one (not JSON, invalid UTF-8, no question), where the old code stopped at the first broken line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from retrieval import EvidenceBundle, HybridRetriever


class _Retriever:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def search(self, query: str, *, k: int = 10, **_: Any) -> EvidenceBundle:
        self.asked.append(query)
        return EvidenceBundle(query=query, lang="en")

    def close(self) -> None:
        return None


def test_broken_lines_get_an_error_line_and_the_rest_are_answered(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path, _private_home: Path) -> None:
    fake = _Retriever()
    monkeypatch.setattr(HybridRetriever, "from_settings", classmethod(lambda cls, settings, **kw: fake))
    queries = tmp_path / "q.jsonl"
    queries.write_bytes(b'{"question": "fever"}\n'
                        b'{not json\n'
                        b'\n'
                        b'{"question": "\xff\xfe cough"}\n'
                        b'{"q": "no question field"}\n'
                        b'["a list"]\n'
                        b'{"question": "headache"}\n')
    result = CliRunner().invoke(app, ["search", "--file", str(queries), "--no-graph"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert [(d["line"], "error" in d) for d in lines] == [(1, False), (2, True), (4, True), (5, True), (6, True),
                                                          (7, False)]
    assert fake.asked == ["fever", "headache"]
    assert "not JSON" in lines[1]["error"] and "UTF-8" in lines[2]["error"]
    assert "Traceback" not in result.output


def test_limit_counts_answered_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _private_home: Path) -> None:
    fake = _Retriever()
    monkeypatch.setattr(HybridRetriever, "from_settings", classmethod(lambda cls, settings, **kw: fake))
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"question": "a"}\nbad\n{"question": "b"}\n{"question": "c"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["search", "--file", str(queries), "--no-graph", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert fake.asked == ["a", "b"]

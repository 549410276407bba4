"""`medkg ask --file`: one JSON line per question; a bad line or a refused question never stops the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.ask import _run_file
from reasoning import AnswerEngine
from retrieval import EvidenceBundle
from tests.unit.answer.conftest import ScriptedGenerator


class _Retriever:
    def __init__(self, bundle: EvidenceBundle) -> None:
        self.bundle = bundle

    def search(self, query: str, k: int = 10) -> EvidenceBundle:
        return self.bundle


def test_file_mode_answers_each_line_and_reports_bad_ones(tmp_path: Path, bundle: EvidenceBundle,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text('{"question": "Does metformin lower HbA1c?"}\nnot json\n{"q": 1}\n{"question": "   "}\n',
                 encoding="utf-8")
    engine = AnswerEngine(ScriptedGenerator("Decision: yes\nMetformin lowered HbA1c by 1.2% [1]."),
                          _Retriever(bundle))
    _run_file(engine, f, None, None)
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["line"] for x in lines] == [1, 2, 3, 4]
    assert lines[0]["decision"] == "yes" and lines[0]["sentences"][0]["citations"] == ["pmid:1#results"]
    assert "not JSON" in lines[1]["error"] and "question" in lines[2]["error"]
    assert lines[3]["error"].startswith("EmptyInputError")
    assert set(lines[0]) >= {"question", "lang", "text", "sentences", "decision", "refused", "refusal_reason",
                             "dropped", "evidence", "model", "timings_ms", "tokens"}

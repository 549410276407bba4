"""Evaluation readers and runners over scripted generators (the real numbers come from `medkg eval`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medkg.errors import RowError
from reasoning import AnswerEngine
from reasoning.evaluation import YesNoRow, evaluate_mcq, evaluate_yes_no, read_mcq, read_yes_no
from retrieval import EvidenceBundle
from tests.unit.answer.conftest import ScriptedGenerator, passage

FIXTURES = Path(__file__).parent / "fixtures"


def test_yes_no_reader_reads_both_layouts_without_answer_fields(tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text(json.dumps({"pmid": "1", "question": "Is A safe?", "final_decision": "yes", "long_answer": "SECRET"})
                 + "\n" + json.dumps({"id": "x", "question": "Does B work?", "answer": "no"}) + "\n"
                 + json.dumps({"id": "y", "question": "Is C good?"}) + "\n", encoding="utf-8")
    rows = read_yes_no(f)
    assert [(r.key, r.label) for r in rows] == [("1", "yes"), ("x", "no"), ("y", None)]
    assert "SECRET" not in repr(rows)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Is A?", "answer": "perhaps"}\n', encoding="utf-8")
    with pytest.raises(RowError, match="line 1"):
        read_yes_no(bad)


def test_yes_no_runner_scores_decisions() -> None:
    rows = [YesNoRow("1", "Does metformin lower HbA1c?", "yes"), YesNoRow("2", "Does metformin cure gout?", "no")]
    b = EvidenceBundle(query="q", lang="en",
                       passages=[passage("pmid:1#r", "Metformin lowered HbA1c by 1.2% in 300 patients.", 1)])
    engine = AnswerEngine(ScriptedGenerator("Decision: yes\nMetformin lowered HbA1c by 1.2% [1]."))
    rep = evaluate_yes_no(engine, rows, lambda r: b)
    assert rep["n"] == 2 and rep["accuracy"] == 0.5 and rep["per_class"]["yes"]["precision"] == 0.5
    assert rep["confusion"]["no"]["yes"] == 1 and rep["refusals"] == 0


def test_mcq_reader_and_runner_with_and_without_evidence() -> None:
    rows = read_mcq(FIXTURES / "mcq_tiny.jsonl")
    assert [r.answer for r in rows] == ["B", "C", "A"] and rows[0].options["B"] == "Lisinopril"

    class Retriever:
        def search(self, query: str, k: int = 10) -> EvidenceBundle:
            return EvidenceBundle(query=query, lang="en",
                                  passages=[passage("pmid:5#r", "Lisinopril is an ACE inhibitor.", 1)])

    rep = evaluate_mcq(ScriptedGenerator("B"), rows, Retriever())
    assert rep["n"] == 3 and rep["with_evidence"]["accuracy"] == pytest.approx(1 / 3)
    assert rep["without_evidence"]["accuracy"] == pytest.approx(1 / 3) and rep["chance"] == 0.25


def test_mcq_reader_rejects_an_answer_outside_the_options(tmp_path: Path) -> None:
    f = tmp_path / "m.jsonl"
    f.write_text(json.dumps({"question": "Q?", "options": {"A": "x", "B": "y"}, "answer": "E"}) + "\n",
                 encoding="utf-8")
    with pytest.raises(RowError, match="not one of the options"):
        read_mcq(f)

"""MedQuAD passages are headed by their focus and the page section (qtype) the answer was cut from."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.literature import RejectSink, chunk_document, medquad_heading, read_medquad


def test_heading_names_focus_and_readable_section() -> None:
    assert medquad_heading("Glaucoma", "symptoms") == "Glaucoma — symptoms"
    assert medquad_heading("Glaucoma", "exams and tests") == "Glaucoma — exams and tests (diagnosis)"
    assert medquad_heading("Glaucoma", "information") == "Glaucoma — overview"
    assert medquad_heading("X", "a new qtype") == "X — a new qtype"  # unknown qtype: used as it is
    assert medquad_heading(None, "causes") == "causes"
    assert medquad_heading("X", None) == "X"
    assert medquad_heading(" ", "") is None


def test_answers_of_one_focus_differ_by_heading_and_never_contain_the_question(tmp_path: Path) -> None:
    base = {"source": "MPlus", "url": "https://x", "focus": "Glaucoma"}
    rows = [
        {**base, "id": "1", "qtype": "treatment", "question": "What are the treatments for Glaucoma ?",
         "answer": "Eye drops lower the pressure."},
        {**base, "id": "2", "qtype": "outlook", "question": "What is the outlook for Glaucoma ?",
         "answer": "Most people keep their sight."},
    ]
    p = tmp_path / "m.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    recs = [chunk_document(d)[0] for d in read_medquad(p, RejectSink())]
    assert [r.text.split("\n")[0] for r in recs] == ["Glaucoma — treatment", "Glaucoma — outlook (prognosis)"]
    assert all("?" not in r.text and "What" not in r.text for r in recs)
    assert recs[0].meta["question"] == rows[0]["question"]

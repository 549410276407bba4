"""``medkg bench retrieval`` helpers: MedQuAD queries are the (never indexed) questions; the CV report entry."""

from __future__ import annotations

import json
from pathlib import Path

from cli.bench.retrieval import _cv, _medquad
from retrieval.evaluation import EvalQuery, QueryRuns


def test_medquad_queries_are_the_questions_not_the_passage_heading(tmp_path: Path) -> None:
    rows = [
        {"id": str(i), "focus": "Glaucoma", "qtype": qt, "question": f"Q{i}: what about {qt} of Glaucoma ?",
         "answer": f"Answer {i}."}
        for i, qt in enumerate(("symptoms", "treatment", "outlook"))
    ]
    (tmp_path / "literature").mkdir()
    (tmp_path / "literature" / "medquad.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    indexed = {"medkg:doc:medquad:0", "medkg:doc:medquad:2"}
    qs = _medquad(tmp_path, 10, 0, indexed)
    assert sorted((q.query, *q.relevant) for q in qs) == [
        ("Q0: what about symptoms of Glaucoma ?", "medkg:doc:medquad:0"),
        ("Q2: what about outlook of Glaucoma ?", "medkg:doc:medquad:2"),
    ]


def test_cv_entry_reports_out_of_fold_and_selected() -> None:
    queries = [EvalQuery(query=str(i), relevant={f"r{i}"}) for i in range(10)]
    runs = QueryRuns(rankings=[{"dense": ["x", f"r{i}"], "sparse": [f"r{i}"]} for i in range(10)])
    cv = _cv(runs, queries, 5)
    assert cv["folds"] == 5 and len(cv["chosen_per_fold"]) == 5
    assert cv["out_of_fold"]["R@1"] == 1.0 and cv["selected_in_sample"]["R@1"] == 1.0
    assert set(cv["selected"]) == {"method", "weights", "rrf_k"} and cv["selected"]["method"] == "rrf"

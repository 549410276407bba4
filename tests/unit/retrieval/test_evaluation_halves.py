"""The honest retrieval estimate: a fixed tune / held-out split, a choice made on the tune half only, and silver
labels for BioASQ questions from word overlap alone."""

from __future__ import annotations

import json
from pathlib import Path

from cli.bench.retrieval import _bioasq, _halves
from retrieval import (
    EvalQuery,
    FusionSetting,
    QueryRuns,
    score_setting,
    select_fusion,
    silver_relevance,
    split_halves,
)

DENSE_LED = FusionSetting(weights={"dense": 1.0, "sparse": 0.25}, k=1.0)
SPARSE_LED = FusionSetting(weights={"dense": 1.0, "sparse": 2.0}, k=1.0)


def _queries(n: int) -> list[EvalQuery]:
    return [EvalQuery(query=f"question {i}", relevant={f"r{i}"}, id=str(10_000 + i)) for i in range(n)]


def test_split_is_fixed_by_id_not_by_order_and_covers_everything() -> None:
    qs = _queries(200)
    tune, held = split_halves(qs)
    assert sorted(tune + held) == list(range(200)) and not set(tune) & set(held)
    assert 70 <= len(held) <= 130  # about half
    held_ids = {qs[i].id for i in held}
    rev = qs[::-1]
    _, held_rev = split_halves(rev)
    assert {rev[i].id for i in held_rev} == held_ids  # the file's order moves no question across the split
    renamed = [q.model_copy(update={"query": q.query + "?"}) for q in qs]
    assert {renamed[i].id for i in split_halves(renamed)[1]} == held_ids  # the id decides, not the text


def test_the_choice_sees_only_the_tune_half() -> None:
    """Tune questions are right only under DENSE_LED, held-out ones only under SPARSE_LED: the choice made on
    the tune half is DENSE_LED, and the held-out estimate shows what it costs (R@1 0), not the in-sample 1."""
    qs = _queries(40)
    tune, held = split_halves(qs)
    ranks = []
    for i in range(40):
        good, bad = f"r{i}", "x"
        if i in tune:
            ranks.append({"dense": [good, bad], "sparse": [bad, good]})
        else:
            ranks.append({"dense": [bad, good], "sparse": [good, bad]})
    runs = QueryRuns(rankings=ranks)
    assert select_fusion(runs, qs, tune, [SPARSE_LED, DENSE_LED]) == DENSE_LED
    assert select_fusion(runs, qs, held, [SPARSE_LED, DENSE_LED]) == SPARSE_LED
    assert score_setting(runs, qs, DENSE_LED, tune).recall[1] == 1.0
    assert score_setting(runs, qs, DENSE_LED, held).recall[1] == 0.0
    report = _halves(runs, qs, SPARSE_LED)
    assert report["sizes"] == {"tune": len(tune), "heldout": len(held)}
    assert report["shipped"]["heldout"]["R@1"] == 1.0 and report["shipped"]["tune"]["R@1"] == 0.0


def test_silver_relevance_is_word_overlap_with_question_and_ideal_answer() -> None:
    passages = [
        ("bioasq:1", "Cabozantinib improved overall survival in previously treated hepatocellular carcinoma."),
        ("bioasq:2", "Sorafenib is the first-line drug for advanced hepatocellular carcinoma."),
        ("bioasq:3", "Aspirin inhibits platelet aggregation."),
    ]
    rel = silver_relevance(
        "Is cabozantinib effective for hepatocellular carcinoma?",
        ["Yes, cabozantinib improved survival in hepatocellular carcinoma after sorafenib."],
        passages,
    )
    assert rel == {"bioasq:1"}
    assert silver_relevance("Is it?", [], passages) == set()  # no content words, no label


def test_bioasq_set_keeps_questions_with_an_indexed_answer_snippet(tmp_path: Path) -> None:
    (tmp_path / "eval").mkdir()
    (tmp_path / "literature").mkdir()
    rows = [
        {"id": "a", "question": "Is cabozantinib effective for hepatocellular carcinoma?", "answer": "yes",
         "ideal_answer": ["Yes, cabozantinib improved survival in hepatocellular carcinoma."]},
        {"id": "b", "question": "Does nintedanib slow lung fibrosis?", "answer": "yes",
         "ideal_answer": ["Yes, nintedanib slows the decline of lung function in fibrosis."]},
    ]
    (tmp_path / "eval" / "bioasq_yesno_dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    snippets = [
        {"document": "111", "text": "Cabozantinib improved survival in advanced hepatocellular carcinoma.",
         "section": "abstract"},
        {"document": "222", "text": "Nintedanib slows the decline of lung function in idiopathic fibrosis.",
         "section": "abstract"},
    ]
    (tmp_path / "literature" / "bioasq_snippets.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in snippets), "utf-8"
    )
    qs = _bioasq(tmp_path, {"bioasq:111"}, None)  # 222 is not indexed: its question cannot be answered
    assert [(q.id, q.relevant) for q in qs] == [("a", {"bioasq:111"})]

"""Training examples from ../shared/data: fixed validation split, no answer text in prompts, checker-clean targets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reasoning.answer import SentenceChecker, parse_completion
from reasoning.answer.prompt import EvidenceItem
from reasoning.training import build_examples, interleave, split_of

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.fixture(scope="module")
def data() -> Path:
    if not (DATA / "eval" / "pubmedqa_dev.jsonl").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{DATA} is missing (required under CI)", pytrace=False)
        pytest.skip(f"{DATA} is not here")
    return DATA


def test_split_is_fixed_and_disjoint(data: Path) -> None:
    train = build_examples(data, split="train", medquad=20, zh=5)
    val = build_examples(data, split="val", medquad=20, zh=5)
    tr = {(e.task, e.key) for e in train if e.task == "pubmedqa"}
    va = {(e.task, e.key) for e in val if e.task == "pubmedqa"}
    assert tr and va and not tr & va
    assert all(split_of(k) == "val" for _, k in va)
    assert [e.key for e in build_examples(data, split="train", medquad=20, zh=5)] == [e.key for e in train]


def test_targets_pass_the_checker_and_answers_stay_out_of_prompts(data: Path) -> None:
    import json

    text = (data / "eval" / "pubmedqa_dev.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in text.split("\n") if line.strip()]
    long_answers = {r["pmid"]: r["long_answer"] for r in rows}

    checker = SentenceChecker()
    examples = build_examples(data, split="train", medquad=30, zh=10)
    for e in examples:
        user = e.messages[1]["content"]
        if e.task == "pubmedqa":
            assert long_answers[e.key][:80] not in user
            assert e.completion.startswith(f"Decision: {e.label}")
        if e.task == "refusal":
            assert e.completion == "INSUFFICIENT EVIDENCE"
            continue
        items = []
        for line in user.split("\n"):
            if line.startswith("[") and "] " in line:
                n, text = line[1:].split("] ", 1)
                items.append(EvidenceItem(int(n), f"item:{n}", text, "passage"))
        res = checker.check(parse_completion(e.completion).sentences, items)
        assert res.kept and not res.dropped, (e.task, e.key, e.completion, [d.reason for d in res.dropped])


def test_interleave_follows_shares(data: Path) -> None:
    ex = build_examples(data, split="train", medquad=20, zh=5)
    order = interleave(ex, {"pubmedqa": 0.5, "medquad": 0.5}, 40, seed=1)
    assert len(order) == 40 and {e.task for e in order} == {"pubmedqa", "medquad"}

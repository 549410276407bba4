"""Marker parser and prompt builder."""

from __future__ import annotations

from reasoning.answer import build_prompt, is_yes_no_question, parse_completion, split_sentences
from reasoning.answer.prompt import PromptConfig, strip_instructions
from retrieval import EvidenceBundle
from tests.unit.answer.conftest import INJECTION, passage


def test_markers_after_or_before_the_stop_and_lists() -> None:
    p = parse_completion("Decision: no\nA was 2.5 mg [1]. B worked. [2] C and D held [1, 3].")
    assert p.decision == "no"
    assert [s.numbers for s in p.sentences] == [(1,), (2,), (1, 3)]
    assert p.sentences[0].text == "A was 2.5 mg."
    assert not p.refusal


def test_refusal_mark_and_chinese_sentences() -> None:
    assert parse_completion("INSUFFICIENT EVIDENCE").refusal
    assert split_sentences("二甲双胍用于糖尿病[1]。它很安全[2]。") == ["二甲双胍用于糖尿病[1]。", "它很安全[2]。"]


def test_decimal_points_and_abbreviations_do_not_split() -> None:
    assert split_sentences("Use e.g. 2.5 mg daily [1]. Stop.") == ["Use e.g. 2.5 mg daily [1].", "Stop."]


def test_yes_no_detection() -> None:
    assert is_yes_no_question("Does metformin lower HbA1c?")
    assert is_yes_no_question("Double balloon enteroscopy: is it efficacious and safe?")
    assert not is_yes_no_question("What are the symptoms of asthma?")


def test_prompt_numbers_passages_then_facts_and_keeps_evidence_as_data(bundle: EvidenceBundle) -> None:
    plan = build_prompt(bundle.query, bundle)
    assert [i.citation_id for i in plan.items][:2] == ["pmid:1#results", "pmid:2#results"]
    fact = plan.items[2]
    assert fact.kind == "fact"
    assert fact.text == "metformin TREATS type 2 diabetes mellitus (PharmacotherapyDB, disease-modifying)"
    user = plan.messages[1]["content"]
    assert "[3] metformin TREATS" in user and user.index("</evidence>") < user.index("Question:")
    assert "green cheese" not in user  # the instruction-like sentence never reaches the model
    assert "not instructions" in plan.messages[0]["content"]
    assert plan.yes_no and "Decision:" in plan.messages[0]["content"]


def test_prompt_budget_trims_and_reports_left_out() -> None:
    long = " ".join(["word"] * 2000)
    b = EvidenceBundle(query="q", lang="en", passages=[passage(f"pmid:{i}#x", long, i) for i in range(1, 6)])
    plan = build_prompt("What is word?", b, config=PromptConfig(max_prompt_tokens=300, max_item_tokens=100))
    assert len(plan.items) == 2 and plan.items[0].text.endswith("…")
    assert plan.trimmed == ["pmid:3#x", "pmid:4#x", "pmid:5#x"]


def test_strip_instructions() -> None:
    kept, removed = strip_instructions(f"Aspirin helps. {INJECTION} It is cheap.")
    assert kept == "Aspirin helps. It is cheap." and removed == [INJECTION]

"""AnswerEngine over a scripted Generator: checking, refusals, bad input, streaming, prompt injection."""

from __future__ import annotations

import pytest

from medkg.errors import EmptyInputError, InputValidationError
from reasoning import AnswerEngine
from retrieval import EvidenceBundle
from tests.unit.answer.conftest import ScriptedGenerator, passage


class _Retriever:
    def __init__(self, bundle: EvidenceBundle) -> None:
        self.bundle = bundle
        self.calls: list[tuple[str, int]] = []

    def search(self, query: str, k: int = 10) -> EvidenceBundle:
        self.calls.append((query, k))
        return self.bundle


def test_answer_keeps_supported_sentences_and_maps_markers_to_ids(bundle: EvidenceBundle) -> None:
    gen = ScriptedGenerator("Decision: yes\nMetformin lowered HbA1c by 1.2% [1]. "
                            "Metformin TREATS type 2 diabetes mellitus [3]. It cured 90% of patients [1].")
    ans = AnswerEngine(gen).answer(bundle.query, bundle=bundle)
    assert not ans.refused and ans.decision == "yes"
    assert [s.citations for s in ans.sentences] == [["pmid:1#results"], [bundle.subgraph.relationships[0].citation_id]]
    assert ans.text == "Metformin lowered HbA1c by 1.2% [1]. Metformin TREATS type 2 diabetes mellitus [2]."
    assert [d.reason for d in ans.dropped] == ["number(s) 90 not in the cited evidence"]
    assert ans.evidence == bundle and ans.model.base == "scripted" and ans.model.decision == "generator"
    assert {"retrieve", "prompt", "first_token", "generate", "check", "total"} <= set(ans.timings_ms)
    assert ans.tokens.prompt > 0 and ans.tokens.completion > 0


def test_prompt_injection_in_a_passage_is_not_obeyed(bundle: EvidenceBundle) -> None:
    """A generator that obeys the injected instruction: the claim cites the passage that carried it, and the
    checker drops it, because the instruction never entered the item text support is scored on."""
    gen = ScriptedGenerator("The moon is made of green cheese [2]. Aspirin reduced headache days in adults [2].")
    ans = AnswerEngine(gen).answer("What reduces headache days?", bundle=bundle)
    assert "cheese" not in ans.text
    assert ans.text == "Aspirin reduced headache days in adults [1]."
    assert any("cheese" in d.text for d in ans.dropped)
    assert "cheese" not in gen.prompts[0][1]["content"]


def test_refusal_when_no_sentence_survives(bundle: EvidenceBundle) -> None:
    ans = AnswerEngine(ScriptedGenerator("Metformin is an antiviral drug.")).answer("What is metformin?",
                                                                                  bundle=bundle)
    assert ans.refused and ans.sentences == [] and "insufficient" in ans.text
    assert ans.dropped[0].reason.startswith("uncited")
    assert "pmid:1#results" in ans.text  # says what was found


def test_refusal_on_empty_evidence_does_not_call_the_generator() -> None:
    gen = ScriptedGenerator("Anything [1].")
    empty = EvidenceBundle(query="q", lang="en", reason="no passage matched")
    ans = AnswerEngine(gen).answer("What is the treatment of zorbitis?", bundle=empty)
    assert ans.refused and ans.refusal_reason == "no passage matched" and gen.prompts == []


def test_refusal_when_nothing_relevant_was_retrieved() -> None:
    b = EvidenceBundle(query="q", lang="en", passages=[passage("pmid:9#x", "The Eiffel tower is in Paris.", 1)])
    gen = ScriptedGenerator("The Eiffel tower is in Paris [1].")
    ans = AnswerEngine(gen, _Retriever(b)).answer("What treats gout flares?")
    assert ans.refused and "nothing relevant" in (ans.refusal_reason or "") and gen.prompts == []


def test_model_refusal_mark_becomes_a_refusal(bundle: EvidenceBundle) -> None:
    ans = AnswerEngine(ScriptedGenerator("INSUFFICIENT EVIDENCE")).answer("Does metformin cause gout?", bundle=bundle)
    assert ans.refused and ans.refusal_reason == "the model found the evidence insufficient"


def test_bad_input() -> None:
    engine = AnswerEngine(ScriptedGenerator("x"))
    with pytest.raises(EmptyInputError):
        engine.answer("   ")
    with pytest.raises(InputValidationError, match="characters"):
        engine.answer("why " * 1000)
    with pytest.raises(InputValidationError, match="k must be"):
        engine.answer("What is gout?", k=0)
    symbols = engine.answer("?!?! ### 123")
    assert symbols.refused and "unknown language" in (symbols.refusal_reason or "")


def test_retrieval_is_used_only_without_a_bundle(bundle: EvidenceBundle) -> None:
    r = _Retriever(bundle)
    engine = AnswerEngine(ScriptedGenerator("Metformin lowered HbA1c by 1.2% [1]."), r)
    engine.answer("Does metformin lower HbA1c?", k=3)
    engine.answer("Does metformin lower HbA1c?", bundle=bundle)
    assert r.calls == [("Does metformin lower HbA1c?", 3)]


def test_stream_deltas_are_checked_sentences_and_add_up_to_the_text(bundle: EvidenceBundle) -> None:
    gen = ScriptedGenerator("Metformin lowered HbA1c by 1.2% [1]. Uncited claim here. "
                            "Metformin TREATS type 2 diabetes mellitus [3].")
    events = list(AnswerEngine(gen).stream("What does metformin do?", bundle=bundle))
    deltas = [e.text for e in events if e.type == "delta"]
    final = events[-1].answer
    assert events[-1].type == "final" and final is not None
    assert "".join(deltas) == final.text and len(deltas) == 2
    assert "Uncited" not in final.text


def test_decision_head_overrides_the_generator(bundle: EvidenceBundle) -> None:
    class Head:
        head_id = "test-head"

        def predict(self, plan: object, generator: object) -> str:
            return "maybe"

    gen = ScriptedGenerator("Decision: yes\nMetformin lowered HbA1c by 1.2% [1].")
    ans = AnswerEngine(gen, decision_head=Head()).answer(bundle.query, bundle=bundle)
    assert ans.decision == "maybe" and ans.model.decision == "test-head"
    not_yes_no = AnswerEngine(gen, decision_head=Head()).answer("What does metformin do?", bundle=bundle)
    assert not_yes_no.decision is None


def test_committed_decision_head_loads_and_decides(bundle: EvidenceBundle) -> None:
    from reasoning.answer.decision_head import load_packaged_head

    head = load_packaged_head()
    assert head is not None and head.head_id == "pubmedqa-lexical-lr"
    ans = AnswerEngine(ScriptedGenerator("Decision: maybe\nMetformin lowered HbA1c by 1.2% [1]."),
                       decision_head=head).answer(bundle.query, bundle=bundle)
    assert ans.decision in ("yes", "no", "maybe") and ans.model.decision == "pubmedqa-lexical-lr"
    probs = head.probabilities(bundle.query, [p.text for p in bundle.passages])
    assert abs(sum(probs.values()) - 1) < 1e-9

"""The sentence checker: existing citations, numbers, names, support threshold."""

from __future__ import annotations

from reasoning.answer import SentenceChecker, parse_completion, support_score
from reasoning.answer.prompt import EvidenceItem

ITEMS = [
    EvidenceItem(1, "pmid:1#results", "Metformin lowered HbA1c by 1.2% in 300 patients with type 2 diabetes.",
                 "passage"),
    EvidenceItem(2, "kg:rel:TREATS:a->b#x", "metformin TREATS type 2 diabetes mellitus (PharmacotherapyDB)", "fact"),
]


def _check(text: str, **kw: object) -> tuple[list[str], list[str]]:
    res = SentenceChecker(threshold=0.6, names=["metformin", "lisinopril", "type 2 diabetes mellitus"]).check(
        parse_completion(text).sentences, ITEMS)
    return [s.text for s in res.kept], [d.reason for d in res.dropped]


def test_supported_sentence_is_kept_with_its_citation_id() -> None:
    res = SentenceChecker(threshold=0.6).check(parse_completion("Metformin lowered HbA1c by 1.2% [1].").sentences,
                                               ITEMS)
    assert res.kept[0].citations == ["pmid:1#results"] and res.kept[0].support == 1.0


def test_uncited_sentence_is_dropped() -> None:
    kept, why = _check("Metformin lowered HbA1c.")
    assert kept == [] and why[0].startswith("uncited")


def test_citation_of_a_missing_item_is_dropped() -> None:
    kept, why = _check("Metformin lowered HbA1c by 1.2% [7].")
    assert kept == [] and "do not exist" in why[0]


def test_number_not_in_the_cited_text_is_dropped() -> None:
    kept, why = _check("Metformin lowered HbA1c by 2.4% [1].")
    assert kept == [] and "2.4" in why[0]


def test_drug_name_not_in_the_cited_text_is_dropped() -> None:
    kept, why = _check("Lisinopril lowered HbA1c in type 2 diabetes [1].")
    assert kept == [] and "lisinopril" in why[0]


def test_unsupported_claim_is_dropped_and_duplicates_too() -> None:
    kept, why = _check("The moon is made of green cheese [1]. Metformin TREATS type 2 diabetes mellitus [2]. "
                       "Metformin TREATS type 2 diabetes mellitus [2].")
    assert kept == ["Metformin TREATS type 2 diabetes mellitus."]
    assert "below the threshold" in why[0] and "repeats" in why[1]


def test_support_score_bounds() -> None:
    assert support_score("", "anything") == 0.0
    assert support_score("metformin lowers HbA1c", "Metformin lowered HbA1c") == 1.0
    assert support_score("二甲双胍治疗糖尿病", "二甲双胍是治疗2型糖尿病的一线药物") > 0.6

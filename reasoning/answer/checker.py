"""The sentence checker: a sentence is shown only if it cites an item that exists and that item supports it.

Support is checked three ways against exactly the text the model saw for the cited items: every number in the
sentence appears there; every drug/disease/symptom name of the bundle's graph that the sentence names appears
there; and a lexical support score (the share of the sentence's content words found there) reaches a threshold
chosen on a validation split (``calibration.json``, written by ``medkg eval citations --calibrate``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reasoning.answer.models import DroppedSentence, Sentence
from reasoning.answer.parse import ParsedSentence
from reasoning.answer.prompt import EvidenceItem

__all__ = ["CALIBRATION_FILE", "CheckResult", "SentenceChecker", "content_terms", "default_threshold",
           "support_score"]

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
_FALLBACK_THRESHOLD = 0.6

_WORD = re.compile(r"[a-z0-9][a-z0-9\-']*|[\u4e00-\u9fff]+", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*%?")
_STOP_WORDS = """a an the and or but if of to in on at by for with from as is are was were be been being it its
this that
these those there their they them he she his her we our you your i not no nor so than then too very can could
should would will may might must do does did done has have had having which who whom whose what when where why
how all any both each few more most other some such only own same also into over under about after before
between during through while up down out off again further once here because until against among per via
however therefore thus whether either neither yes maybe study studies patients patient results result
showed show shows shown found find using used use based compared among group groups"""
_STOP = frozenset(_STOP_WORDS.split())
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies", "ied", "ly", "es", "ed", "s")


def _stem(w: str) -> str:
    for suf in _SUFFIXES:
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def content_terms(text: str) -> set[str]:
    """Stemmed content words (English) and character bigrams (Chinese) of ``text``."""
    out: set[str] = set()
    for tok in _WORD.findall(text.lower()):
        if "\u4e00" <= tok[0] <= "\u9fff":
            out.update(tok[i : i + 2] for i in range(max(1, len(tok) - 1)))
        elif tok not in _STOP and (len(tok) > 2 or tok.isdigit()):
            out.add(_stem(tok.strip("-'")))
    return out


def support_score(sentence: str, cited_text: str) -> float:
    """The share of ``sentence``'s content terms found in ``cited_text`` (0 when it has none)."""
    s = content_terms(sentence)
    if not s:
        return 0.0
    return len(s & content_terms(cited_text)) / len(s)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip("%") for n in _NUMBER.findall(text)}


def default_threshold() -> float:
    """The support threshold chosen on the validation split (falls back to 0.6 before calibration)."""
    try:
        return float(json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))["threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        return _FALLBACK_THRESHOLD


@dataclass
class CheckResult:
    kept: list[Sentence]
    dropped: list[DroppedSentence]


class SentenceChecker:
    """Keep a sentence only if it cites an existing item and the cited items support it (see module docstring).

    ``names`` are the entity names (lower case) whose mention must be backed by the cited text: the bundle's
    drug, disease and symptom names.
    """

    def __init__(self, *, threshold: float | None = None, names: Sequence[str] = ()) -> None:
        self.threshold = default_threshold() if threshold is None else threshold
        self.names = sorted({n.lower() for n in names if len(n) >= 4}, key=len, reverse=True)

    def check_one(self, sent: ParsedSentence, items: dict[int, EvidenceItem]) -> Sentence | DroppedSentence:
        if not sent.numbers:
            return DroppedSentence(text=sent.text, reason="uncited: the sentence cites no evidence item")
        cited = [items[n] for n in sent.numbers if n in items]
        unknown = [n for n in sent.numbers if n not in items]
        if not cited:
            return DroppedSentence(
                text=sent.text, reason=f"cites evidence item(s) {unknown} that do not exist in the evidence"
            )
        ids = [i.citation_id for i in cited]
        text = " ".join(i.text for i in cited)
        low = text.lower()
        score = round(support_score(sent.text, text), 4)
        missing_numbers = sorted(_numbers(sent.text) - _numbers(text))
        if missing_numbers:
            return DroppedSentence(text=sent.text, citations=ids, support=score,
                                   reason=f"number(s) {', '.join(missing_numbers)} not in the cited evidence")
        sent_low = sent.text.lower()
        missing_names = [n for n in self.names if _has_word(sent_low, n) and not _has_word(low, n)]
        if missing_names:
            return DroppedSentence(text=sent.text, citations=ids, support=score,
                                   reason=f"name(s) {', '.join(missing_names[:3])} not in the cited evidence")
        if score < self.threshold:
            return DroppedSentence(text=sent.text, citations=ids, support=score,
                                   reason=f"support {score:.2f} below the threshold {self.threshold:.2f}")
        return Sentence(text=sent.text, citations=ids, support=min(1.0, score))

    def check(self, sentences: Sequence[ParsedSentence], items: Sequence[EvidenceItem]) -> CheckResult:
        by_number = {i.number: i for i in items}
        kept: list[Sentence] = []
        dropped: list[DroppedSentence] = []
        seen: set[str] = set()
        for s in sentences:
            key = " ".join(s.text.lower().split())
            if key in seen:
                dropped.append(DroppedSentence(text=s.text, reason="repeats an earlier sentence"))
                continue
            seen.add(key)
            res = self.check_one(s, by_number)
            (kept if isinstance(res, Sentence) else dropped).append(res)  # type: ignore[arg-type]
        return CheckResult(kept, dropped)


def _has_word(text: str, name: str) -> bool:
    if "\u4e00" <= name[0] <= "\u9fff":
        return name in text
    return re.search(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])", text) is not None

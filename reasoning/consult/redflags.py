"""Red flags: the reviewed rules of ``data/red_flags.yaml`` applied to a question, negation-aware.

A rule fires when all the signs of one of its alternatives occur in the question, each at least once outside a
negation ("no fever", "denies chest pain", "没有发烧": :class:`retrieval.NegationDetector`) and outside a
relative's history ("family history of stroke", "家族史"). Signs with an age limit read the age the question
states. No model takes part: urgency is decided here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medkg.errors import DataFileError
from reasoning.consult.attributes import parse_attributes
from reasoning.consult.models import RedFlagHit
from retrieval import NegationDetector

__all__ = ["RED_FLAGS_FILE", "RedFlagRule", "RedFlagRules", "load_red_flags"]

RED_FLAGS_FILE = Path(__file__).resolve().parent / "data" / "red_flags.yaml"
_CJK = re.compile(r"[\u3400-\u9fff]")
_CLAUSE_END = re.compile(r"[.;!?。；！？\n]")
_HISTORY = re.compile(r"\bfamily history\b|\bruns in (?:the|my|our) family\b|\bhistory of\b"
                      r"|家族史|家族(?:中|里)|既往史|遗传病史")
_AGE_SIGN = "age"
_Compiled = tuple[list[re.Pattern[str]], list[re.Pattern[str]]]


class _Advice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    en: str = Field(min_length=10)
    zh: str = Field(min_length=4)


class RedFlagRule(BaseModel):
    """One rule: alternatives of signs that must all be present, its advice in both languages and its source."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    source: str = Field(min_length=10)
    when: list[list[str]] = Field(min_length=1)
    advice: _Advice
    max_age_days: float | None = None


class _Sign(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    en: list[str] = Field(min_length=1)
    zh: list[str] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    signs: dict[str, _Sign]
    rules: list[RedFlagRule] = Field(min_length=1)


class RedFlagRules:
    """Compiled rules; :meth:`check` returns the fired rules, most urgent first (file order)."""

    def __init__(self, rules: Sequence[RedFlagRule], signs: dict[str, _Compiled]) -> None:
        self.rules = list(rules)
        self._signs = signs
        self._negation = NegationDetector()

    @classmethod
    def from_file(cls, path: Path = RED_FLAGS_FILE) -> RedFlagRules:
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
            parsed = _File.model_validate(raw)
        except (OSError, yaml.YAMLError) as e:
            raise DataFileError(path, f"unreadable red-flag rules: {e}") from e
        except ValidationError as e:
            raise DataFileError(path, f"invalid red-flag rules: {e}") from e
        signs: dict[str, _Compiled] = {}
        for name, sign in parsed.signs.items():
            try:
                signs[name] = ([re.compile(p) for p in sign.en], [re.compile(p) for p in sign.zh])
            except re.error as e:
                raise DataFileError(path, f"sign {name!r}: bad pattern ({e})") from e
        ids: set[str] = set()
        for rule in parsed.rules:
            if rule.id in ids:
                raise DataFileError(path, f"duplicate rule id {rule.id!r}")
            ids.add(rule.id)
            unknown = sorted({s for alt in rule.when for s in alt if s not in signs and s != _AGE_SIGN})
            if unknown:
                raise DataFileError(path, f"rule {rule.id!r} names unknown signs {unknown}")
            if any(_AGE_SIGN in alt for alt in rule.when) and rule.max_age_days is None:
                raise DataFileError(path, f"rule {rule.id!r} uses 'age' without max_age_days")
        return cls(parsed.rules, signs)

    @property
    def sign_names(self) -> list[str]:
        return sorted(self._signs)

    def sign_spans(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Where each sign occurs in ``text`` (lower-cased), affirmed occurrences only."""
        low = text.lower()
        zh = bool(_CJK.search(low))
        found: dict[str, list[tuple[int, int]]] = {}
        for name, (en, zh_pats) in self._signs.items():
            spans = [(m.start(), m.end()) for p in (en + zh_pats if zh else en) for m in p.finditer(low)
                     if m.end() > m.start()]
            if spans:
                found[name] = spans
        every = sorted({s for spans in found.values() for s in spans})
        if not every:
            return {}
        negated = dict(zip(every, self._negation.negated(low, every), strict=True))
        out: dict[str, list[tuple[int, int]]] = {}
        for name, spans in found.items():
            kept = sorted({s for s in spans if not negated[s] and not _in_history(low, s[0])})
            if kept:
                out[name] = kept
        return out

    def check(self, text: str, *, lang: str | None = None, age_days: float | None = None) -> list[RedFlagHit]:
        """The rules that fire on ``text``; advice in ``lang`` ('zh' or else English)."""
        signs = self.sign_spans(text)
        if age_days is None:
            age_days = parse_attributes(text).age_days
        zh = lang == "zh" or (lang is None and bool(_CJK.search(text)))
        hits: list[RedFlagHit] = []
        for rule in self.rules:
            for alt in rule.when:
                if all(_present(s, signs, age_days, rule.max_age_days) for s in alt):
                    matched = [_show(text, signs[s][0]) if s != _AGE_SIGN else f"age {age_days:.0f} days"
                               for s in alt]
                    hits.append(RedFlagHit(rule=rule.id, advice=rule.advice.zh if zh else rule.advice.en,
                                           source=rule.source, matched=matched))
                    break
        return hits


def _present(sign: str, signs: dict[str, list[tuple[int, int]]], age_days: float | None, max_age: float | None
             ) -> bool:
    if sign == _AGE_SIGN:
        return age_days is not None and max_age is not None and age_days <= max_age
    return sign in signs


def _in_history(low: str, start: int) -> bool:
    """Whether a history marker opens the clause the match is in ('family history of stroke')."""
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(low, 0, start)), default=0)
    return _HISTORY.search(low, clause_start, start) is not None


def _show(text: str, span: tuple[int, int]) -> str:
    low = text.lower()
    return (text if len(text) == len(low) else low)[span[0]:span[1]]


@lru_cache(maxsize=4)
def load_red_flags(path: Path = RED_FLAGS_FILE) -> RedFlagRules:
    """The rule set (parsed and compiled once per process)."""
    return RedFlagRules.from_file(path)

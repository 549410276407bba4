"""Query understanding: language, KG findings (symptoms, diseases, drugs, checks) with negation, family history
and hypotheticals, plus the age, sex, pregnancy, duration and onset the question states.

Concepts come from the store's dictionary linker (:class:`retrieval.DictionaryLinker`, ConText negation) and a
small curated lay-word list (``data/lay_symptoms.yaml``: "shortness of breath" → Dyspnea); a lay match that
covers a dictionary match replaces it (the longer phrase is the finding).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from medkg.errors import DataFileError
from reasoning.consult.attributes import Attributes, parse_attributes
from reasoning.consult.models import Finding
from retrieval import Mention, detect_lang

__all__ = ["LAY_FILE", "Understanding", "lay_entries", "understand"]

LAY_FILE = Path(__file__).resolve().parent / "data" / "lay_symptoms.yaml"
_KINDS = {"Symptom": "symptom", "Disease": "disease", "Compound": "drug", "Check": "check", "Anatomy": "anatomy"}
_CLAUSE_END = re.compile(r"[.;!?。；！？\n]")
_FAMILY = re.compile(r"\bfamily history\b|\bruns in (?:the|my|our) family\b"
                     r"|\b(?:my|his|her) (?:mother|father|mum|mom|dad|"
                     r"parents?|grand\w+|brother|sister|aunt|uncle|cousin)s? (?:had|has had|died|was diagnosed)\b"
                     r"|家族史|家族(?:中|里)|(?:父亲|母亲|爸爸|妈妈|爷爷|奶奶|外公|外婆|哥哥|姐姐)(?:曾经?|以前)?(?:得过|患过|死于|因)")
_HYPO = re.compile(r"\b(?:could (?:it|this) be|is (?:it|this)|might (?:it|this) be|do i have|could i have|am i at risk|"
                   r"risk of|prevent(?:ing)?|what (?:is|are)|what if|how (?:do|can) (?:i|you)|signs of|symptoms of)\b"
                   r"|是不是|会不会|是否|怎么预防|如何预防|预防|什么是|有什么症状|症状是什么")


class _Linker(Protocol):
    def link(self, text: str, *, lang: str | None = None) -> list[Mention]: ...


@dataclass
class Understanding:
    question: str
    lang: str
    findings: list[Finding] = field(default_factory=list)
    attributes: Attributes = field(default_factory=Attributes)

    def ids(self, kind: str, *, negated: bool = False) -> list[str]:
        """Ids of the patient's own findings of ``kind`` (affirmed, or negated), without family/hypothetical ones
        (hypothetical diseases are kept: the question asks about them)."""
        return list(dict.fromkeys(
            f.id for f in self.findings
            if f.kind == kind and f.id and f.negated == negated and not f.family
            and (kind == "disease" or not f.hypothetical)))

    def stated_diseases(self) -> list[str]:
        """Diseases the patient says they have (affirmed, not asked about, not a relative's)."""
        return list(dict.fromkeys(f.id for f in self.findings if f.kind == "disease" and f.id and not f.negated
                                  and not f.family and not f.hypothetical))


@lru_cache(maxsize=2)
def _lay_table(path: Path = LAY_FILE) -> tuple[str, dict[str, list[str]]]:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        src, table = str(raw["source"]), raw["symptoms"]
        if not isinstance(table, dict) or not all(isinstance(v, list) for v in table.values()):
            raise TypeError("'symptoms' must map ids to lists of phrases")
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise DataFileError(path, f"invalid lay-symptom list: {e}") from e
    return src, {str(k): [str(x) for x in v] for k, v in table.items()}


def lay_entries(present: set[str] | None = None) -> list[Any]:
    """Linker entries of the curated lay words (only for node ids in ``present`` when given)."""
    from retrieval import LinkerEntry

    _, table = _lay_table()
    return [LinkerEntry(surface=s, node_id=nid, label="Symptom", score=0.95)
            for nid, phrases in table.items() if present is None or nid in present for s in phrases]


def _clause_before(low: str, start: int) -> tuple[int, int]:
    cs = max((m.end() for m in _CLAUSE_END.finditer(low, 0, start)), default=0)
    return cs, start


def _merge(main: Sequence[Mention], lay: Sequence[Mention]) -> list[Mention]:
    out = [m for m in main if not any(a.start <= m.start and m.end <= a.end and (a.end - a.start) > (m.end - m.start)
                                      for a in lay)]
    seen = {(m.start, m.end, m.node_id) for m in out}
    out.extend(m for m in lay if (m.start, m.end, m.node_id) not in seen
               and not any(o.start <= m.start and m.end <= o.end and o.label == "Symptom" for o in out))
    return sorted(out, key=lambda m: (m.start, -(m.end - m.start)))


def understand(question: str, linker: _Linker, lay: _Linker | None = None, *, names: dict[str, str] | None = None
               ) -> Understanding:
    """Findings and attributes of ``question``; ``names`` (node id → name) fills ``Finding.name``."""
    lang = detect_lang(question) or "en"
    mentions = _merge(linker.link(question, lang=lang), lay.link(question, lang=lang) if lay is not None else [])
    low = question.lower()
    findings: list[Finding] = []
    taken: set[tuple[int, int, str]] = set()
    symptom_spans = {(m.start, m.end) for m in mentions if m.label == "Symptom"}
    for m in mentions:
        kind = _KINDS.get(m.label)
        if kind is None or (m.start, m.end, kind) in taken:
            continue
        if kind == "disease" and (m.start, m.end) in symptom_spans:
            continue  # 'headache' is both: the finding is the symptom
        taken.add((m.start, m.end, kind))
        a, b = _clause_before(low, m.start)
        findings.append(Finding(kind=kind, text=question[m.start:m.end], id=m.node_id,
                                name=(names or {}).get(m.node_id), negated=m.negated,
                                family=_FAMILY.search(low, a, b) is not None,
                                hypothetical=_HYPO.search(low, a, b) is not None))
    attrs = parse_attributes(question)
    if attrs.age_years is not None:
        findings.append(Finding(kind="age", text=attrs.age_text or "", value=round(attrs.age_years, 3)))
    if attrs.sex is not None:
        findings.append(Finding(kind="sex", text=attrs.sex_text or "", value=attrs.sex))
    if attrs.pregnant is not None:
        findings.append(Finding(kind="pregnancy", text=attrs.pregnant_text or "", value="yes" if attrs.pregnant
                                else "no", negated=not attrs.pregnant))
    if attrs.duration_days is not None:
        findings.append(Finding(kind="duration", text=attrs.duration_text or "", value=round(attrs.duration_days, 3)))
    if attrs.onset is not None:
        findings.append(Finding(kind="onset", text=attrs.onset_text or "", value=attrs.onset))
    return Understanding(question, lang, findings, attrs)

"""Which capability answers a chat turn, and the plain-words allocation request parser.

:func:`route_turn` sends symptoms (first-person complaints, symptom words, English or Chinese) to the
consultation, an allocation request in plain words ("12 patients for cardiology this week, 3 are emergencies, we
have 10 beds") to the solver, and everything else (research questions included) to the answer engine.
:func:`parse_allocation` turns such a request into an :class:`AllocationRequest` with a rule-based parser: the
numbers must be exact, and a rule parser never invents one (the generator under a JSON schema is the
alternative; with the packaged 135M-0.5B models a parser is the safer measure). Every
assumption it makes (length of stay, window) is returned so the reply states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from medkg.errors import InputValidationError
from reasoning.allocation.service import AllocationRequest

__all__ = ["ParsedAllocation", "Route", "follow_up_question", "parse_allocation", "route_turn"]

Route = Literal["consult", "ask", "allocate"]

_NUM_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}
_N = r"(\d{1,4}|" + "|".join(_NUM_WORDS) + r")"

_ALLOC_PATIENTS = re.compile(_N + r"\s+(?:\w+\s+)?(?:patients?|admissions?|people)\b", re.I)
_ALLOC_BEDS = re.compile(_N + r"\s+(?:free\s+|available\s+|open\s+)?beds?\b", re.I)
_ZH_ALLOC = re.compile(r"(\d+)\s*(?:个|名|位)?\s*(?:病人|患者).*?(\d+)\s*张?\s*(?:床|病床)|(\d+)\s*张?\s*(?:床|病床)")

_SYMPTOM_WORDS = re.compile(
    r"\b(i have|i've had|i've been|i am having|i'm having|i feel|i'm feeling|"
    r"my (?:\w+ ){0,2}(?:hurts|aches|is swollen)|"
    r"symptoms?|pain|ache|aching|fever|cough(?:ing)?|headache|dizz(?:y|iness)|nausea|vomit(?:ing)?|rash|"
    r"bleeding|short(?:ness)? of breath|breathless|numb(?:ness)?|swelling|itch(?:y|ing)?|diarrh(?:o)?ea|"
    r"sore throat|palpitations?|faint(?:ed|ing)?|tired|fatigue|weakness|chest pain)\b", re.I)
_ZH_SYMPTOMS = re.compile(r"(疼|痛|发烧|发热|咳嗽|头晕|恶心|呕吐|腹泻|皮疹|出血|胸闷|气短|乏力|症状|不舒服|难受|肿)")
_RESEARCH = re.compile(r"^\s*(does|do|is|are|can|should|what|which|how|why|when|was|were|did)\b", re.I)


def route_turn(text: str) -> Route:
    """The capability for one user turn."""
    if _is_allocation(text):
        return "allocate"
    symptoms = bool(_SYMPTOM_WORDS.search(text) or _ZH_SYMPTOMS.search(text))
    first_person = bool(re.search(r"\b(i|i'm|i've|my|me)\b", text, re.I) or "我" in text)
    if symptoms and (first_person or not _RESEARCH.search(text)):
        return "consult"
    return "ask"


def _is_allocation(text: str) -> bool:
    if _ALLOC_PATIENTS.search(text) and (_ALLOC_BEDS.search(text) or re.search(r"\ballocat|\bplan\b", text, re.I)):
        return True
    return bool(_ZH_ALLOC.search(text) and ("病人" in text or "患者" in text))


def follow_up_question(turns: list[str]) -> str:
    """The question to answer for the last user turn: a short follow-up ("and in children?", "what about
    metformin?") is read together with the previous user turn; anything else stands alone."""
    last = turns[-1]
    if len(turns) < 2:
        return last
    short = len(last.split()) <= 6 or len(last) <= 12
    referring = re.match(r"^\s*(and|what about|how about|also|or|but|then|same|那|还有|那么)\b", last, re.I)
    if short and (referring or re.search(r"\b(it|that|this|they|them|those)\b", last, re.I)):
        return f"{turns[-2]} {last}"
    return last


def _num(tok: str) -> int:
    return int(tok) if tok.isdigit() else _NUM_WORDS[tok.lower()]


@dataclass
class ParsedAllocation:
    """The request built from the words, and what was assumed (stated in the reply)."""

    request: AllocationRequest
    department: str
    patients: int
    emergencies: int
    beds: int
    days: int
    assumptions: list[str] = field(default_factory=list)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "dept"


def parse_allocation(text: str, *, length_of_stay: int = 3) -> ParsedAllocation:
    """An :class:`AllocationRequest` from a plain-words request; :class:`InputValidationError` when a number it
    needs (patients, beds) is missing."""
    m_pat = _ALLOC_PATIENTS.search(text)
    m_beds = _ALLOC_BEDS.search(text)
    zh = _ZH_ALLOC.search(text)
    if m_pat:
        n = _num(m_pat.group(1))
    elif zh and zh.group(1):
        n = int(zh.group(1))
    else:
        raise InputValidationError("say how many patients, e.g. '12 patients for cardiology this week'")
    if m_beds:
        beds = _num(m_beds.group(1))
    elif zh:
        beds = int(zh.group(2) or zh.group(3))
    else:
        raise InputValidationError("say how many beds there are, e.g. 'we have 10 beds'")
    m_em = re.search(_N + r"\s+(?:of them\s+)?(?:are|is|were)?\s*(?:emergenc(?:y|ies)|urgent)", text, re.I)
    m_em_zh = re.search(r"(\d+)\s*(?:个|名|位)?\s*(?:急诊|紧急)", text)
    emergencies = _num(m_em.group(1)) if m_em else int(m_em_zh.group(1)) if m_em_zh else 0
    m_dept = re.search(r"\bfor\s+(?:the\s+)?([a-z][a-z -]{2,40}?)(?:\s+(?:department|ward|unit))?"
                       r"(?=\s+(?:this|next|over|in|for|today|tomorrow)\b|[,.;]|$)", text, re.I)
    department = m_dept.group(1).strip() if m_dept else "general"
    if re.search(r"\b(this|next|a|one)\s+week\b|本周|这周|下周", text, re.I):
        days = 7
    elif (m_days := re.search(r"(\d{1,3})\s*(?:days?|天)", text, re.I)):
        days = int(m_days.group(1))
    elif re.search(r"\btoday\b|今天", text, re.I):
        days = 1
    else:
        days = 7
    m_los = re.search(r"(?:stay(?:ing)?|length of stay(?: of)?|for)\s+(\d{1,2})\s+(?:days?|nights?)\s+each", text, re.I)
    assumptions = []
    if m_los:
        length_of_stay = int(m_los.group(1))
    else:
        assumptions.append(f"each patient stays {length_of_stay} days (say 'staying N days each' to change it)")
    length_of_stay = max(1, min(length_of_stay, days))
    if emergencies > n:
        raise InputValidationError(f"{emergencies} emergencies but only {n} patients")
    if not m_dept:
        assumptions.append("one department ('general'); say 'for cardiology' to name it")
    assumptions.append(f"planning horizon {days} days; emergencies must be admitted on day 0, "
                       f"electives any day that leaves room for their stay")
    slug = _slug(department)
    patients = [
        {"id": f"P{i + 1:03d}", "department": slug, "length_of_stay": length_of_stay,
         "emergency": i < emergencies, "priority": 5 if i < emergencies else 3,
         "earliest": 0, "latest": 0 if i < emergencies else max(0, days - length_of_stay)}
        for i in range(n)
    ]
    req = AllocationRequest.model_validate({
        "days": days,
        "departments": [{"id": slug, "name": department.title()}],
        "wards": [{"id": f"{slug}-ward", "department": slug, "beds": beds}],
        "patients": patients,
    })
    return ParsedAllocation(request=req, department=department, patients=n, emergencies=emergencies, beds=beds,
                            days=days, assumptions=assumptions)

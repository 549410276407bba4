"""The consultation's answer: one pydantic ``ConsultationAnswer`` whose field names are a CLI/API contract."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from reasoning.answer import Sentence

__all__ = [
    "ConsultationAnswer",
    "DepartmentAdvice",
    "DifferentialItem",
    "DoctorMatch",
    "DrugOption",
    "Finding",
    "RedFlagHit",
    "Sentence",
    "TestSuggestion",
]


class RedFlagHit(BaseModel):
    """A fired red-flag rule: urgent-care advice that comes first, whatever any model writes."""

    rule: str = Field(description="Rule id in red_flags.yaml, e.g. 'stroke_fast'.")
    advice: str = Field(description="What to do now, in the question's language.")
    source: str = Field(description="The clinical source of the rule (NHS, NICE, WHO, ...).")
    matched: list[str] = Field(description="The text spans that fired the rule (one per required sign).")


class Finding(BaseModel):
    """What the question says: a KG concept or a patient attribute (age, sex, pregnancy, duration, onset)."""

    kind: Literal["symptom", "disease", "drug", "check", "anatomy", "other", "age", "sex", "pregnancy", "duration",
                  "onset"]
    text: str = Field(description="The words of the question it comes from.")
    id: str | None = Field(default=None, description="KG node id for concepts.")
    name: str | None = None
    negated: bool = False
    family: bool = Field(default=False, description="About a relative (family history), not the patient.")
    hypothetical: bool = Field(default=False, description="Asked about ('what if', 'could X'), not reported.")
    value: str | float | None = Field(default=None, description="Age in years, sex, duration in days, onset kind.")


class DifferentialItem(BaseModel):
    id: str
    name: str
    score: float = Field(description="Evidence score in [0, 1] (symptom overlap weighted by the KG, minus negated).")
    citations: list[str] = Field(default_factory=list,
                                 description="kg:rel:/kg:node: facts behind the score (for and against).")


class DepartmentAdvice(BaseModel):
    id: str | None = Field(description="Department node id (medkg:dept:<slug>), None when nothing points anywhere.")
    name: str
    score: float = 0.0
    reason: str = ""
    citations: list[str] = Field(default_factory=list)
    alternatives: list[dict[str, str | float | None]] = Field(default_factory=list)


class DoctorMatch(BaseModel):
    name: str
    speciality: str
    department: str | None = None
    source: str = Field(description="'roster' (--roster file) or 'synthea' (ingested providers).")
    citations: list[str] = Field(default_factory=list)


class TestSuggestion(BaseModel):
    id: str
    name: str
    for_disease: str
    citations: list[str] = Field(default_factory=list)


class DrugOption(BaseModel):
    """A treatment option from curated indications; never a dose."""

    id: str
    name: str
    for_disease: str
    kind: Literal["disease-modifying", "symptomatic", "recommended", "common"]
    citations: list[str] = Field(default_factory=list)
    excluded_reason: str | None = Field(default=None, description="Why it is not offered (allergy, already taken).")


class ConsultationAnswer(BaseModel):
    """Red flags first, then the findings, a cited differential, whom to see, tests, treatment options and the
    narrative; ``evidence`` lists every citation id the answer uses.

    ``sentences`` holds the answer engine's checked sentences (each cites ``evidence``); a sentence with no
    citations is a service note (the narrative is unavailable, what cannot be checked), never a clinical claim.
    """

    question: str
    lang: str
    red_flags: list[RedFlagHit] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    differential: list[DifferentialItem] = Field(default_factory=list)
    department: DepartmentAdvice | None = None
    doctors: list[DoctorMatch] = Field(default_factory=list)
    tests: list[TestSuggestion] = Field(default_factory=list)
    drugs: list[DrugOption] = Field(default_factory=list)
    sentences: list[Sentence] = Field(default_factory=list)
    refused: bool = False
    evidence: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """The service notes among ``sentences`` (those without citations)."""
        return [s.text for s in self.sentences if not s.citations]

"""The ``Answer`` the engine returns (a CLI/API contract: field names are fixed) and the events it streams."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from retrieval import EvidenceBundle

__all__ = ["Answer", "AnswerEvent", "Decision", "DroppedSentence", "ModelInfo", "Sentence", "TokenCounts"]

Decision = Literal["yes", "no", "maybe"]


class Sentence(BaseModel):
    """A shown sentence: its text, the citation ids it rests on (all in ``Answer.evidence``), its support score."""

    text: str
    citations: list[str] = Field(default_factory=list)
    support: float = Field(default=0.0, ge=0.0, le=1.0, description="Share of its claim found in what it cites.")


class DroppedSentence(BaseModel):
    """A sentence the checker removed, and why (never shown as part of the answer)."""

    text: str
    citations: list[str] = Field(default_factory=list)
    support: float = 0.0
    reason: str


class ModelInfo(BaseModel):
    base: str
    adapter: str | None = None
    decision: str | None = Field(default=None, description="What gave `decision`: 'generator' or a head's id.")


class TokenCounts(BaseModel):
    prompt: int = 0
    completion: int = 0


class Answer(BaseModel):
    """One answer. ``text`` is the shown sentences joined, each ending in its markers like ``[1]``."""

    question: str
    lang: str | None
    text: str
    sentences: list[Sentence] = Field(default_factory=list)
    decision: Decision | None = Field(default=None, description="yes/no/maybe for a yes/no research question.")
    refused: bool = False
    refusal_reason: str | None = None
    dropped: list[DroppedSentence] = Field(default_factory=list)
    evidence: EvidenceBundle
    model: ModelInfo
    timings_ms: dict[str, float] = Field(
        default_factory=dict, description="retrieve, load (model, ~0 once loaded), prompt, first_token, generate, "
        "check, total."
    )
    tokens: TokenCounts = Field(default_factory=TokenCounts)

    def cited_ids(self) -> list[str]:
        """Every citation id the shown sentences use, in order of first use."""
        seen: dict[str, None] = {}
        for s in self.sentences:
            for c in s.citations:
                seen.setdefault(c, None)
        return list(seen)


class AnswerEvent(BaseModel):
    """A streamed event: ``delta`` (text of a sentence that passed the checker, so nothing unchecked is ever shown),
    then one ``final`` carrying the checked ``Answer``."""

    type: Literal["delta", "final"]
    text: str = ""
    answer: Answer | None = None

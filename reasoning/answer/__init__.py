"""The answer engine: prompt (numbered evidence), marker parser, sentence checker and ``AnswerEngine``.

``AnswerEngine.answer`` / ``.stream`` are the one public entry; the rest is exported for the consultation engine,
the API and the evaluations, which reuse the checker, the prompt and the ``Answer``/``Sentence`` models.
"""

from __future__ import annotations

from reasoning.answer.checker import (
    CALIBRATION_FILE,
    CheckResult,
    SentenceChecker,
    content_terms,
    default_threshold,
    support_score,
)
from reasoning.answer.decision_head import PACKAGED_HEAD, LexicalDecisionHead
from reasoning.answer.engine import AnswerConfig, AnswerEngine, DecisionHead, Retriever
from reasoning.answer.models import (
    Answer,
    AnswerEvent,
    Decision,
    DroppedSentence,
    ModelInfo,
    Sentence,
    TokenCounts,
)
from reasoning.answer.parse import ParsedCompletion, ParsedSentence, parse_completion, split_sentences
from reasoning.answer.prompt import (
    REFUSAL_MARK,
    EvidenceItem,
    PromptConfig,
    PromptPlan,
    build_prompt,
    is_yes_no_question,
    kg_fact_sentence,
)

__all__ = [
    "CALIBRATION_FILE",
    "PACKAGED_HEAD",
    "REFUSAL_MARK",
    "Answer",
    "AnswerConfig",
    "AnswerEngine",
    "AnswerEvent",
    "CheckResult",
    "Decision",
    "DecisionHead",
    "DroppedSentence",
    "EvidenceItem",
    "LexicalDecisionHead",
    "ModelInfo",
    "ParsedCompletion",
    "ParsedSentence",
    "PromptConfig",
    "PromptPlan",
    "Retriever",
    "Sentence",
    "SentenceChecker",
    "TokenCounts",
    "build_prompt",
    "content_terms",
    "default_threshold",
    "is_yes_no_question",
    "kg_fact_sentence",
    "parse_completion",
    "split_sentences",
    "support_score",
]

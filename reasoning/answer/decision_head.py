"""Decision heads: yes/no/maybe classifiers over the prompt, an alternative to the generator's own decision line.

``LexicalDecisionHead``: multinomial logistic regression on TF-IDF content terms of the question (``q:``) and of
the evidence items the model sees (``e:``), trained on the PubMedQA dev examples outside the fixed validation part
(``medkg train decision-head`` is not needed: ``reasoning.training.head.train_lexical_head`` writes the JSON).
The committed head is used by default only when its file says it measured better than the generator on the
validation part (``"chosen": true``, set by the evaluation that compared both).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from reasoning.answer.checker import content_terms
from reasoning.answer.prompt import PromptPlan

__all__ = ["HEADS_DIR", "LexicalDecisionHead", "head_terms", "load_packaged_head"]

HEADS_DIR = Path(__file__).resolve().parent / "heads"
PACKAGED_HEAD = HEADS_DIR / "pubmedqa_lexical.json"


def head_terms(question: str, evidence: list[str]) -> Counter[str]:
    """The head's input features: question terms and evidence terms, kept apart by prefix."""
    c: Counter[str] = Counter()
    c.update("q:" + t for t in content_terms(question))
    for text in evidence:
        c.update("e:" + t for t in content_terms(text))
    return c


class LexicalDecisionHead:
    """Logistic regression over TF-IDF terms (pure Python at inference; see the module docstring)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.head_id: str = str(data.get("head_id", "lexical-lr"))
        self.classes: list[str] = list(data["classes"])
        self.idf: dict[str, float] = dict(data["idf"])
        self.weights: dict[str, list[float]] = dict(data["weights"])
        self.bias: list[float] = list(data["bias"])
        self.meta: dict[str, Any] = dict(data.get("meta", {}))

    @classmethod
    def load(cls, path: Path) -> LexicalDecisionHead:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def vector(self, terms: Counter[str]) -> dict[str, float]:
        v = {t: (1 + math.log(n)) * self.idf[t] for t, n in terms.items() if t in self.idf}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    def probabilities(self, question: str, evidence: list[str]) -> dict[str, float]:
        v = self.vector(head_terms(question, evidence))
        logits = list(self.bias)
        for t, x in v.items():
            w = self.weights.get(t)
            if w:
                for i in range(len(logits)):
                    logits[i] += w[i] * x
        m = max(logits)
        ex = [math.exp(z - m) for z in logits]
        s = sum(ex)
        return {c: e / s for c, e in zip(self.classes, ex, strict=True)}

    def predict(self, plan: PromptPlan, generator: object = None) -> str | None:
        question = plan.messages[-1]["content"].rsplit("Question:", 1)[-1].strip()
        probs = self.probabilities(question, [i.text for i in plan.items if i.kind == "passage"])
        return max(probs, key=lambda c: probs[c]) if probs else None


def load_packaged_head(model_id: str = "", path: Path = PACKAGED_HEAD) -> LexicalDecisionHead | None:
    """The committed head when it exists and was chosen over the generator on the validation part."""
    if not path.is_file():
        return None
    try:
        head = LexicalDecisionHead.load(path)
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(f"decision head {path} is unreadable: {e}") from e
    return head if head.meta.get("chosen") else None

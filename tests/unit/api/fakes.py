"""Fake engines with the contract shapes of ``reasoning.answer.Answer`` / ``AnswerEvent`` and
``reasoning.consult.ConsultationAnswer``, so API tests run in milliseconds without a model."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

EVIDENCE = {
    "query": "q",
    "passages": [
        {"citation_id": "pmid:111#results", "source": "pubmed", "title": "Metformin trial",
         "text": "Metformin lowered HbA1c in adults with type 2 diabetes."},
        {"citation_id": "medquad:42", "source": "medquad", "title": "Diabetes",
         "text": "Type 2 diabetes is treated with lifestyle change and metformin."},
    ],
    "subgraph": {"nodes": [{"citation_id": "kg:node:DOID:9352", "name": "type 2 diabetes mellitus",
                            "label": "Disease"}],
                 "relationships": []},
}


def answer_dict(question: str) -> dict[str, Any]:
    return {
        "question": question, "lang": "en", "refused": False, "refusal_reason": None, "decision": None,
        "text": "Metformin lowers HbA1c [1]. It is first-line [2, 1].",
        "sentences": [{"text": "Metformin lowers HbA1c.", "citations": ["pmid:111#results"], "support": 0.9},
                      {"text": "It is first-line.", "citations": ["medquad:42", "pmid:111#results"], "support": 0.8}],
        "dropped": [], "evidence": EVIDENCE, "model": {"base": "fake"}, "timings_ms": {},
    }


class FakeAnswerEngine:
    """``answer`` returns a fixed cited answer; ``stream`` yields its two sentences (``delay`` s apart, counting
    them in ``produced``) and a final event; ``closed`` is set when the stream is closed early."""

    def __init__(self, delay: float = 0.0, sentences: int = 2) -> None:
        self.delay = delay
        self.sentences = sentences
        self.produced = 0
        self.closed = threading.Event()
        self.questions: list[str] = []

    def answer(self, question: str, *, bundle: Any = None, k: int | None = None,
               max_tokens: int | None = None) -> dict[str, Any]:
        self.questions.append(question)
        return answer_dict(question)

    def stream(self, question: str, *, bundle: Any = None, k: int | None = None,
               max_tokens: int | None = None) -> Iterator[dict[str, Any]]:
        self.questions.append(question)
        texts = ["Metformin lowers HbA1c [1].", " It is first-line [2, 1]."]
        try:
            for i in range(self.sentences):
                time.sleep(self.delay)
                self.produced += 1
                yield {"type": "delta", "text": texts[i % 2]}
            yield {"type": "final", "answer": answer_dict(question)}
        except GeneratorExit:
            self.closed.set()
            raise


class FakeConsultation:
    """A consultation with one fired red flag and a cited differential."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def consult(self, question: str, *, patient: str | None = None, roster: Any = None,
                narrate: bool = True) -> dict[str, Any]:
        self.calls.append((question, patient))
        return {
            "question": question, "lang": "en",
            "red_flags": [{"rule": "chest_pain_sweating", "advice": "Call 999 now.", "source": "NHS 111",
                           "matched": ["chest pain", "sweating"]}],
            "findings": [], "differential": [{"id": "DOID:5844", "name": "myocardial infarction", "score": 0.8,
                                              "citations": ["kg:node:DOID:5844"]}],
            "department": {"id": "medkg:dept:cardiology", "name": "Cardiology", "citations": []},
            "doctors": [], "tests": [], "drugs": [],
            "sentences": [{"text": "Chest pain with sweating can be a heart attack.",
                           "citations": ["pmid:111#results"], "support": 0.7}],
            "refused": False, "evidence": EVIDENCE, "timings_ms": {},
        }


class FakeRetriever:
    def search(self, query: str, k: int = 10) -> dict[str, Any]:
        return {**EVIDENCE, "query": query, "passages": EVIDENCE["passages"][:k]}

    def close(self) -> None:
        pass

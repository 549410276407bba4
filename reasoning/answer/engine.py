"""``AnswerEngine``: question → evidence → prompt → generator → checker → ``Answer``.

One public entry per mode: ``answer`` (the checked ``Answer``) and ``stream`` (events: each sentence that passes
the checker as soon as it is complete, then the final ``Answer``). Both run the same steps, so they agree.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from medkg.errors import EmptyInputError, InputValidationError
from medkg.settings import Settings
from reasoning.answer.checker import SentenceChecker, content_terms
from reasoning.answer.models import Answer, AnswerEvent, DroppedSentence, ModelInfo, Sentence, TokenCounts
from reasoning.answer.parse import parse_completion, split_sentences
from reasoning.answer.prompt import PromptConfig, PromptPlan, approx_tokens, build_prompt
from reasoning.generation import Generator
from retrieval import EvidenceBundle, detect_lang

__all__ = ["AnswerConfig", "AnswerEngine", "DecisionHead", "Retriever"]

log = logging.getLogger(__name__)

_NAME_LABELS = ("Compound", "Disease", "Symptom")


class Retriever(Protocol):
    def search(self, query: str, k: int = 10) -> EvidenceBundle: ...


class DecisionHead(Protocol):
    """A yes/no/maybe classifier over the prompt (e.g. logistic regression on the generator's hidden state)."""

    head_id: str

    def predict(self, plan: PromptPlan, generator: Generator) -> str | None: ...


@dataclass(frozen=True)
class AnswerConfig:
    k: int = 6
    max_tokens: int = 160
    max_question_chars: int = 2000
    prompt: PromptConfig = field(default_factory=PromptConfig)
    threshold: float | None = None  # None = the calibrated default
    min_relevant_terms: int = 1


class AnswerEngine:
    """Answers from an ``EvidenceBundle`` (given, or from ``retriever``) with a ``Generator``; no I/O here."""

    def __init__(
        self,
        generator: Generator,
        retriever: Retriever | None = None,
        *,
        config: AnswerConfig | None = None,
        decision_head: DecisionHead | None = None,
    ) -> None:
        self.generator = generator
        self.retriever = retriever
        self.config = config or AnswerConfig()
        self.decision_head = decision_head

    @classmethod
    def from_settings(
        cls, settings: Settings, *, retriever: Retriever | None = None, config: AnswerConfig | None = None
    ) -> AnswerEngine:
        """The configured generator (``MEDKG_GENERATOR``, adapter, device, dtype, decoding; loaded lazily on the
        first answer, once per process) and the committed decision head when it fits that generator."""
        from reasoning.answer.decision_head import load_packaged_head
        from reasoning.generation import load_generator

        gen = load_generator(
            settings.generator, cache=settings.models_dir, adapter=settings.generator_adapter,
            device=settings.device, dtype=settings.generator_dtype, decoding=settings.generator_decoding,
            offline=settings.offline,
        )
        cfg = config or AnswerConfig(max_tokens=settings.generator_max_tokens,
                                     max_question_chars=settings.max_query_chars)
        return cls(gen, retriever, config=cfg, decision_head=load_packaged_head(gen.model_id))

    # ---- public entries ------------------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        *,
        bundle: EvidenceBundle | None = None,
        k: int | None = None,
        max_tokens: int | None = None,
    ) -> Answer:
        """The checked answer to ``question`` (``bundle`` given → no retrieval)."""
        final: Answer | None = None
        for ev in self.stream(question, bundle=bundle, k=k, max_tokens=max_tokens):
            if ev.type == "final":
                final = ev.answer
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        *,
        bundle: EvidenceBundle | None = None,
        k: int | None = None,
        max_tokens: int | None = None,
    ) -> Iterator[AnswerEvent]:
        """``delta`` events (checked sentences, with their markers), then one ``final`` event with the Answer.

        Raises :class:`EmptyInputError` / :class:`InputValidationError` for an empty or over-long question or a
        bad ``k``/``max_tokens``; everything else (no evidence, unknown language) is an honest refusal.
        """
        t0 = time.perf_counter()
        q, k_, max_new = self.validate(question, k, max_tokens)
        timings: dict[str, float] = {}
        if bundle is None:
            bundle = self.retrieve(q, k_)
            timings["retrieve"] = (time.perf_counter() - t0) * 1000
        else:
            timings["retrieve"] = 0.0
        lang = bundle.lang if bundle.lang is not None else detect_lang(q)
        gate = self.relevance(q, bundle)
        if gate is not None:
            timings["total"] = (time.perf_counter() - t0) * 1000
            yield AnswerEvent(type="final", answer=self._refusal(q, lang, bundle, gate, [], timings, None))
            return
        load = getattr(self.generator, "load", None)
        if callable(load):  # the first answer loads the model: timed apart, not as prompt building
            t = time.perf_counter()
            load()
            timings["load"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        plan = self.build_prompt(q, bundle, lang)
        timings["prompt"] = (time.perf_counter() - t) * 1000
        yield from self._generate_and_check(q, lang, bundle, plan, max_new, timings, t0)

    # ---- overridable steps ---------------------------------------------------------------------------------
    def validate(self, question: str, k: int | None, max_tokens: int | None) -> tuple[str, int, int]:
        if not isinstance(question, str):
            raise InputValidationError(f"the question must be a string, got {type(question).__name__}")
        q = question.strip()
        if not q:
            raise EmptyInputError("the question is empty")
        if len(q) > self.config.max_question_chars:
            raise InputValidationError(
                f"the question has {len(q)} characters, more than the limit of {self.config.max_question_chars}"
            )
        k_ = self.config.k if k is None else k
        if not isinstance(k_, int) or isinstance(k_, bool) or not 1 <= k_ <= 50:
            raise InputValidationError(f"k must be an integer from 1 to 50, got {k_!r}")
        m = self.config.max_tokens if max_tokens is None else max_tokens
        if not isinstance(m, int) or isinstance(m, bool) or not 8 <= m <= 2048:
            raise InputValidationError(f"max_tokens must be an integer from 8 to 2048, got {m!r}")
        return q, k_, m

    def retrieve(self, question: str, k: int) -> EvidenceBundle:
        if self.retriever is None:
            return EvidenceBundle(query=question, lang=detect_lang(question),
                                  reason="no retriever is configured and no evidence was given")
        return self.retriever.search(question, k)

    def relevance(self, question: str, bundle: EvidenceBundle) -> str | None:
        """None when the bundle has something relevant to the question, else why not (→ refusal)."""
        if detect_lang(question) is None:
            return "unknown language: the question has no letters or ideographs (only digits, symbols or emoji)"
        if bundle.empty:
            return bundle.reason or "retrieval found no passage or graph fact for the question"
        if any(n.seed for n in bundle.subgraph.nodes):
            return None
        q_terms = content_terms(question)
        best = max((len(q_terms & content_terms(p.text)) for p in bundle.passages), default=0)
        if best < self.config.min_relevant_terms:
            return "nothing relevant was found: no retrieved passage shares a content word with the question"
        return None

    def build_prompt(self, question: str, bundle: EvidenceBundle, lang: str | None) -> PromptPlan:
        count: Callable[[str], int] = getattr(self.generator, "count_tokens", approx_tokens)
        return build_prompt(question, bundle, config=self.config.prompt, count=count, lang=lang)

    def checker(self, bundle: EvidenceBundle) -> SentenceChecker:
        names = [n.name for n in bundle.subgraph.nodes if n.label in _NAME_LABELS]
        return SentenceChecker(threshold=self.config.threshold, names=names)

    # ---- internals -----------------------------------------------------------------------------------------
    def _generate_and_check(
        self,
        q: str,
        lang: str | None,
        bundle: EvidenceBundle,
        plan: PromptPlan,
        max_new: int,
        timings: dict[str, float],
        t0: float,
    ) -> Iterator[AnswerEvent]:
        checker = self.checker(bundle)
        head_decision: str | None = None
        decision_source: str | None = None
        if plan.yes_no and self.decision_head is not None:
            head_decision = self.decision_head.predict(plan, self.generator)
            decision_source = self.decision_head.head_id
        kept: list[Sentence] = []
        dropped: list[DroppedSentence] = []
        numbering: dict[str, int] = {}
        gen_decision: str | None = None
        refusal_mark = False
        raw = ""
        buf = ""
        t_gen = time.perf_counter()
        check_ms = 0.0

        def process(chunk: str) -> Iterator[AnswerEvent]:
            nonlocal gen_decision, refusal_mark, check_ms
            tc = time.perf_counter()
            parsed = parse_completion(chunk)
            gen_decision = gen_decision or parsed.decision
            refusal_mark = refusal_mark or parsed.refusal
            res = checker.check(parsed.sentences, plan.items)
            seen_before = {" ".join(s.text.lower().split()) for s in kept}
            out: list[AnswerEvent] = []
            for s in res.kept:
                if " ".join(s.text.lower().split()) in seen_before:
                    dropped.append(DroppedSentence(text=s.text, citations=s.citations, support=s.support,
                                                   reason="repeats an earlier sentence"))
                    continue
                kept.append(s)
                out.append(AnswerEvent(type="delta", text=("" if len(kept) == 1 else " ") + _render(s, numbering)))
            dropped.extend(res.dropped)
            check_ms += (time.perf_counter() - tc) * 1000
            yield from out

        for delta in self.generator.stream(plan.messages, max_new):
            if "first_token" not in timings:
                timings["first_token"] = (time.perf_counter() - t0) * 1000
            raw += delta
            buf += delta
            parts = split_sentences(buf)
            if len(parts) > 1:
                done = buf[: buf.rfind(parts[-1])] if parts[-1] in buf else buf
                buf = buf[len(done):]
                yield from process(done)
        if buf.strip():
            yield from process(buf)
        timings["generate"] = (time.perf_counter() - t_gen) * 1000 - check_ms
        timings["check"] = check_ms
        tokens = self._tokens(plan, raw)
        decision = head_decision or gen_decision if plan.yes_no else None
        if decision is not None and decision_source is None:
            decision_source = "generator"
        if not kept:
            why = (
                "the model found the evidence insufficient" if refusal_mark
                else f"none of the {len(dropped)} generated sentence(s) was supported by the evidence it cites"
            )
            timings["total"] = (time.perf_counter() - t0) * 1000
            ans = self._refusal(q, lang, bundle, why, dropped, timings, decision, decision_source)
            ans.tokens = tokens
            yield AnswerEvent(type="final", answer=ans)
            return
        text = " ".join(_render(s, numbering) for s in kept)
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield AnswerEvent(type="final", answer=Answer(
            question=q, lang=lang, text=text, sentences=kept, decision=decision,
            refused=False, dropped=dropped, evidence=bundle, model=self._model_info(decision_source),
            timings_ms=timings, tokens=tokens,
        ))

    def _tokens(self, plan: PromptPlan, raw: str) -> TokenCounts:
        stats = getattr(self.generator, "last_stats", None)
        if stats is not None and int(getattr(stats, "prompt_tokens", 0)) > 0:
            return TokenCounts(prompt=stats.prompt_tokens, completion=stats.new_tokens)
        count: Callable[[str], int] = getattr(self.generator, "count_tokens", approx_tokens)
        return TokenCounts(prompt=sum(count(m["content"]) for m in plan.messages), completion=count(raw))

    def _model_info(self, decision_source: str | None) -> ModelInfo:
        adapter = getattr(self.generator, "adapter_id", None)
        base = self.generator.model_id
        if adapter and base.endswith("+" + adapter):
            base = base[: -len(adapter) - 1]
        return ModelInfo(base=base, adapter=adapter, decision=decision_source)

    def _refusal(
        self,
        q: str,
        lang: str | None,
        bundle: EvidenceBundle,
        why: str,
        dropped: list[DroppedSentence],
        timings: dict[str, float],
        decision: str | None,
        decision_source: str | None = None,
    ) -> Answer:
        n_p, n_f = len(bundle.passages), len(bundle.subgraph.relationships)
        top = ", ".join(p.citation_id for p in bundle.passages[:3])
        if lang == "zh":
            text = (f"现有证据不足以回答这个问题。检索内容：“{q[:80]}”；找到 {n_p} 条文献段落"
                    f"{'（' + top + '）' if top else ''}和 {n_f} 条知识图谱事实，但没有能支持回答的内容。")
        else:
            text = (f"The evidence is insufficient to answer this question. Searched for: \"{q[:80]}\"; found "
                    f"{n_p} passage(s){' (' + top + ')' if top else ''} and {n_f} graph fact(s), none of which "
                    "supports an answer.")
        return Answer(
            question=q, lang=lang, text=text, sentences=[], decision=decision,
            refused=True, refusal_reason=why, dropped=dropped, evidence=bundle,
            model=self._model_info(decision_source), timings_ms=timings,
        )


def _render(s: Sentence, numbering: dict[str, int]) -> str:
    marks = []
    for c in s.citations:
        numbering.setdefault(c, len(numbering) + 1)
        marks.append(numbering[c])
    text = s.text.rstrip()
    mark = f"[{', '.join(map(str, marks))}]"
    if text and text[-1] in ".!?。！？":
        return f"{text[:-1]} {mark}{text[-1]}" if text[-1] in ".!?" else f"{text[:-1]}{mark}{text[-1]}"
    return f"{text} {mark}"

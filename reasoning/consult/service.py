"""``ConsultationService.consult``: the one public entry of the consultation.

question → red flags (rules, first) → findings (linker, negation, attributes) → differential (KG) → department
(KG + triage classifier) → doctors (roster or providers) → tests → treatment options (checked against the
patient's record) → evidence → optional narrative by the answer engine over that evidence. Everything but the
narrative is structured, needs no language model, and is fast once the tables are built (:meth:`warm_up`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kg import GraphStore
from medkg.errors import EmptyInputError, InputValidationError, MedkgError
from medkg.settings import Settings
from reasoning.consult.care import choose_department, drug_options, suggest_tests
from reasoning.consult.differential import rank_differential
from reasoning.consult.evidence import build_bundle, collect_evidence
from reasoning.consult.knowledge import ConsultKnowledge
from reasoning.consult.models import ConsultationAnswer, Sentence
from reasoning.consult.patient import PatientContext, load_patient
from reasoning.consult.redflags import RedFlagRules, load_red_flags
from reasoning.consult.roster import RosterEntry, match_doctors
from reasoning.consult.triage import DEFAULT_MODEL_DIR, TriageModel, load_triage
from reasoning.consult.understanding import lay_entries, understand
from retrieval import EvidenceBundle, Mention

__all__ = ["ConsultationService", "Narrator"]

log = logging.getLogger(__name__)
T = TypeVar("T")

KNOWLEDGE_CACHE = "consult_knowledge.pkl"
NO_INTERACTIONS = ("Not checked: drug-drug interactions (the data here holds none); allergies and current medications "
                   "are checked by name and drug id only.")


class Narrator(Protocol):
    """What the consultation needs of the answer engine (``reasoning.answer.AnswerEngine`` fits)."""

    def answer(self, question: str, *, bundle: EvidenceBundle | None = None) -> Any: ...


class _Linker(Protocol):
    def link(self, text: str, *, lang: str | None = None) -> list[Mention]: ...


class ConsultationService:
    """Consultations over one store. Nothing is read in the constructor; :meth:`warm_up` builds the tables."""

    def __init__(self, store: GraphStore, *, linker: _Linker | None = None, index_dir: Path | None = None,
                 narrator: Narrator | None = None, narrator_factory: Callable[[], Narrator] | None = None,
                 triage_dir: Path = DEFAULT_MODEL_DIR, red_flags: RedFlagRules | None = None,
                 max_chars: int = 2000, k: int = 10) -> None:
        self.store = store
        self.knowledge = ConsultKnowledge(store, cache_path=index_dir / KNOWLEDGE_CACHE if index_dir else None)
        self._linker = linker
        self._lay: _Linker | None = None
        self._index_dir = index_dir
        self._narrator = narrator
        self._narrator_factory = narrator_factory
        self._narrator_error: str | None = None
        self._triage_dir = triage_dir
        self._triage: TriageModel | None = None
        self._triage_error: str | None = None
        self._rules = red_flags
        self.max_chars = max_chars
        self.k = k

    @classmethod
    def from_settings(cls, settings: Settings, *, store: GraphStore, narrator: Narrator | None = None
                      ) -> ConsultationService:
        """The service over ``store`` with the home's linker cache; the narrator is the configured answer engine,
        built (and its generator loaded) only when a consultation first asks for a narrative."""

        def engine() -> Narrator:
            from reasoning.answer import AnswerEngine

            built: Narrator = AnswerEngine.from_settings(settings)
            return built

        return cls(store, index_dir=settings.index_dir, narrator=narrator, narrator_factory=engine,
                   max_chars=settings.max_query_chars)

    # -- set-up ---------------------------------------------------------------------------------------------------
    def warm_up(self) -> dict[str, float]:
        """Load the rules, linker, tables and triage model; returns the milliseconds of each."""
        out: dict[str, float] = {}
        steps: tuple[tuple[str, Callable[[], object]], ...] = (
            ("red_flags", self.rules), ("linker", self.linkers), ("knowledge", self.knowledge.ensure),
            ("providers", lambda: self.knowledge.providers("")), ("triage", self.triage))
        for name, fn in steps:
            t0 = time.perf_counter()
            fn()
            out[name] = round(1000 * (time.perf_counter() - t0), 1)
        return out

    def rules(self) -> RedFlagRules:
        if self._rules is None:
            self._rules = load_red_flags()
        return self._rules

    def linkers(self) -> tuple[_Linker, _Linker]:
        if self._linker is None:
            from retrieval import DictionaryLinker

            if self._index_dir is None:
                self._linker = DictionaryLinker.from_store(self.store)
            else:
                self._linker = DictionaryLinker.load_or_build(self.store, self._index_dir / "linker.pkl")
        if self._lay is None:
            from retrieval import DictionaryLinker

            entries = lay_entries()
            present = self.store.existing_ids(sorted({e.node_id for e in entries}))
            self._lay = DictionaryLinker([e for e in entries if e.node_id in present])
        assert self._linker is not None and self._lay is not None
        return self._linker, self._lay

    def triage(self) -> TriageModel | None:
        if self._triage is None and self._triage_error is None:
            try:
                self._triage = load_triage(self._triage_dir)
                self._triage.predict("warm-up", "")  # loads jieba's dictionary (about 1 s) now, not in a consult
            except MedkgError as e:
                self._triage_error = str(e)
                log.warning("triage classifier unavailable: %s", type(e).__name__)
        return self._triage

    def narrator(self) -> Narrator | None:
        if self._narrator is None and self._narrator_factory is not None and self._narrator_error is None:
            try:
                self._narrator = self._narrator_factory()
            except (MedkgError, OSError, RuntimeError, ImportError, ValueError) as e:  # optional: the answer stands
                self._narrator_error = f"{type(e).__name__}: {e}"
                log.warning("answer engine unavailable for the narrative: %s", type(e).__name__)
        return self._narrator

    # -- the entry --------------------------------------------------------------------------------------------------
    def consult(self, question: str, *, patient: str | None = None, roster: Sequence[RosterEntry] | None = None,
                narrate: bool = True) -> ConsultationAnswer:
        """The structured consultation of ``question`` (English or Chinese), with ``patient``'s record (pseudonym)
        and a hospital ``roster``; ``narrate`` adds the answer engine's checked summary when one is available."""
        text = self._validate(question)
        timings: dict[str, float] = {}
        t_all = time.perf_counter()

        def timed(name: str, fn: Callable[[], T]) -> T:
            t0 = time.perf_counter()
            try:
                return fn()
            finally:
                timings[name] = round(1000 * (time.perf_counter() - t0), 2)

        linker, lay = self.linkers()
        self.knowledge.ensure()
        ctx: PatientContext | None = timed("patient", lambda: load_patient(self.store, patient)) if patient else None
        und = timed("understand", lambda: understand(text, linker, lay))
        flags = timed("red_flags", lambda: self.rules().check(text, lang=und.lang, age_days=und.attributes.age_days))
        names = self.knowledge.nodes([f.id for f in und.findings if f.id])
        for f in und.findings:
            if f.id and f.id in names:
                f.name = names[f.id].name
        diff = timed("differential", lambda: rank_differential(
            self.knowledge, und.ids("symptom"), und.ids("symptom", negated=True),
            [d for d in und.ids("disease") if d not in und.stated_diseases()], stated=und.stated_diseases(), k=self.k))
        model = self.triage() if und.lang == "zh" else None
        pred = timed("triage", lambda: model.predict(text, "", k=3)) if model is not None else None
        dept = timed("department", lambda: choose_department(self.knowledge, diff, pred, flags))
        doctors = timed("doctors", lambda: match_doctors(self.knowledge, dept, roster))
        tests = timed("tests", lambda: suggest_tests(self.knowledge, diff))
        drugs = timed("drugs", lambda: drug_options(self.knowledge, diff, ctx))
        notes = self._notes(und, diff, drugs, ctx, model)
        answer = ConsultationAnswer(question=text, lang=und.lang, red_flags=flags, findings=und.findings,
                                    differential=diff, department=dept, doctors=doctors, tests=tests, drugs=drugs,
                                    refused=not flags and not diff and not und.ids("disease"))
        answer.evidence = collect_evidence(answer, ctx)
        timings["structured"] = round(1000 * (time.perf_counter() - t_all), 2)
        answer.sentences = timed("narrative", lambda: self._narrate(answer, ctx, narrate)) + [
            Sentence(text=n, citations=[], support=0.0) for n in notes]
        timings["total"] = round(1000 * (time.perf_counter() - t_all), 2)
        answer.timings_ms = timings
        return answer

    # -- steps ------------------------------------------------------------------------------------------------------
    def _validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise EmptyInputError("the question is empty: describe the symptoms in a sentence")
        text = " ".join(question.split())
        if len(text) > self.max_chars:
            raise InputValidationError(f"the question has {len(text)} characters; at most {self.max_chars} are read")
        if not any(c.isalpha() for c in text):
            raise InputValidationError("the question has no words: describe the symptoms in English or Chinese")
        return text

    def _notes(self, und: Any, diff: Sequence[Any], drugs: Sequence[Any], ctx: PatientContext | None,
               model: TriageModel | None) -> list[str]:
        notes: list[str] = []
        if not diff and not und.ids("disease"):
            notes.append("No symptom or condition in the question was recognised in the knowledge graph, so there "
                         "is no differential; describe the symptoms in a sentence (English or Chinese).")
        if und.lang == "zh" and model is None and self._triage_error:
            notes.append(f"The triage classifier is unavailable: {self._triage_error}")
        if drugs or ctx is not None:
            notes.append(NO_INTERACTIONS)
        notes.append("This is decision support from a knowledge graph, not a diagnosis; see a clinician.")
        return notes

    def _narrate(self, answer: ConsultationAnswer, ctx: PatientContext | None, narrate: bool) -> list[Sentence]:
        if not narrate:
            return []
        narrator = self.narrator()
        if narrator is None:
            why = f" ({self._narrator_error})" if self._narrator_error else ""
            return [Sentence(text=f"The narrative is not available: no answer engine is configured{why}; the "
                             "structured answer above is complete.", citations=[], support=0.0)]
        bundle = build_bundle(answer, self.knowledge, ctx)
        try:
            result = narrator.answer(answer.question, bundle=bundle)
        except MedkgError as e:
            return [Sentence(text=f"The narrative failed ({type(e).__name__}); the structured answer stands.",
                             citations=[], support=0.0)]
        keep = set(answer.evidence)
        kept = [Sentence(text=s.text, citations=list(s.citations), support=s.support)
                for s in getattr(result, "sentences", []) if s.citations and set(s.citations) <= keep]
        if not kept:
            return [Sentence(text="The answer engine wrote no sentence that its checker could back with this "
                             "consultation's evidence; the structured answer stands.", citations=[], support=0.0)]
        return kept

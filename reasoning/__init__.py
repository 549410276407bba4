"""medkg reasoning layer: what is decided from the evidence: cited answers (``AnswerEngine`` over a ``Generator``)
consultations (``ConsultationService``: red flags, differential, department, drugs) and solver-backed allocation."""

from reasoning.allocation import (
    AllocationRequest,
    AllocationResponse,
    AllocationService,
    build_example_request,
    load_instance,
    read_solution,
    solve_orpas,
    validate_solution,
    write_solution,
)
from reasoning.answer import Answer, AnswerConfig, AnswerEngine, AnswerEvent, Sentence, SentenceChecker
from reasoning.consult import ConsultationAnswer, ConsultationService
from reasoning.generation import Generator, TransformersGenerator, load_generator

__all__ = [
    "AllocationRequest",
    "AllocationResponse",
    "AllocationService",
    "Answer",
    "AnswerConfig",
    "AnswerEngine",
    "AnswerEvent",
    "ConsultationAnswer",
    "ConsultationService",
    "Generator",
    "Sentence",
    "SentenceChecker",
    "TransformersGenerator",
    "build_example_request",
    "load_generator",
    "load_instance",
    "read_solution",
    "solve_orpas",
    "validate_solution",
    "write_solution",
]

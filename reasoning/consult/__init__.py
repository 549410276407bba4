"""Consultation: symptoms in free text (English or Chinese) → red flags first, a cited differential from the KG,
the department and doctor to see, tests, treatment options checked against the patient's record, and an optional
narrative by the answer engine. Public entry: :meth:`ConsultationService.consult` → :class:`ConsultationAnswer`.
"""

from __future__ import annotations

from reasoning.consult.confusion_png import write_confusion_png
from reasoning.consult.devsets import build_dev_sets, evaluate_differential, read_cases
from reasoning.consult.models import (
    ConsultationAnswer,
    DepartmentAdvice,
    DifferentialItem,
    DoctorMatch,
    DrugOption,
    Finding,
    RedFlagHit,
    TestSuggestion,
)
from reasoning.consult.patient import PATIENT_UNAVAILABLE
from reasoning.consult.redflags import RED_FLAGS_FILE, RedFlagRule, RedFlagRules, load_red_flags
from reasoning.consult.roster import RosterEntry, read_roster
from reasoning.consult.service import ConsultationService, Narrator
from reasoning.consult.triage import DEFAULT_MODEL_DIR as TRIAGE_MODEL_DIR
from reasoning.consult.triage import TriageModel, TriagePrediction, load_triage
from reasoning.consult.triage_train import Consultation, evaluate_triage, read_consultations, train_triage

__all__ = [
    "PATIENT_UNAVAILABLE",
    "RED_FLAGS_FILE",
    "TRIAGE_MODEL_DIR",
    "Consultation",
    "ConsultationAnswer",
    "ConsultationService",
    "DepartmentAdvice",
    "DifferentialItem",
    "DoctorMatch",
    "DrugOption",
    "Finding",
    "Narrator",
    "RedFlagHit",
    "RedFlagRule",
    "RedFlagRules",
    "RosterEntry",
    "TestSuggestion",
    "TriageModel",
    "TriagePrediction",
    "build_dev_sets",
    "evaluate_differential",
    "evaluate_triage",
    "load_red_flags",
    "load_triage",
    "read_cases",
    "read_consultations",
    "read_roster",
    "train_triage",
    "write_confusion_png",
]

"""Evaluations of the answer engine (``medkg eval pubmedqa|bioasq|mcq|citations``): readers, runners, metrics."""

from __future__ import annotations

from reasoning.evaluation.calibration import calibrate_threshold
from reasoning.evaluation.metrics import classification_report, latency, plot_calibration, plot_confusion
from reasoning.evaluation.readers import McqRow, YesNoRow, read_jsonl, read_mcq, read_yes_no
from reasoning.evaluation.runner import evaluate_citations, evaluate_mcq, evaluate_yes_no

__all__ = [
    "McqRow",
    "YesNoRow",
    "calibrate_threshold",
    "classification_report",
    "evaluate_citations",
    "evaluate_mcq",
    "evaluate_yes_no",
    "latency",
    "plot_calibration",
    "plot_confusion",
    "read_jsonl",
    "read_mcq",
    "read_yes_no",
]

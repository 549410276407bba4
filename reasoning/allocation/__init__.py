"""Solver-backed hospital allocation: OR-PAS (read, solve static/dynamic, validate, write) and the general service.

A solver decides (OR-Tools CP-SAT for OR-PAS, HiGHS for the general service), an independent validator
checks, and explanations cite solver facts (``solver:<run>#...``) and KG facts (``kg:...``). Solver
libraries are imported inside the functions that use them, never here.
"""

from reasoning.allocation.example import ExampleStats, build_example_request, example_stats
from reasoning.allocation.explain import render_response
from reasoning.allocation.orpas_bound import BoundResult, relaxation_bound
from reasoning.allocation.orpas_io import load_instance, read_solution, write_solution
from reasoning.allocation.orpas_solve import OrPasResult, solve_orpas
from reasoning.allocation.orpas_types import CostBreakdown, OrPasInstance, OrPasSolution
from reasoning.allocation.orpas_validator import ValidationReport, render_report, validate_solution
from reasoning.allocation.service_models import (
    AllocationRequest,
    AllocationResponse,
    Assignment,
    Explanation,
    Fact,
    PatientRequest,
)
from reasoning.allocation.service_solver import AllocationService, request_run_id

__all__ = [
    "AllocationRequest",
    "AllocationResponse",
    "AllocationService",
    "Assignment",
    "BoundResult",
    "CostBreakdown",
    "ExampleStats",
    "Explanation",
    "Fact",
    "OrPasInstance",
    "OrPasResult",
    "OrPasSolution",
    "PatientRequest",
    "ValidationReport",
    "build_example_request",
    "example_stats",
    "load_instance",
    "read_solution",
    "relaxation_bound",
    "render_report",
    "render_response",
    "request_run_id",
    "solve_orpas",
    "validate_solution",
    "write_solution",
]

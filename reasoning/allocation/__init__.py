"""Solver-backed hospital allocation: ``orpas/`` (OR-PAS: read, solve static/dynamic, validate, write) and
``service/`` (the general service); ``highs_lp`` is what both share.

A solver decides (OR-Tools CP-SAT for OR-PAS, HiGHS for the general service), an independent validator
checks, and explanations cite solver facts (``solver:<run>#...``) and KG facts (``kg:...``). Solver
libraries are imported inside the functions that use them, never here.
"""

from reasoning.allocation.orpas import (
    BoundResult,
    CostBreakdown,
    OrPasInstance,
    OrPasResult,
    OrPasSolution,
    ValidationReport,
    load_instance,
    read_solution,
    relaxation_bound,
    render_report,
    solve_orpas,
    validate_solution,
    write_solution,
)
from reasoning.allocation.service import (
    AllocationRequest,
    AllocationResponse,
    AllocationService,
    Assignment,
    ExampleStats,
    Explanation,
    Fact,
    PatientRequest,
    build_example_request,
    example_stats,
    render_response,
    request_run_id,
)

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

"""The general allocation service: patients + wards, beds, operating rooms → a HiGHS-decided, cited plan.

The request is fitted to the KG's departments (``kg_fit``), solved as a MIP, and explained with solver
facts (``solver:<run>#...``) and KG facts (``kg:...``).
"""

from reasoning.allocation.service.example import ExampleStats, build_example_request, example_stats
from reasoning.allocation.service.explain import render_response
from reasoning.allocation.service.limits import (
    MAX_DAYS,
    MAX_PATIENTS,
    MAX_TIME_LIMIT_S,
    MAX_WEIGHT,
    MAX_WORKERS,
    check_count,
    check_time_limit,
)
from reasoning.allocation.service.models import (
    AllocationRequest,
    AllocationResponse,
    Assignment,
    Explanation,
    Fact,
    PatientRequest,
    check_plan,
)
from reasoning.allocation.service.solver import AllocationService, request_run_id
from reasoning.allocation.service.synthetic import synthetic_request

__all__ = [
    "MAX_DAYS",
    "MAX_PATIENTS",
    "MAX_TIME_LIMIT_S",
    "MAX_WEIGHT",
    "MAX_WORKERS",
    "AllocationRequest",
    "AllocationResponse",
    "AllocationService",
    "Assignment",
    "ExampleStats",
    "Explanation",
    "Fact",
    "PatientRequest",
    "build_example_request",
    "check_count",
    "check_plan",
    "check_time_limit",
    "example_stats",
    "render_response",
    "request_run_id",
    "synthetic_request",
]

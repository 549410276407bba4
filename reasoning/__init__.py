"""medkg reasoning layer: what is decided from the evidence; for now solver-backed allocation."""

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

__all__ = [
    "AllocationRequest",
    "AllocationResponse",
    "AllocationService",
    "build_example_request",
    "load_instance",
    "read_solution",
    "solve_orpas",
    "validate_solution",
    "write_solution",
]

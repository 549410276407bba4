"""OR-PAS patient admission scheduling: read, solve (static and day by day), bound, validate and write.

CP-SAT (OR-Tools) decides, a HiGHS relaxation proves the lower bound, an independent validator checks.
Solver libraries are imported inside the functions that use them, never here.
"""

from reasoning.allocation.orpas.bound import BoundResult, relaxation_bound
from reasoning.allocation.orpas.domain import CostBreakdown, OrPasInstance, OrPasSolution
from reasoning.allocation.orpas.referee import RefereeScore, referee_script, run_referee
from reasoning.allocation.orpas.resample import resample_instance
from reasoning.allocation.orpas.solve import DEFAULT_SECONDS, OrPasResult, check_run_options, solve_orpas
from reasoning.allocation.orpas.validator import ValidationReport, render_report, validate_solution
from reasoning.allocation.orpas.xml_io import load_instance, read_solution, write_solution

__all__ = [
    "DEFAULT_SECONDS",
    "BoundResult",
    "CostBreakdown",
    "OrPasInstance",
    "OrPasResult",
    "OrPasSolution",
    "RefereeScore",
    "ValidationReport",
    "check_run_options",
    "load_instance",
    "read_solution",
    "referee_script",
    "relaxation_bound",
    "render_report",
    "resample_instance",
    "run_referee",
    "solve_orpas",
    "validate_solution",
    "write_solution",
]

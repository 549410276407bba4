"""Limits of the general allocation service's inputs, and the checks the CLI and the API share.

The request model (:mod:`models`) uses the limits in its field constraints, so ``POST /allocate`` (422) and
``medkg allocate plan`` (exit 2) refuse the same requests with the same reason; options that are not part
of the request (the solver's time limit and threads, the example's horizon and size) go through the
``check_*`` functions here, which raise :class:`InputValidationError` naming the option.
"""

from __future__ import annotations

import math

from medkg.errors import InputValidationError

__all__ = [
    "MAX_DAYS",
    "MAX_ITEMS",
    "MAX_LENGTH_OF_STAY",
    "MAX_OR_MINUTES",
    "MAX_PATIENTS",
    "MAX_TIME_LIMIT_S",
    "MAX_WEIGHT",
    "MAX_WORKERS",
    "check_count",
    "check_time_limit",
]

MAX_DAYS = 366  # planning horizon
MAX_LENGTH_OF_STAY = 365
MAX_PATIENTS = 100_000
MAX_ITEMS = 10_000  # departments, wards, operating rooms, equipment kinds, plan entries beyond the patients
MAX_OR_MINUTES = 24 * 60  # minutes one operating room gives one department on one day
MAX_WEIGHT = 1_000_000_000  # each objective weight; sums stay exact in the solver's floating point
MAX_TIME_LIMIT_S = 600.0
MAX_WORKERS = 64


def check_time_limit(seconds: float, *, name: str = "time_limit", maximum: float = MAX_TIME_LIMIT_S) -> float:
    """``seconds`` when it is a finite number in ``(0, maximum]``; else :class:`InputValidationError`."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) \
            or not 0 < seconds <= maximum:
        raise InputValidationError(f"{name} must be a number of seconds in (0, {maximum:g}], got {seconds!r}")
    return float(seconds)


def check_count(value: int, *, name: str, low: int, high: int) -> int:
    """``value`` when it is an integer in ``[low, high]``; else :class:`InputValidationError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputValidationError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return value

"""What the single-room CP-SAT model (:mod:`reasoning.allocation.orpas.model`) is told and what it answers: its
options, the dynamic mode's reserves and OR credit, and its result."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from reasoning.allocation.orpas.domain import WEIGHTS, Weights, relative_gap

__all__ = ["BedReserve", "ModelOptions", "ModelResult", "OrCredit", "OrReserve"]


@dataclass(frozen=True)
class BedReserve:
    """Free beds wanted in ``rooms`` on ``day`` after the commit: missing the k-th costs ``costs[k - 1]``."""

    rooms: frozenset[str]
    day: int
    costs: tuple[int, ...]


@dataclass(frozen=True)
class OrReserve:
    """Free OR minutes wanted on ``day`` (``specialism`` None: the day's total) after the commit.

    Missing ``minutes * k`` of them (below slot time plus admitted overtime) costs ``costs[k - 1]``.
    """

    specialism: str | None
    day: int
    minutes: int
    costs: tuple[int, ...]


@dataclass(frozen=True)
class OrCredit:
    """Used OR slot time from ``from_day`` on is credited ``per_minute`` instead of the idle-OR weight (the dynamic
    mode's day models: slots a later registrant may fill are worth less to today's plan)."""

    from_day: int
    per_minute: int


@dataclass(frozen=True)
class ModelOptions:
    """Everything :func:`solve_placements` may be told besides the instance and its patients.

    ``fixed`` patients keep their placement, the others start on or after ``earliest`` (within ``max_delay`` of
    it when set). ``hint`` is a warm start. A patient named in ``drop_cost`` may be left out at that cost (the
    dynamic mode's rolling plan: every day's model is then feasible and says whom it could not place); such a
    patient without placement options is left out instead of raising. ``reserves`` price what the commit of day
    ``earliest`` leaves free on later days: present patients, today's admissions and the patients named in
    ``firm`` (known, with no room for delay, wherever they are planned), each counted against a bed reserve of
    rooms ``K`` only if all the rooms he may use lie in ``K`` (Hall: one who may also use a room outside ``K`` can
    be moved there, for a transfer, when an urgent patient needs his bed). ``credit_until`` credits idle beds
    only before that day (see :func:`placement_cost`); ``or_credit`` lowers the credit of later OR slot time.
    """

    fixed: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    earliest: int = 0
    hint: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    time_limit: float = 60.0
    workers: int = 2
    max_delay: int | None = None
    progress: Callable[[str], None] | None = None
    weights: Weights = WEIGHTS
    log_search: bool = False
    presolve: bool = True  # off for short repeated solves: the warm start counts at once
    drop_cost: Mapping[str, int] = field(default_factory=dict)
    reserves: Sequence[BedReserve | OrReserve] = ()
    firm: frozenset[str] = frozenset()
    credit_until: int | None = None
    or_credit: OrCredit | None = None


@dataclass
class ModelResult:
    assignment: dict[str, tuple[str, int]] = field(default_factory=dict)  # patient -> (room, admission)
    objective: float | None = None
    bound: float | None = None
    status: str = "UNKNOWN"
    seconds: float = 0.0
    variables: int = 0
    dropped: list[str] = field(default_factory=list)  # optional patients the solver left out

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)

"""Plain data of the OR-PAS problem (Ceschia & Schaerf 2016): instance, solution, weights, cost breakdown.

Day indices are 0-based offsets from the instance's ``start_day``. The instance's horizon ``H`` is the
*original* horizon; like the reference validator, stays may run on an *extended* horizon of ``2 * H``
days (the "flexible horizon": a patient delayed near the end of the horizon still gets his whole stay),
and the master surgical schedule (OR slots) repeats with period ``H`` on the extended days.

This module holds data only (no cost computation), so the independent validator and the solver share
the format and nothing else. The file's records (departments, rooms, treatments, patients) are the one OR-PAS
format module's, :mod:`kg.formats.orpas`, which the ingest reader uses too; they are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kg.formats import (
    DEFAULT_MAX_AGE,
    DEFAULT_PREFERRED_CAPACITY,
    HORIZON_FACTOR,
    Department,
    GenderPolicy,
    OrPasPatient,
    Room,
    Treatment,
)

__all__ = [
    "ADMITTED_OVERTIME_PER_SLOT",
    "ADMITTED_TOTAL_OVERTIME",
    "DEFAULT_MAX_AGE",
    "DEFAULT_PREFERRED_CAPACITY",
    "HORIZON_FACTOR",
    "WEIGHTS",
    "CostBreakdown",
    "Department",
    "GenderPolicy",
    "OrPasInstance",
    "OrPasPatient",
    "OrPasSolution",
    "Room",
    "Treatment",
    "Weights",
    "relative_gap",
]

ADMITTED_OVERTIME_PER_SLOT = 30  # minutes of admitted overtime per OR slot of a specialism-day
ADMITTED_TOTAL_OVERTIME = 60  # minutes of admitted overtime per day over all specialisms


@dataclass(frozen=True)
class Weights:
    """Weights of the soft costs (Ceschia & Schaerf 2016, as in the published validator)."""

    preferred_property: int = 20  # per missing preferred property per patient-day
    preferred_capacity: int = 10  # per patient-day in a room larger than preferred
    specialism: int = 20  # per patient-day in a department treating the specialism only as auxiliary
    room_gender: int = 50  # per patient-day of a male in a female-only room or vice versa
    gender_mix: int = 50  # per room-day of a same-gender room holding both genders
    transfer: int = 100  # per room change between consecutive days
    delay: int = 5  # per day of delay
    overcrowd_risk: int = 1  # per bed over capacity if overstaying patients stay one more day
    idle_or: int = 10  # per idle OR minute (net of unavoidable surplus)
    idle_bed: int = 20  # per idle bed-day (net of unavoidable surplus)
    overtime: int = 3  # per OR overtime minute (per specialism-day and per day)


WEIGHTS = Weights()


@dataclass
class OrPasInstance:
    name: str
    start: dt.date
    horizon: int  # original horizon H in days
    specialisms: list[str]
    features: list[str]
    departments: dict[str, Department]
    rooms: dict[str, Room]
    treatments: dict[str, Treatment]
    slot_length: int
    or_slots: dict[int, dict[str, int]]  # day (< H) -> specialism -> number of slots
    patients: list[OrPasPatient]
    source: str = ""

    @property
    def num_days(self) -> int:
        """Extended horizon on which stays may run."""
        return HORIZON_FACTOR * self.horizon

    def day(self, date: dt.date) -> int:
        return (date - self.start).days

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)

    def slots(self, day: int, specialism: str) -> int:
        """Number of OR slots of a specialism on a day of the extended horizon (the MSS repeats every H days)."""
        return self.or_slots.get(day % self.horizon, {}).get(specialism, 0)

    def slot_minutes(self, day: int, specialism: str) -> int:
        return self.slots(day, specialism) * self.slot_length

    def day_minutes(self, day: int) -> int:
        return sum(n for n in self.or_slots.get(day % self.horizon, {}).values()) * self.slot_length

    def or_limit(self, day: int, specialism: str | None = None) -> int:
        """Hard limit of OR minutes on a day: of a specialism, its slot minutes plus ``ADMITTED_OVERTIME_PER_SLOT``
        per slot; of the whole day (``specialism`` None), all slot minutes plus ``ADMITTED_TOTAL_OVERTIME``."""
        if specialism is None:
            return self.day_minutes(day) + ADMITTED_TOTAL_OVERTIME
        return self.slot_minutes(day, specialism) + self.slots(day, specialism) * ADMITTED_OVERTIME_PER_SLOT

    @property
    def beds(self) -> int:
        return sum(r.capacity for r in self.rooms.values())

    def specialism_of(self, p: OrPasPatient) -> str:
        return self.treatments[p.treatment].specialism

    def surgery_minutes(self, p: OrPasPatient) -> int:
        """Minutes of the patient's surgery in the day's OR total (a patient with a surgery day is operated)."""
        return self.treatments[p.treatment].length if p.surgery_day is not None else 0

    def specialism_minutes(self, p: OrPasPatient) -> int:
        """Minutes of the patient's surgery in his specialism's OR load: electives only (the referee's rule)."""
        return self.surgery_minutes(p) if p.elective else 0


@dataclass
class OrPasSolution:
    """Per patient, the room of each day of the stay (day index -> room name)."""

    instance: str
    stays: dict[str, dict[int, str]] = field(default_factory=dict)
    current_day: int = 0

    def admission_day(self, patient: str) -> int | None:
        days = self.stays.get(patient)
        return min(days) if days else None


@dataclass
class CostBreakdown:
    """Every cost component and hard-violation count, in the order of the solution XSD's ``costs`` element."""

    properties_violations: int = 0  # missing preferred property, per property per patient-day
    preference_violations: int = 0  # room larger than preferred, per patient-day
    specialism_violations: int = 0  # auxiliary-only department, per patient-day
    room_gender_violations: int = 0  # male in female-only room or vice versa, per patient-day
    gender_mix_room_days: int = 0  # same-gender room-days holding both genders
    transfers: int = 0
    delay_days: int = 0
    overcrowd_beds: int = 0
    overtime_minutes: int = 0  # specialism-day overtime + day overtime (each capped at its admitted overtime)
    idle_or_minutes: int = 0  # within the original horizon, net of unavoidable surplus
    idle_bed_days: int = 0  # within the original horizon, net of unavoidable surplus
    capacity_violations: int = 0  # hard: beds over capacity, summed over room-days
    or_violations: int = 0  # hard: OR minutes over slot + admitted overtime (specialism-day and day)
    room_violations: int = 0  # hard: patient-days in a room lacking a needed property / wrong department / age
    schedule_violations: int = 0  # hard: patient missing, stay not contiguous, wrong length, outside window
    # (medkg's own check: the referee does not look at schedules, so its violation count is ``official_violations``)
    room_utilization: float = 0.0  # percent of bed-days used within the original horizon
    or_utilization: float = 0.0  # mean percent of OR slot time used on OR days within the original horizon
    weights: Weights = field(default_factory=Weights)

    @property
    def patient_room(self) -> int:
        w = self.weights
        return (
            self.properties_violations * w.preferred_property
            + self.preference_violations * w.preferred_capacity
            + self.specialism_violations * w.specialism
            + self.room_gender_violations * w.room_gender
        )

    def components(self) -> dict[str, int]:
        """Weighted cost of each component (the ``costs`` element's children)."""
        w = self.weights
        return {
            "patient_room": self.patient_room,
            "gender": self.gender_mix_room_days * w.gender_mix,
            "transfer": self.transfers * w.transfer,
            "delay": self.delay_days * w.delay,
            "overcrowd_risk": self.overcrowd_beds * w.overcrowd_risk,
            "or_overtime_cost": self.overtime_minutes * w.overtime,
            "idle_room_cost": self.idle_bed_days * w.idle_bed,
            "idle_operating_room_cost": self.idle_or_minutes * w.idle_or,
        }

    @property
    def total(self) -> int:
        return sum(self.components().values())

    @property
    def official_violations(self) -> int:
        """The referee's count: beds over capacity, OR minutes over their limits, patient-days in forbidden rooms."""
        return self.capacity_violations + self.or_violations + self.room_violations

    @property
    def violations(self) -> int:
        """Every hard violation: the referee's plus the schedule checks it does not make."""
        return self.official_violations + self.schedule_violations


def relative_gap(value: float | None, bound: float | None) -> float | None:
    """``(value - bound) / |value|`` (denominator at least 1); None when either is missing."""
    if value is None or bound is None:
        return None
    return (value - bound) / max(1.0, abs(value))

"""Request and response of the general allocation service (beds, departments, surgery, equipment, emergencies).

Days are 0-based indices into the planning horizon ``[0, days)``. Everything a response states is data
(facts with citation ids); the plain-language text is rendered from those facts, so a language model
may rephrase it later without changing a number.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reasoning.allocation.service.limits import (
    MAX_DAYS,
    MAX_ITEMS,
    MAX_LENGTH_OF_STAY,
    MAX_OR_MINUTES,
    MAX_PATIENTS,
    MAX_WEIGHT,
)

__all__ = [
    "AllocationRequest",
    "AllocationResponse",
    "Assignment",
    "Change",
    "Department",
    "Equipment",
    "Explanation",
    "Fact",
    "OperatingRoom",
    "PatientRequest",
    "ServiceWeights",
    "Shortfall",
    "Unassigned",
    "Ward",
    "check_plan",
]

_ID = Field(min_length=1, max_length=200)


class Department(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = _ID
    name: str = ""
    kg_id: str | None = Field(default=None, description="Department node id in the KG, e.g. medkg:dept:cardiology.")


class Ward(BaseModel):
    """A room or group of interchangeable beds of one department."""

    model_config = ConfigDict(extra="forbid")
    id: str = _ID
    department: str = _ID
    beds: int = Field(ge=0, le=10_000)
    staffed_beds: int | None = Field(default=None, ge=0, le=10_000, description="Beds staffed (default: all beds).")
    features: list[str] = Field(default_factory=list, max_length=100)
    gender_policy: Literal["any", "male_only", "female_only", "same"] = "any"

    @property
    def capacity(self) -> int:
        return self.beds if self.staffed_beds is None else min(self.beds, self.staffed_beds)


class OperatingRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = _ID
    minutes: dict[str, Annotated[int, Field(ge=0, le=MAX_OR_MINUTES)]] = Field(
        description=f"Department id -> minutes per open day for that department (0..{MAX_OR_MINUTES}).")
    open_days: list[Annotated[int, Field(ge=0, lt=MAX_DAYS)]] | None = Field(
        default=None, max_length=MAX_DAYS, description="Days the room operates (default: every day).")


class Equipment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = _ID
    count: int = Field(ge=0, le=100_000)


class PatientRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = _ID
    condition: str | None = Field(default=None, description="Condition name, resolved to departments via the KG.")
    condition_id: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="KG Disease node id of the condition when already linked, e.g. DOID:9352 (no name matching).")
    department: str | None = Field(default=None, description="Department id when already decided (skips the KG).")
    emergency: bool = False
    priority: int = Field(default=3, ge=1, le=5, description="1 = lowest, 5 = highest (acuity).")
    sex: Literal["male", "female"] | None = None
    equipment: list[str] = Field(default_factory=list, max_length=100)
    features: list[str] = Field(default_factory=list, max_length=100, description="Room features the patient needs.")
    length_of_stay: int = Field(ge=1, le=MAX_LENGTH_OF_STAY)
    earliest: int = Field(default=0, ge=0, le=10 * MAX_DAYS)
    latest: int | None = Field(default=None, ge=0, le=10 * MAX_DAYS)
    surgery_minutes: int = Field(default=0, ge=0, le=MAX_OR_MINUTES)
    surgery_offset: int = Field(default=0, ge=0, le=MAX_LENGTH_OF_STAY,
                                description="Days after admission the surgery takes place.")

    @model_validator(mode="after")
    def _check(self) -> PatientRequest:
        if self.condition is None and self.condition_id is None and self.department is None:
            raise ValueError(f"patient {self.id}: give a condition or a department")
        if self.latest is not None and self.latest < self.earliest:
            raise ValueError(f"patient {self.id}: latest admission before earliest")
        if self.surgery_minutes and self.surgery_offset >= self.length_of_stay:
            raise ValueError(f"patient {self.id}: surgery after discharge")
        return self


class Assignment(BaseModel):
    """One patient's place in a plan (a response's, or a request's ``current_plan``)."""

    model_config = ConfigDict(extra="forbid")
    patient_id: str
    department: str
    ward: str
    admission_day: int = Field(ge=0, description="First day in the ward (0-based).")
    discharge_day: int = Field(ge=1, description="Day the patient leaves (exclusive), after admission_day.")
    surgery_day: int | None = Field(default=None, ge=0)
    operating_room: str | None = None
    equipment: list[str] = Field(default_factory=list)


class ServiceWeights(BaseModel):
    """Costs of the objective, each a non-negative integer of at most ``MAX_WEIGHT`` (a negative weight would
    reward what it is meant to penalise, e.g. leaving patients out)."""

    model_config = ConfigDict(extra="forbid")
    unassigned: int = Field(default=10_000, ge=0, le=MAX_WEIGHT,
                            description="Per priority level of an elective left out.")
    unassigned_emergency: int = Field(default=10_000_000, ge=0, le=MAX_WEIGHT,
                                      description="An emergency left out (never while avoidable).")
    delay: int = Field(default=10, ge=0, le=MAX_WEIGHT, description="Per day of delay per priority level.")
    second_choice_department: int = Field(default=50, ge=0, le=MAX_WEIGHT,
                                          description="Per rank below the KG's primary department.")
    gender_mix: int = Field(default=200, ge=0, le=MAX_WEIGHT,
                            description="Per ward-day of a same-gender ward holding both sexes.")
    change: int = Field(default=300, ge=0, le=MAX_WEIGHT,
                        description="Moving an already planned patient (emergency intake).")


class AllocationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(default=14, ge=1, le=MAX_DAYS)
    today: int = Field(default=0, ge=0, lt=MAX_DAYS,
                       description="Plan entries admitted before this day are fixed; must be before `days`.")
    departments: list[Department] = Field(max_length=MAX_ITEMS, description="Unique ids.")
    wards: list[Ward] = Field(max_length=MAX_ITEMS, description="Unique ids.")
    operating_rooms: list[OperatingRoom] = Field(default_factory=list, max_length=MAX_ITEMS, description="Unique ids.")
    equipment: list[Equipment] = Field(default_factory=list, max_length=MAX_ITEMS, description="Unique names.")
    patients: list[PatientRequest] = Field(max_length=MAX_PATIENTS, description="Unique ids.")
    current_plan: list[Assignment] = Field(
        default_factory=list, max_length=MAX_PATIENTS,
        description="Plan to re-optimise with few changes: at most one entry per patient, admission_day in "
                    "[0, days), discharge_day after it by at most the longest stay.")
    weights: ServiceWeights = Field(default_factory=ServiceWeights)

    @model_validator(mode="after")
    def _refs(self) -> AllocationRequest:
        if self.today >= self.days:
            raise ValueError(f"today ({self.today}) must be before days ({self.days}): no day would be left to plan")
        _unique("department id", [d.id for d in self.departments])
        _unique("ward id", [w.id for w in self.wards])
        _unique("operating room id", [o.id for o in self.operating_rooms])
        _unique("equipment name", [e.name for e in self.equipment])
        deps = {d.id for d in self.departments}
        for w in self.wards:
            if w.department not in deps:
                raise ValueError(f"ward {w.id} names unknown department {w.department!r}")
        for o in self.operating_rooms:
            for d in o.minutes:
                if d not in deps:
                    raise ValueError(f"operating room {o.id} names unknown department {d!r}")
        _unique("patient id", [p.id for p in self.patients])
        for p in self.patients:
            if p.department is not None and p.department not in deps:
                raise ValueError(f"patient {p.id} names unknown department {p.department!r}")
        check_plan(self.current_plan, self.patients, self.wards, days=self.days)
        return self


def _unique(what: str, ids: list[str]) -> None:
    dup = sorted(i for i, n in Counter(ids).items() if n > 1)
    if dup:
        shown = ", ".join(repr(d) for d in dup[:5]) + (" ..." if len(dup) > 5 else "")
        raise ValueError(f"{what}s must be unique; given more than once: {shown}")


def check_plan(plan: list[Assignment], patients: list[PatientRequest], wards: list[Ward], *,
               days: int = MAX_DAYS) -> None:
    """``ValueError`` when a plan entry names a patient not in ``patients`` or a ward not of its department
    (such an entry could not be matched and would be dropped silently), names a patient twice, or has days
    outside the horizon: admission in ``[0, days)``, discharge after admission by at most the longest stay."""
    known, ward_dep = {p.id for p in patients}, {w.id: w.department for w in wards}
    seen: set[str] = set()
    for a in plan:
        if a.patient_id not in known:
            raise ValueError(f"current_plan names patient {a.patient_id!r}, who is not in patients")
        if a.patient_id in seen:
            raise ValueError(f"current_plan names patient {a.patient_id!r} more than once")
        seen.add(a.patient_id)
        if ward_dep.get(a.ward) != a.department:
            raise ValueError(f"current_plan puts {a.patient_id} in ward {a.ward!r}, which is not a ward of "
                             f"department {a.department!r}")
        if a.admission_day >= days:
            raise ValueError(f"current_plan admits {a.patient_id} on day {a.admission_day}, outside the horizon "
                             f"0..{days - 1}")
        if not a.admission_day < a.discharge_day <= a.admission_day + MAX_LENGTH_OF_STAY:
            raise ValueError(f"current_plan has {a.patient_id} discharged on day {a.discharge_day}, which must be "
                             f"after the admission day {a.admission_day} by 1..{MAX_LENGTH_OF_STAY} days")
        if a.surgery_day is not None and not a.admission_day <= a.surgery_day < a.discharge_day:
            raise ValueError(f"current_plan has {a.patient_id} operated on day {a.surgery_day}, outside the stay "
                             f"{a.admission_day}..{a.discharge_day - 1}")


class Fact(BaseModel):
    """One fact a decision rests on, with its citation id (``solver:<run>#...`` or ``kg:...``)."""

    id: str
    kind: Literal["solver", "kg", "request"]
    statement: str
    values: dict[str, int | float | str] = Field(default_factory=dict)


class Explanation(BaseModel):
    patient_id: str
    decision: str
    facts: list[Fact]
    text: str


class Unassigned(BaseModel):
    patient_id: str
    constraint: str = Field(description=(
        "Why: no_department, no_kg_match, no_ward, gender_policy, equipment, window, operating_room (no option "
        "exists); capacity:<ward|equipment|or> (every option is full); cost (a free option costs more than "
        "leaving the patient out under the request's weights); time_limit (the solver stopped at its time "
        "limit with an option still free); solver (the solver stopped for another reason, named in detail)."))
    detail: str
    citations: list[str] = Field(default_factory=list)


class Shortfall(BaseModel):
    resource: str
    day: int
    demand: int
    capacity: int
    short_by: int


class Change(BaseModel):
    patient_id: str
    before: Assignment | None
    after: Assignment | None
    reason: str


class AllocationResponse(BaseModel):
    run_id: str
    status: str
    solve_seconds: float
    objective: dict[str, int]
    objective_total: int
    bound: float | None = None
    gap: float | None = None
    assignments: list[Assignment]
    unassigned: list[Unassigned]
    shortfalls: list[Shortfall] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    explanations: list[Explanation] = Field(default_factory=list)

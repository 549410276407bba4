"""A seeded synthetic hospital and patient stream, for the scaling benchmark (not clinical data)."""

from __future__ import annotations

import random

from reasoning.allocation.service.models import (
    AllocationRequest,
    Department,
    Equipment,
    OperatingRoom,
    PatientRequest,
    Ward,
)

__all__ = ["synthetic_request"]

_DEPTS = ("cardiology", "general-surgery", "internal-medicine", "neurology", "orthopedics", "pulmonology",
          "oncology", "urology")
_SURGICAL = {"general-surgery", "orthopedics", "urology"}


def synthetic_request(n_patients: int, *, days: int = 14, seed: int = 0, load: float = 0.8) -> AllocationRequest:
    """``n_patients`` over ``days`` with beds sized so that mean bed demand is ``load`` of capacity."""
    rng = random.Random(seed)
    pats = []
    for i in range(n_patients):
        dep = rng.choice(_DEPTS)
        los = rng.randint(1, 7)
        earliest = rng.randrange(days)
        emergency = rng.random() < 0.1
        surg = dep in _SURGICAL and rng.random() < 0.6
        pats.append(PatientRequest(
            id=f"P{i}", department=dep, emergency=emergency, priority=5 if emergency else rng.randint(1, 4),
            sex=rng.choice(("male", "female")), length_of_stay=los, earliest=earliest,
            latest=earliest if emergency else min(days - 1, earliest + rng.randint(0, 3)),
            equipment=["monitor"] if rng.random() < 0.2 else (["ventilator"] if rng.random() < 0.03 else []),
            features=["oxygen"] if rng.random() < 0.15 else [],
            surgery_minutes=rng.choice((60, 90, 120, 180)) if surg else 0))
    bed_days = sum(min(p.length_of_stay, days - p.earliest) for p in pats)
    beds_per_dept = max(2, round(bed_days / days / load / len(_DEPTS)))
    wards = []
    for d in _DEPTS:
        for k, policy in enumerate(("male_only", "female_only", "same", "any")):
            wards.append(Ward(id=f"{d}-w{k}", department=d, beds=max(1, beds_per_dept // 4 + (k == 3)),
                              features=["oxygen"] if k % 2 == 0 else [], gender_policy=policy))
    surg_minutes = sum(p.surgery_minutes for p in pats)
    per_room_day = max(480, round(surg_minutes / days / 3 / load))
    ors = [OperatingRoom(id=f"OR{i}", minutes={d: per_room_day // 2 for d in _SURGICAL}) for i in range(2)]
    ors.append(OperatingRoom(id="OR2", minutes={d: per_room_day // 3 for d in _SURGICAL}, open_days=[
        d for d in range(days) if d % 7 < 5]))
    monitors = max(1, round(0.2 * bed_days / days / load))
    return AllocationRequest(
        days=days, departments=[Department(id=d, name=d.replace("-", " "), kg_id=f"medkg:dept:{d}") for d in _DEPTS],
        wards=wards, operating_rooms=ors,
        equipment=[Equipment(name="monitor", count=monitors),
                   Equipment(name="ventilator", count=max(1, monitors // 5))],
        patients=pats)

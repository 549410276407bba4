"""Resampled OR-PAS instances: the same hospital and patients, other arrival days (a robustness check).

The dynamic mode's reserves are estimated from the patients seen so far, and tuning them on the 15 published
instances risks fitting those 15 arrival streams. :func:`resample_instance` writes a variant of an instance in
which every patient not yet in hospital keeps everything but his dates: registration, admission, latest
admission, surgery and discharge all shift by the same number of days, drawn uniformly from
``-max_shift .. max_shift`` among the shifts that keep him possible on his own (registration inside the horizon,
the stay inside the extended horizon, and a surgical patient's surgery on some allowed day with a slot of his
specialism, the master surgical schedule repeating every horizon). Length of stay and surgery offset are
unchanged; so are notice and slack where the file gives a latest admission (it shifts with him). Without one,
the latest admission is the default (the stay still fits the extended horizon) and stays put, so his slack
changes by the shift; none of them is urgent in the 15 sources.
A patient whose surgery day cannot move (in hospital, or no slack) is not shifted onto a day where it no
longer fits beside those of the patients already placed whose days cannot move either (without this rule, 5 of
15 variants drawn with seed 7 had two urgent surgeries on a single-slot day, a violation no solver avoids).
Patients are placed in file order, and one whose every day is taken keeps his own.

Not checked, so patients together may still not fit: beds; a patient with slack whose window holds a single
day with a slot of his specialism (his surgery day cannot move either, but he is not counted as fixed); and
the order above. Solve the variant statically first: its hard violations are a floor that no dynamic policy
can beat.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.formats import parse_orpas_xml
from medkg.errors import DataFileError, InputValidationError
from reasoning.allocation.orpas.domain import (
    OrPasInstance,
    OrPasPatient,
)
from reasoning.allocation.orpas.xml_io import load_instance

__all__ = ["DATE_ATTRIBUTES", "ResampleSummary", "allowed_shifts", "resample_instance"]

log = logging.getLogger(__name__)

DATE_ATTRIBUTES = ("registration", "admission", "max_admission", "surgery_day", "discharge")


@dataclass(frozen=True)
class ResampleSummary:
    """What :func:`resample_instance` wrote: the variant's name, its patients, and how many were shifted."""

    name: str
    patients: int
    shifted: int
    seed: int


def allowed_shifts(inst: OrPasInstance, p: OrPasPatient, max_shift: int, *, fixed_latest: bool = True,
                   taken: Mapping[tuple[int, str | None], int] | None = None) -> list[int]:
    """Shifts in ``-max_shift .. max_shift`` that keep ``p`` possible (never empty: 0 keeps him where he was).

    ``fixed_latest``: his latest admission is a date of the file that shifts with him; otherwise it is the
    default (the stay still fits the extended horizon) and stays where it is. ``taken``: OR minutes per
    (day, specialism) and per (day, None) already held by patients whose surgery day cannot move; a patient
    whose own surgery day cannot move goes only where his surgery still fits beside them (his own day too, since
    others may have been shifted onto it), or stays where he was when no day fits.
    """
    ok = [delta for delta in range(-max_shift, max_shift + 1) if not delta or _fits(inst, p, delta, fixed_latest)]
    day = _fixed_surgery_day(inst, p, fixed_latest)
    if taken is None or day is None:
        return ok
    return [delta for delta in ok if _or_fits(inst, p, day + delta, taken)] or [0]


def _fits(inst: OrPasInstance, p: OrPasPatient, delta: int, fixed_latest: bool) -> bool:
    if not 0 <= p.registration + delta <= inst.horizon - 1:
        return False
    latest = p.max_admission + delta if fixed_latest else inst.num_days - p.los
    if p.admission + delta < 0 or p.admission + delta > latest or latest + p.los > inst.num_days:
        return False
    offset = p.surgery_offset
    if offset is None or not inst.surgery_minutes(p):
        return True
    spec = inst.specialism_of(p)
    return any(inst.slots(a + offset, spec) for a in range(p.admission + delta, latest + 1))


def _fixed_surgery_day(inst: OrPasInstance, p: OrPasPatient, fixed_latest: bool) -> int | None:
    """The surgery day of a patient who has no choice of it (in hospital already, or no slack), else None."""
    if p.surgery_offset is None or not inst.surgery_minutes(p):
        return None
    if p.present or (fixed_latest and p.max_admission == p.admission):
        return p.admission + p.surgery_offset
    return None


def _or_fits(inst: OrPasInstance, p: OrPasPatient, day: int, taken: Mapping[tuple[int, str | None], int]) -> bool:
    return all(taken.get((day, key), 0) + _minutes(inst, p, key) <= inst.or_limit(day, key)
               for key in (inst.specialism_of(p), None))


def _minutes(inst: OrPasInstance, p: OrPasPatient, key: str | None) -> int:
    """The patient's minutes in the OR load ``key``: a specialism's counts electives only, the day's every surgery."""
    return inst.surgery_minutes(p) if key is None else inst.specialism_minutes(p)


def resample_instance(src: Path | str, dst: Path | str, *, seed: int, max_shift: int = 2,
                      schema: Path | None = None, validate: bool = True) -> ResampleSummary:
    """Write to ``dst`` a variant of instance ``src`` whose arrivals shift by up to ``max_shift`` days (seeded).

    ``src`` is validated like any instance (against ``OrPasInstance.xsd`` next to it, or ``schema``); ``dst``
    keeps its XML and gets the name ``<name>-r<seed>`` (the packaged XSDs validate it when none sits next to it).
    ``validate=False`` skips the schema (cross-references are still checked).
    """
    src, dst = Path(src), Path(dst)
    if max_shift < 0:
        raise InputValidationError(f"max_shift must be >= 0, got {max_shift}")
    if dst.resolve() == src.resolve():
        raise InputValidationError(f"the variant would overwrite its source {src}; give another --out")
    inst = load_instance(src, schema=schema, validate=validate)
    by = {p.name: p for p in inst.patients}
    rng = random.Random(seed)
    root = parse_orpas_xml(src)  # the one format module's safe parser (no entities, no network)
    tree = root.getroottree()
    taken: dict[tuple[int, str | None], int] = {}
    for p in inst.patients:  # in hospital already: their surgery days are where they are
        day = _fixed_surgery_day(inst, p, True) if p.present else None
        if day is not None:
            _take(inst, p, day, taken)
    shifted = 0
    for el in root.findall("patients/patient"):
        p = by[el.get("name")]
        if p.present:
            continue
        fixed_latest = el.get("max_admission") is not None
        delta = rng.choice(allowed_shifts(inst, p, max_shift, fixed_latest=fixed_latest, taken=taken))
        day = _fixed_surgery_day(inst, p, fixed_latest)
        if day is not None:
            _take(inst, p, day + delta, taken)
        if delta:
            shifted += 1
            _shift(el, delta)
    name = f"{inst.name}-r{seed}"
    root.set("name", name)
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tree.write(str(dst), encoding="UTF-8", xml_declaration=True)
    except OSError as e:
        raise DataFileError(dst, f"cannot write: {e}") from e
    log.info("resampled %s into %s: %d of %d patients shifted", inst.name, dst, shifted, len(inst.patients))
    return ResampleSummary(name=name, patients=len(inst.patients), shifted=shifted, seed=seed)


def _take(inst: OrPasInstance, p: OrPasPatient, day: int, taken: dict[tuple[int, str | None], int]) -> None:
    for key in ((day, inst.specialism_of(p)), (day, None)):
        taken[key] = taken.get(key, 0) + _minutes(inst, p, key[1])


def _shift(el: Any, delta: int) -> None:
    for attr in DATE_ATTRIBUTES:
        raw = el.get(attr)
        if raw:
            el.set(attr, (dt.date.fromisoformat(raw) + dt.timedelta(days=delta)).isoformat())

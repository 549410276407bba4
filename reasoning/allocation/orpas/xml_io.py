"""Read OR-PAS instances and solutions (XSD-validated, errors with line numbers) and write solutions.

The format is the one of the OR-PAS benchmark (Ceschia & Schaerf; instances as distributed by
YihangZhu/Dynamic-patient-admission-scheduling): ``OrPasInstance.xsd`` and ``OrPasSolution.xsd``. Instances are
read by the one OR-PAS format module, :mod:`kg.formats.orpas`, which the ingest reader uses too. The schemas are
those next to the instance file when present, else the published ones shipped inside the package.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any, TypeVar

from kg.formats import (
    INSTANCE_XSD,
    SOLUTION_XSD,
    Parsed,
    packaged_schema,
    parse_orpas_xml,
    read_departments,
    read_features,
    read_horizon,
    read_or_slots,
    read_patients,
    read_rooms,
    read_specialisms,
    read_treatments,
)
from medkg.errors import DataFileError, RowError
from reasoning.allocation.orpas.domain import CostBreakdown, OrPasInstance, OrPasSolution

__all__ = [
    "INSTANCE_XSD",
    "SOLUTION_XSD",
    "find_schema",
    "load_instance",
    "read_solution",
    "write_solution",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


def find_schema(near: Path, name: str, explicit: Path | None = None) -> Path:
    """The schema file: ``explicit``, else ``name`` in the folder of ``near``, else the packaged one."""
    if explicit is not None:
        if not explicit.is_file():
            raise DataFileError(explicit, f"XML schema {name} not found")
        return explicit
    beside = near.parent / name
    return beside if beside.is_file() else packaged_schema(name)


def _parse(path: Path, schema: Path | None) -> Any:
    return parse_orpas_xml(path, schema)


def _date(path: Path, el: Any, attr: str) -> dt.date:
    raw = el.get(attr)
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError) as e:
        raise RowError(path, int(el.sourceline or 0), f"attribute {attr}={raw!r} is not a date") from e


def _strict(path: Path, items: Any) -> list[Any]:
    """The values of ``Parsed`` records; the first problem refuses the file (line and reason)."""
    out = []
    for rec in items:
        if rec.problems or rec.value is None:
            raise RowError(path, rec.line, rec.problems[0] if rec.problems else "unusable record")
        out.append(rec.value)
    return out


def _one(path: Path, rec: Parsed[T]) -> T:
    value: T = _strict(path, [rec])[0]
    return value


def load_instance(path: Path | str, *, schema: Path | None = None, validate: bool = True) -> OrPasInstance:
    """Read an OR-PAS instance; validates against ``OrPasInstance.xsd`` and checks cross-references and sizes."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "instance file does not exist")
    root = _parse(path, find_schema(path, INSTANCE_XSD, schema) if validate else None)
    horizon = _one(path, read_horizon(root))
    specialisms, features = read_specialisms(root), read_features(root)
    departments = {d.name: d for d in _strict(path, read_departments(root, specialisms))}
    rooms = {r.name: r for r in _strict(path, read_rooms(root, set(departments), features))}
    treatments = {t.name: t for t in _strict(path, read_treatments(root, specialisms))}
    slot_length, days = read_or_slots(root, horizon)
    or_slots = dict(_strict(path, days))
    patients = _strict(path, read_patients(root, horizon, set(treatments), set(rooms)))
    inst = OrPasInstance(
        name=root.get("name"), start=horizon.start, horizon=horizon.days, specialisms=specialisms,
        features=features, departments=departments, rooms=rooms, treatments=treatments, slot_length=slot_length,
        or_slots=or_slots, patients=patients, source=str(path),
    )
    log.info("loaded OR-PAS instance %s: %d patients, %d rooms", inst.name, len(patients), len(rooms))
    return inst


def read_solution(path: Path | str, inst: OrPasInstance, *, schema: Path | None = None) -> OrPasSolution:
    """Read a solution file; validated against ``OrPasSolution.xsd`` when ``schema`` is given or found nearby."""
    path = Path(path)
    if schema is None and (path.parent / SOLUTION_XSD).is_file():
        schema = path.parent / SOLUTION_XSD
    root = _parse(path, schema)
    cur = root.find("planning_horizon/current_day")
    current = (dt.date.fromisoformat(cur.text.strip()) - inst.start).days if cur is not None else 0
    sol = OrPasSolution(instance=root.get("instance", ""), current_day=current)
    for p in root.findall("patients_scheduling/patient"):
        days: dict[int, str] = {}
        for s in p.findall("stay"):
            d = (_date(path, s, "day") - inst.start).days
            if d in days:
                raise RowError(path, int(s.sourceline or 0), f"patient {p.get('name')} has two stays on one day")
            days[d] = s.get("room", "")
        sol.stays[p.get("name")] = days
    return sol


def _status(inst: OrPasInstance, sol: OrPasSolution, name: str) -> str:
    days = sol.stays.get(name, {})
    if not days:
        return "registered"
    if max(days) < sol.current_day:
        return "discharged"
    return "arrived" if min(days) <= sol.current_day else "registered"


def write_solution(
    path: Path | str,
    inst: OrPasInstance,
    sol: OrPasSolution,
    costs: CostBreakdown,
    *,
    seconds: float,
    schema: Path | None = None,
) -> None:
    """Write ``sol`` with its ``costs`` element; validated against ``OrPasSolution.xsd`` when a schema is found."""
    from lxml import etree

    path = Path(path)
    root = etree.Element("OrPasu_main_out", name=f"sol-{inst.name}", instance=inst.name)
    ph = etree.SubElement(root, "planning_horizon")
    etree.SubElement(ph, "start_day").text = inst.start.isoformat()
    etree.SubElement(ph, "num_days").text = str(inst.num_days)
    etree.SubElement(ph, "current_day").text = inst.date(sol.current_day).isoformat()
    ps = etree.SubElement(root, "patients_scheduling")
    by_name = {p.name: p for p in inst.patients}
    for name, days in sol.stays.items():
        if not days:  # the XSD needs at least one stay; the validator reports the missing patient
            continue
        el = etree.SubElement(ps, "patient", name=name, status=_status(inst, sol, name))
        pat = by_name.get(name)
        if days and pat is not None and min(days) > pat.admission:
            el.set("delay", str(min(days) - pat.admission))
        for d in sorted(days):
            etree.SubElement(el, "stay", day=inst.date(d).isoformat(), room=days[d])
    c = etree.SubElement(
        root, "costs", objectives=str(costs.total), violations=str(costs.violations), time=f"{seconds:.2f}"
    )
    w = costs.weights
    pr = etree.SubElement(c, "patient_room", value=str(costs.patient_room))
    etree.SubElement(pr, "properties", violations=str(costs.properties_violations), weight=str(w.preferred_property))
    etree.SubElement(pr, "preference", violations=str(costs.preference_violations), weight=str(w.preferred_capacity))
    etree.SubElement(pr, "specialism", violations=str(costs.specialism_violations), weight=str(w.specialism))
    etree.SubElement(pr, "gender", violations=str(costs.room_gender_violations), weight=str(w.room_gender))
    comp = costs.components()
    for key in ("gender", "transfer", "delay", "overcrowd_risk", "or_overtime_cost", "idle_room_cost",
                "idle_operating_room_cost"):
        etree.SubElement(c, key).text = str(comp[key])
    etree.SubElement(c, "capacity_violations", value=str(costs.capacity_violations),
                     room_utilization=f"{costs.room_utilization:.2f}")
    etree.SubElement(c, "or_violations", value=str(costs.or_violations), or_utilization=f"{costs.or_utilization:.2f}")
    xsd_path = schema or find_schema(Path(inst.source or "."), SOLUTION_XSD)
    if xsd_path is not None:
        xsd = etree.XMLSchema(etree.parse(str(xsd_path)))
        if not xsd.validate(root):
            raise DataFileError(path, f"solution does not match {xsd_path.name}: {xsd.error_log.last_error}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    except OSError as e:
        raise DataFileError(path, f"cannot write: {e}") from e

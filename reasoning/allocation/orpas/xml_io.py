"""Read OR-PAS instances and solutions (XSD-validated, errors with line numbers) and write solutions.

The format is the one of the OR-PAS benchmark (Ceschia & Schaerf; instances as distributed by
YihangZhu/Dynamic-patient-admission-scheduling): ``OrPasInstance.xsd`` and ``OrPasSolution.xsd``. The
schemas are looked up next to the instance file unless given explicitly; they are never bundled.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from medkg.errors import DataFileError, RowError
from reasoning.allocation.orpas.domain import (
    DEFAULT_PREFERRED_CAPACITY,
    CostBreakdown,
    Department,
    GenderPolicy,
    OrPasInstance,
    OrPasPatient,
    OrPasSolution,
    Room,
    Treatment,
)

__all__ = [
    "INSTANCE_XSD",
    "SOLUTION_XSD",
    "find_schema",
    "load_instance",
    "read_solution",
    "write_solution",
]

log = logging.getLogger(__name__)

INSTANCE_XSD = "OrPasInstance.xsd"
SOLUTION_XSD = "OrPasSolution.xsd"


def find_schema(near: Path, name: str, explicit: Path | None = None) -> Path:
    """The schema file: ``explicit``, else ``name`` in the folder of ``near``; a clear error when absent."""
    cand = explicit if explicit is not None else near.parent / name
    if not cand.is_file():
        raise DataFileError(cand, f"XML schema {name} not found; pass the folder holding it (--schema-dir)")
    return cand


def _parse(path: Path, schema: Path | None) -> Any:
    from lxml import etree

    if not path.is_file():
        raise DataFileError(path, "file does not exist")
    try:
        tree = etree.parse(str(path))
    except etree.XMLSyntaxError as e:
        raise RowError(path, int(e.lineno or 0), f"not well-formed XML: {e.msg}") from e
    except OSError as e:
        raise DataFileError(path, f"cannot read: {e}") from e
    if schema is not None:
        try:
            xsd = etree.XMLSchema(etree.parse(str(schema)))
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as e:
            raise DataFileError(schema, f"invalid XML schema: {e}") from e
        if not xsd.validate(tree):
            errs = list(xsd.error_log)
            first = errs[0]
            more = f" (+{len(errs) - 1} more schema errors)" if len(errs) > 1 else ""
            raise RowError(path, int(first.line), f"does not match {schema.name}: {first.message}{more}")
    return tree


def _date(path: Path, el: Any, attr: str) -> dt.date:
    raw = el.get(attr)
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError) as e:
        raise RowError(path, int(el.sourceline or 0), f"attribute {attr}={raw!r} is not a date") from e


def _atoi(raw: str | None) -> int:
    """C's ``atoi``, as the referee reads integer attributes: the leading digits, 0 when none (``"true"`` is 0)."""
    digits = ""
    for ch in (raw or "").strip():
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else 0


def load_instance(path: Path | str, *, schema: Path | None = None, validate: bool = True) -> OrPasInstance:
    """Read an OR-PAS instance; validates against ``OrPasInstance.xsd`` and checks cross-references."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "instance file does not exist")
    tree = _parse(path, find_schema(path, INSTANCE_XSD, schema) if validate else None)
    root = tree.getroot()
    hz = root.find("descriptor/Horizon")
    if hz is None:
        raise RowError(path, int(root.sourceline or 0), "descriptor/Horizon missing")
    start = _date(path, hz, "start_day")
    horizon = int(hz.get("num_days"))

    def day_of(el: Any, attr: str) -> int:
        return (_date(path, el, attr) - start).days

    specialisms = [e.text.strip() for e in root.findall("specialisms/specialism")]
    features = [e.text.strip() for e in root.findall("features/feature")]
    departments: dict[str, Department] = {}
    for d in root.findall("departments/department"):
        mn, mx = d.get("min_age"), d.get("max_age")
        departments[d.get("name")] = Department(
            name=d.get("name"),
            main=frozenset(e.text.strip() for e in d.findall("main_specialisms/main_specialism")),
            aux=frozenset(e.text.strip() for e in d.findall("aux_specialisms/aux_specialism")),
            min_age=int(mn) if mn else None,
            max_age=int(mx) if mx else None,
        )
    rooms: dict[str, Room] = {}
    for r in root.findall("rooms/room"):
        if r.get("department") not in departments:
            raise RowError(path, int(r.sourceline or 0), f"room {r.get('name')} names unknown department")
        rooms[r.get("name")] = Room(
            name=r.get("name"),
            capacity=int(r.get("capacity")),
            department=r.get("department"),
            gender_policy=GenderPolicy(r.get("gender_policy", "Any")),
            features=frozenset(e.text.strip() for e in r.findall("features/feature")),
        )
    treatments: dict[str, Treatment] = {}
    for t in root.findall("treatments/treatment"):
        surgery = t.get("surgery") in ("1", "true")
        treatments[t.get("name")] = Treatment(
            t.get("name"), t.get("specialism"), surgery, int(t.get("length", "0"))
        )
    slots_el = root.find("or_slots")
    slot_length = int(slots_el.get("slot_length")) if slots_el is not None else 0
    or_slots: dict[int, dict[str, int]] = {}
    for d in root.findall("or_slots/day"):
        di = day_of(d, "name")
        if not 0 <= di < horizon:
            raise RowError(path, int(d.sourceline or 0), f"OR day {d.get('name')} outside the horizon")
        or_slots[di] = {a.get("name"): int(a.get("number_or_slots")) for a in d.findall("specialism_assignment")}
    patients: list[OrPasPatient] = []
    num_days = 2 * horizon
    for p in root.findall("patients/patient"):
        line = int(p.sourceline or 0)
        adm, dis = day_of(p, "admission"), day_of(p, "discharge")
        if p.get("treatment") not in treatments:
            raise RowError(path, line, f"patient {p.get('name')} has unknown treatment {p.get('treatment')!r}")
        if dis <= adm or adm < 0 or day_of(p, "registration") > adm:
            raise RowError(path, line, f"patient {p.get('name')}: need registration <= admission < discharge")
        if p.get("room") is not None and p.get("room") not in rooms:
            raise RowError(path, line, f"patient {p.get('name')} is in unknown room {p.get('room')!r}")
        max_adm = day_of(p, "max_admission") if p.get("max_admission") else num_days - (dis - adm)
        sd = day_of(p, "surgery_day") if p.get("surgery_day") else None
        if sd is not None and not adm <= sd < dis:
            raise RowError(path, line, f"patient {p.get('name')}: surgery day outside the stay")
        props = [(e.get("name"), e.get("type")) for e in p.findall("room_properties/room_property")]
        patients.append(
            OrPasPatient(
                name=p.get("name"),
                age=int(p.get("age")),
                male=p.get("gender") == "Male",
                treatment=p.get("treatment"),
                registration=day_of(p, "registration"),
                admission=adm,
                discharge=dis,
                variability=_atoi(p.get("variability")) != 0,
                max_admission=max(adm, max_adm),
                preferred_capacity=int(p.get("preferred_capacity", DEFAULT_PREFERRED_CAPACITY)),
                needed=frozenset(n for n, t in props if t == "needed"),
                preferred=frozenset(n for n, t in props if t == "preferred"),
                surgery_day=sd,
                initial_room=p.get("room"),
            )
        )
    inst = OrPasInstance(
        name=root.get("name"), start=start, horizon=horizon, specialisms=specialisms, features=features,
        departments=departments, rooms=rooms, treatments=treatments, slot_length=slot_length,
        or_slots=or_slots, patients=patients, source=str(path),
    )
    log.info("loaded OR-PAS instance %s: %d patients, %d rooms", inst.name, len(patients), len(rooms))
    return inst


def read_solution(path: Path | str, inst: OrPasInstance, *, schema: Path | None = None) -> OrPasSolution:
    """Read a solution file; validated against ``OrPasSolution.xsd`` when ``schema`` is given or found nearby."""
    path = Path(path)
    if schema is None and (path.parent / "OrPasSolution.xsd").is_file():
        schema = path.parent / "OrPasSolution.xsd"
    tree = _parse(path, schema)
    root = tree.getroot()
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
    xsd_path = schema
    if xsd_path is None and inst.source and (Path(inst.source).parent / SOLUTION_XSD).is_file():
        xsd_path = Path(inst.source).parent / SOLUTION_XSD
    if xsd_path is not None:
        xsd = etree.XMLSchema(etree.parse(str(xsd_path)))
        if not xsd.validate(root):
            raise DataFileError(path, f"solution does not match {xsd_path.name}: {xsd.error_log.last_error}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    except OSError as e:
        raise DataFileError(path, f"cannot write: {e}") from e

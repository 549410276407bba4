"""The OR-PAS instance format (``OrPasInstance.xsd``; Ceschia & Schaerf's benchmark): one reader of its XML for
every part of medkg that needs it -- the ingest reader (the hospital structure as graph facts) and the solver (the
whole instance).

It parses the file safely (no entities, no network; optionally against the XSD, which ships with the package:
:func:`packaged_schema`), and reads each part into plain records: specialisms, features, departments, rooms,
treatments, OR slots and patients. Each record comes as a :class:`Parsed` with its source line and the problems
found in it (an unknown specialism a department names, a room capacity out of range); a record whose ``value`` is
None cannot be used at all. The ingest reader turns problems into rejects; the solver refuses the file at the
first one. Integer attributes are read as the published referee reads them (C's ``atoi``), so a file means the
same to medkg as to the referee. Absurd sizes (a horizon of 10^8 days, a room of 10^20 beds, dates past the
extended horizon) are problems, so nothing downstream loops over them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from medkg.errors import DataFileError, RowError

__all__ = [
    "DEFAULT_MAX_AGE",
    "DEFAULT_PREFERRED_CAPACITY",
    "HORIZON_FACTOR",
    "INSTANCE_XSD",
    "MAX_CAPACITY",
    "MAX_HORIZON_DAYS",
    "ROOT_TAG",
    "SOLUTION_XSD",
    "Department",
    "GenderPolicy",
    "Horizon",
    "OrPasPatient",
    "Parsed",
    "Room",
    "Treatment",
    "atoi",
    "packaged_schema",
    "parse_orpas_xml",
    "read_departments",
    "read_features",
    "read_horizon",
    "read_or_slots",
    "read_patients",
    "read_rooms",
    "read_specialisms",
    "read_treatments",
]

INSTANCE_XSD = "OrPasInstance.xsd"
SOLUTION_XSD = "OrPasSolution.xsd"
ROOT_TAG = "OrPasu_instance"
DEFAULT_PREFERRED_CAPACITY = 6  # a patient without preferred_capacity accepts rooms up to 6 beds
DEFAULT_MAX_AGE = 120  # a department without max_age admits patients up to this age (as the referee reads it)
HORIZON_FACTOR = 2  # stays may run on 2 * H days (flexible horizon)
MAX_HORIZON_DAYS = 366  # a longer horizon is refused (the published long instances have 28 days)
MAX_CAPACITY = 1000  # beds in one room; more is refused (CP-SAT's integers and every loop stay small)

T = TypeVar("T")


class GenderPolicy(StrEnum):
    SAME = "SameGender"
    MALE_ONLY = "MaleOnly"
    FEMALE_ONLY = "FemaleOnly"
    ANY = "Any"


@dataclass(frozen=True)
class Department:
    name: str
    main: frozenset[str]
    aux: frozenset[str]
    min_age: int | None = None
    max_age: int | None = None

    def admits_age(self, age: int) -> bool:
        """The referee's age rule: a limit of 0 means none, and a missing maximum is ``DEFAULT_MAX_AGE``."""
        lo = self.min_age or 0
        hi = DEFAULT_MAX_AGE if self.max_age is None else self.max_age
        return not (lo and age < lo) and not (hi and age > hi)


@dataclass(frozen=True)
class Room:
    name: str
    capacity: int
    department: str
    gender_policy: GenderPolicy
    features: frozenset[str]


@dataclass(frozen=True)
class Treatment:
    name: str
    specialism: str
    surgery: bool
    length: int  # surgery minutes of a patient with a surgery day (the referee reads it whatever ``surgery`` says)


@dataclass(frozen=True)
class OrPasPatient:
    name: str
    age: int
    male: bool
    treatment: str
    registration: int
    admission: int  # earliest (requested) admission day
    discharge: int  # requested discharge day (exclusive): length of stay = discharge - admission
    variability: bool  # may overstay one day
    max_admission: int  # latest admission day (default: the stay still fits in the extended horizon)
    preferred_capacity: int
    needed: frozenset[str]
    preferred: frozenset[str]
    surgery_day: int | None = None  # requested surgery day; moves with the admission day
    initial_room: str | None = None  # present patient: room occupied before the horizon starts
    urgent: bool | None = None  # None: from the dates (see ``elective``); set when the dates are rewritten

    @property
    def los(self) -> int:
        return self.discharge - self.admission

    @property
    def surgery_offset(self) -> int | None:
        return None if self.surgery_day is None else self.surgery_day - self.admission

    @property
    def present(self) -> bool:
        return self.initial_room is not None

    @property
    def elective(self) -> bool:
        """The referee's *elective*: not registered on the admission day with no room for delay. Only electives'
        surgeries count in a specialism's OR load (its slot time, admitted overtime and idle minutes); every
        surgery counts in the day's total. Models that rewrite a patient's dates (the dynamic day models, the
        narrowed windows) set ``urgent`` from the original dates, so the rule sees the instance's patient."""
        if self.urgent is not None:
            return not self.urgent
        return not (self.registration == self.admission and self.max_admission == self.admission)


@dataclass
class Parsed(Generic[T]):
    """One record of the file: its value (None when unusable), its line, and the problems found in it."""

    line: int
    value: T | None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Horizon:
    start: dt.date
    days: int  # the original horizon H


def atoi(raw: str | None) -> int:
    """C's ``atoi``, as the referee reads integer attributes: the leading digits, 0 when none (``"true"`` is 0)."""
    text = (raw or "").strip()
    sign = -1 if text.startswith("-") else 1
    digits = ""
    for ch in text.lstrip("+-"):
        if not ch.isdigit():
            break
        digits += ch
    return sign * int(digits) if digits else 0


def packaged_schema(name: str = INSTANCE_XSD) -> Path:
    """The published XSD shipped inside the package (the default when none lies beside the file)."""
    return Path(str(resources.files("kg.formats").joinpath(name)))


def _line(el: Any) -> int:
    return int(el.sourceline or 0)


def parse_orpas_xml(path: Path, schema: Path | None = None) -> Any:
    """Parse ``path`` safely (no entities, no network), validated against ``schema`` when given; its root."""
    from lxml import etree

    if not path.is_file():
        raise DataFileError(path, "file does not exist")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as e:
        raise RowError(path, int(e.lineno or 0), f"not well-formed XML: {e.msg}") from e
    except OSError as e:
        raise DataFileError(path, f"cannot read: {e}") from e
    if schema is not None:
        try:
            xsd = etree.XMLSchema(etree.parse(str(schema), etree.XMLParser(resolve_entities=False, no_network=True)))
        except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as e:
            raise DataFileError(schema, f"invalid XML schema: {e}") from e
        if not xsd.validate(tree):
            errs = list(xsd.error_log)
            more = f" (+{len(errs) - 1} more schema errors)" if len(errs) > 1 else ""
            raise RowError(path, int(errs[0].line), f"does not match {schema.name}: {errs[0].message}{more}")
    return tree.getroot()


def _texts(root: Any, xpath: str) -> list[str]:
    return [t for t in ((e.text or "").strip() for e in root.iterfind(xpath)) if t]


def read_specialisms(root: Any) -> list[str]:
    return _texts(root, "specialisms/specialism")


def read_features(root: Any) -> list[str]:
    return _texts(root, "features/feature")


def _date(el: Any, attr: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(el.get(attr) or "")
    except ValueError:
        return None


def read_horizon(root: Any) -> Parsed[Horizon]:
    """The horizon: start day and ``1 <= num_days <= MAX_HORIZON_DAYS``."""
    el = root.find("descriptor/Horizon")
    if el is None:
        return Parsed(_line(root), None, ["descriptor/Horizon missing"])
    start, days = _date(el, "start_day"), atoi(el.get("num_days"))
    if start is None:
        return Parsed(_line(el), None, [f"start_day={el.get('start_day')!r} is not a date"])
    if not 1 <= days <= MAX_HORIZON_DAYS:
        return Parsed(_line(el), None, [f"num_days={el.get('num_days')!r} is not in 1..{MAX_HORIZON_DAYS}"])
    return Parsed(_line(el), Horizon(start, days))


def read_departments(root: Any, specialisms: list[str]) -> Iterator[Parsed[Department]]:
    """Departments; an unknown specialism is a problem (left out), a missing or repeated name makes it unusable."""
    known, seen = set(specialisms), set()
    for el in root.iterfind("departments/department"):
        name = (el.get("name") or "").strip()
        if not name or name in seen:
            yield Parsed(_line(el), None, [f"department without a name or defined twice: {name!r}"])
            continue
        seen.add(name)
        problems: list[str] = []
        levels: dict[str, set[str]] = {"main": set(), "aux": set()}
        for kind, codes in levels.items():
            for code in _texts(el, f"{kind}_specialisms/{kind}_specialism"):
                if code in known:
                    codes.add(code)
                else:
                    problems.append(f"department {name} names unknown specialism {code!r}")
        mn, mx = el.get("min_age"), el.get("max_age")
        dep = Department(name, frozenset(levels["main"] - levels["aux"]), frozenset(levels["aux"]),  # aux wins
                         atoi(mn) if mn else None, atoi(mx) if mx else None)
        yield Parsed(_line(el), dep, problems)


def read_rooms(root: Any, departments: set[str], features: list[str]) -> Iterator[Parsed[Room]]:
    """Rooms of known departments with ``1 <= capacity <= MAX_CAPACITY``; an unknown feature is a problem."""
    known, seen = set(features), set()
    for el in root.iterfind("rooms/room"):
        name, dept = (el.get("name") or "").strip(), (el.get("department") or "").strip()
        raw = (el.get("capacity") or "").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_CAPACITY:
            yield Parsed(_line(el), None, [f"room {name!r}: capacity {raw[:30]!r} is not an integer in "
                                           f"1..{MAX_CAPACITY}"])
            continue
        if not name or name in seen or dept not in departments:
            yield Parsed(_line(el), None, [f"room {name!r}: missing or repeated name, or unknown department {dept!r}"])
            continue
        seen.add(name)
        feats, problems = set(), []
        for code in _texts(el, "features/feature"):
            if code in known:
                feats.add(code)
            else:
                problems.append(f"room {name} names unknown feature {code!r}")
        try:
            policy = GenderPolicy(el.get("gender_policy", "Any"))
        except ValueError:
            policy = GenderPolicy.ANY  # as the referee reads an unknown policy
            problems.append(f"room {name}: unknown gender_policy {el.get('gender_policy')!r}")
        yield Parsed(_line(el), Room(name, int(raw), dept, policy, frozenset(feats)), problems)


def read_treatments(root: Any, specialisms: list[str]) -> Iterator[Parsed[Treatment]]:
    known = set(specialisms)
    for el in root.iterfind("treatments/treatment"):
        name, spec = (el.get("name") or "").strip(), (el.get("specialism") or "").strip()
        if not name or spec not in known:
            yield Parsed(_line(el), None, [f"treatment {name!r} without a name or of unknown specialism {spec!r}"])
            continue
        length = atoi(el.get("length"))
        if not 0 <= length <= 24 * 60:
            yield Parsed(_line(el), None, [f"treatment {name}: length {length} is not in 0..1440 minutes"])
            continue
        yield Parsed(_line(el), Treatment(name, spec, el.get("surgery") in ("1", "true"), length))


def read_or_slots(root: Any, horizon: Horizon) -> tuple[int, list[Parsed[tuple[int, dict[str, int]]]]]:
    """The slot length and, per OR day of the horizon, its number of slots per specialism."""
    el = root.find("or_slots")
    slot_length = atoi(el.get("slot_length")) if el is not None else 0
    days: list[Parsed[tuple[int, dict[str, int]]]] = []
    for d in root.iterfind("or_slots/day"):
        date = _date(d, "name")
        di = None if date is None else (date - horizon.start).days
        if di is None or not 0 <= di < horizon.days:
            days.append(Parsed(_line(d), None, [f"OR day {d.get('name')!r} outside the horizon"]))
            continue
        days.append(Parsed(_line(d), (di, {a.get("name"): atoi(a.get("number_or_slots"))
                                           for a in d.iterfind("specialism_assignment")})))
    return slot_length, days


def read_patients(root: Any, horizon: Horizon, treatments: set[str], rooms: set[str]) -> Iterator[Parsed[OrPasPatient]]:
    """Patients, each date a day index inside the extended horizon (``0 .. 2H``), checked as the referee asserts."""
    last = HORIZON_FACTOR * horizon.days
    for el in root.iterfind("patients/patient"):
        name, line = el.get("name") or "", _line(el)

        def day(attr: str, *, el: Any = el) -> int | None:
            date = _date(el, attr)
            return None if date is None else (date - horizon.start).days

        reg, adm, dis = day("registration"), day("admission"), day("discharge")
        if reg is None or adm is None or dis is None:
            yield Parsed(line, None, [f"patient {name}: registration, admission and discharge must be dates"])
            continue
        if not 0 <= reg <= adm < dis <= last:
            yield Parsed(line, None, [f"patient {name}: need 0 <= registration <= admission < discharge <= day {last} "
                                      "(the extended horizon)"])
            continue
        if el.get("treatment") not in treatments:
            yield Parsed(line, None, [f"patient {name} has unknown treatment {el.get('treatment')!r}"])
            continue
        if el.get("room") is not None and el.get("room") not in rooms:
            yield Parsed(line, None, [f"patient {name} is in unknown room {el.get('room')!r}"])
            continue
        sd = day("surgery_day") if el.get("surgery_day") else None
        if el.get("surgery_day") and (sd is None or not adm <= sd < dis):
            yield Parsed(line, None, [f"patient {name}: surgery day outside the stay"])
            continue
        max_adm = day("max_admission") if el.get("max_admission") else last - (dis - adm)
        if max_adm is None or max_adm > last:
            yield Parsed(line, None, [f"patient {name}: max_admission is not a date inside the extended horizon"])
            continue
        pc = atoi(el.get("preferred_capacity")) if el.get("preferred_capacity") else DEFAULT_PREFERRED_CAPACITY
        props = [(e.get("name"), e.get("type")) for e in el.iterfind("room_properties/room_property")]
        yield Parsed(line, OrPasPatient(
            name=name, age=atoi(el.get("age")), male=el.get("gender") == "Male", treatment=el.get("treatment"),
            registration=reg, admission=adm, discharge=dis, variability=atoi(el.get("variability")) != 0,
            max_admission=max(adm, max_adm), preferred_capacity=pc,
            needed=frozenset(n for n, t in props if t == "needed"),
            preferred=frozenset(n for n, t in props if t != "needed"),
            surgery_day=sd, initial_room=el.get("room"),
        ))

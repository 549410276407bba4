"""Doctors: a hospital's own roster (CSV or JSON of name, speciality, department) or the ingested Synthea
providers (``SPECIALISES_IN`` a Department node), matched to the chosen department."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import normalize_name
from medkg.errors import DataFileError, RowError
from medkg.types import node_citation
from reasoning.consult.knowledge import ConsultKnowledge
from reasoning.consult.models import DepartmentAdvice, DoctorMatch

__all__ = ["FALLBACK_DEPARTMENTS", "RosterEntry", "match_doctors", "read_roster"]

FALLBACK_DEPARTMENTS = ("medkg:dept:general-practice", "medkg:dept:internal-medicine")
_FIELDS = ("name", "speciality", "department")
_MAX_FIELD = 200


@dataclass(frozen=True)
class RosterEntry:
    name: str
    speciality: str
    department: str


def _row(path: Path, line: int, obj: Any) -> RosterEntry:
    if not isinstance(obj, dict):
        raise RowError(path, line, "expected an object with name, speciality, department")
    vals = {k: obj.get(k) or obj.get("specialty" if k == "speciality" else k) for k in _FIELDS}
    name = vals["name"]
    if not isinstance(name, str) or not name.strip():
        raise RowError(path, line, "'name' is missing or empty")
    if not any(isinstance(v, str) and v.strip() for k, v in vals.items() if k != "name"):
        raise RowError(path, line, "needs a 'speciality' or a 'department'")
    for k, v in vals.items():
        if v is not None and (not isinstance(v, str) or len(v) > _MAX_FIELD):
            raise RowError(path, line, f"'{k}' must be text of at most {_MAX_FIELD} characters")
    return RosterEntry(str(vals["name"]).strip(), str(vals["speciality"] or "").strip(),
                       str(vals["department"] or "").strip())


def read_roster(path: Path) -> list[RosterEntry]:
    """A roster file: ``.json`` (a list of objects), ``.jsonl``, or CSV with a header naming ``name``,
    ``speciality`` (or ``specialty``) and ``department``. A bad row raises :class:`RowError` with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"cannot read the roster: {e}") from e
    suffix = path.suffix.lower()
    rows: list[RosterEntry] = []
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise DataFileError(path, f"roster is not JSON ({e.msg}, line {e.lineno})") from e
        if not isinstance(data, list):
            raise DataFileError(path, "a JSON roster is a list of {name, speciality, department} objects")
        rows = [_row(path, i, obj) for i, obj in enumerate(data, start=1)]
    elif suffix == ".jsonl":
        for i, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(_row(path, i, json.loads(line)))
                except json.JSONDecodeError as e:
                    raise RowError(path, i, f"not JSON ({e.msg})") from e
    else:
        reader = csv.DictReader(io.StringIO(text))
        header = {h.strip().lower() for h in reader.fieldnames or []}
        if "name" not in header or not ({"speciality", "specialty", "department"} & header):
            raise DataFileError(path, "the CSV header must name 'name' and 'speciality' (or 'department')")
        for i, rec in enumerate(reader, start=2):
            rows.append(_row(path, i, {(k or "").strip().lower(): v for k, v in rec.items()}))
    if not rows:
        raise DataFileError(path, "the roster has no rows")
    return rows


def _keys(kn: ConsultKnowledge, dept_id: str) -> set[str]:
    node = kn.nodes([dept_id]).get(dept_id)
    keys = {normalize_name(dept_id.rsplit(":", 1)[-1].replace("-", " "))}
    if node is not None:
        keys |= {normalize_name(x) for x in (node.name, *node.synonyms)}
    for r in kn.rels(dept_id, ["SAME_AS"], "in"):  # the Chinese names of the department
        keys.add(normalize_name(r.start.rsplit(":", 1)[-1]))
    return {k for k in keys if k}


def _matches(entry: RosterEntry, keys: set[str]) -> bool:
    for field in (entry.department, entry.speciality):
        f = normalize_name(field)
        if f and (f in keys or any(re.search(rf"\b{re.escape(k)}\b", f) for k in keys if len(k) >= 4)):
            return True
    return False


def match_doctors(kn: ConsultKnowledge, dept: DepartmentAdvice | None, roster: Sequence[RosterEntry] | None, *,
                  limit: int = 3) -> list[DoctorMatch]:
    """Doctors of the department (then of its alternatives, then general practice/internal medicine)."""
    wanted = [d for d in ([dept.id] if dept and dept.id else []) + [str(a["id"]) for a in (dept.alternatives if dept
                                                                                              else [])] if d]
    wanted += [d for d in FALLBACK_DEPARTMENTS if d not in wanted]
    for dept_id in wanted:
        if roster is not None:
            keys = _keys(kn, dept_id)
            hits = [DoctorMatch(name=e.name, speciality=e.speciality, department=e.department or None, source="roster",
                                citations=[node_citation(dept_id)]) for e in roster if _matches(e, keys)]
        else:
            hits = [DoctorMatch(name=node.name, speciality=str(node.props.get("speciality", "")), department=dept_id,
                                source="synthea", citations=[r.citation]) for r, node in kn.providers(dept_id)[:limit]]
        if hits:
            return hits[:limit]
    return []

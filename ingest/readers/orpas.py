"""OR-PAS patient-admission-scheduling instances (``resources/or_pas/*.xml``): the hospital STRUCTURE only.

Per instance ``<stem>``: a Hospital ``medkg:orpas:<stem>``, its Departments (PART_OF the hospital; min/max age),
Rooms (capacity, gender policy; PART_OF their department; HAS_FEATURE), Specialisms (TREATS_SPECIALISM with
``kind`` main|aux) and RoomFeatures. Patients and treatments are the solver's input, not graph facts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.readers.base import Item, ReadContext, require_file
from kg.formats import (
    ROOT_TAG,
    Parsed,
    parse_orpas_xml,
    read_departments,
    read_features,
    read_rooms,
    read_specialisms,
)
from medkg.errors import DataFileError, RowError
from medkg.types import Node, PropValue, Relationship

__all__ = ["OrPasReader"]

log = logging.getLogger(__name__)

DIR = Path("resources/or_pas")


class OrPasReader:
    source = "orpas"
    root: Path | None = DIR
    exclusive_prefixes = ("medkg:orpas:",)

    def files(self, data_dir: Path) -> list[Path]:
        d = data_dir / DIR
        if not d.is_dir():
            return [d / "or_pas_*.xml"]
        return sorted(d.glob("*.xml"))

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        paths = self.files(data_dir)
        if not paths or not paths[0].exists():
            raise DataFileError(data_dir / DIR, "no OR-PAS instance files (*.xml) found")
        for i, path in enumerate(paths):
            if ctx.limited(i):
                break
            yield from self._instance(require_file(path), ctx)

    def _instance(self, path: Path, ctx: ReadContext) -> Iterator[Item]:
        """The hospital structure, read by the one OR-PAS format module (the solver reads the same file with it)."""
        try:
            root = parse_orpas_xml(path)
        except RowError as e:
            raise DataFileError(path, str(e)) from e
        if root.tag != ROOT_TAG:
            raise DataFileError(path, f"root element is <{root.tag}>, expected <{ROOT_TAG}>")
        stem = path.stem
        base = f"medkg:orpas:{stem}"
        ctx.at(path, 1)
        yield Node(id=base, label="Hospital", name=f"OR-PAS {stem}", sources=(self.source,),
                   props={"instance": root.get("name", stem), "kind": "or_pas_instance"})
        specs, feats = read_specialisms(root), read_features(root)
        for s in sorted(set(specs)):
            yield Node(id=f"{base}:specialism:{s}", label="Specialism", name=s.replace("_", " "),
                       sources=(self.source,), props={"instance": stem, "code": s})
        for f in sorted(set(feats)):
            yield Node(id=f"{base}:feature:{f}", label="RoomFeature", name=f.replace("_", " "),
                       sources=(self.source,), props={"instance": stem, "code": f})
        depts: set[str] = set()
        for rec in read_departments(root, specs):
            ctx.at(path, rec.line)
            yield from self._rejects(rec, ctx)
            dep = rec.value
            if dep is None:
                continue
            depts.add(dep.name)
            did = f"{base}:dept:{dep.name}"
            props: dict[str, PropValue] = {"instance": stem, "code": dep.name}
            if dep.min_age is not None:
                props["min_age"] = dep.min_age
            if dep.max_age is not None:
                props["max_age"] = dep.max_age
            yield Node(id=did, label="Department", name=dep.name.replace("_", " "), sources=(self.source,),
                       props=props)
            yield Relationship(type="PART_OF", start=did, end=base, source=self.source)
            for kind, codes in (("main", dep.main), ("aux", dep.aux)):
                for code in sorted(codes):
                    yield Relationship(type="TREATS_SPECIALISM", start=did, end=f"{base}:specialism:{code}",
                                       source=self.source, props={"kind": kind})
        for rrec in read_rooms(root, depts, feats):
            ctx.at(path, rrec.line)
            yield from self._rejects(rrec, ctx)
            room = rrec.value
            if room is None:
                continue
            rid = f"{base}:room:{room.name}"
            yield Node(id=rid, label="Room", name=f"{room.name} ({room.department.replace('_', ' ')})",
                       sources=(self.source,), props={"instance": stem, "code": room.name, "capacity": room.capacity,
                                                      "gender_policy": str(room.gender_policy)})
            yield Relationship(type="PART_OF", start=rid, end=f"{base}:dept:{room.department}", source=self.source)
            for code in sorted(room.features):
                yield Relationship(type="HAS_FEATURE", start=rid, end=f"{base}:feature:{code}", source=self.source)

    @staticmethod
    def _rejects(rec: Parsed[Any], ctx: ReadContext) -> Iterator[Item]:
        for problem in rec.problems:
            yield ctx.reject(problem)

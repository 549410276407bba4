"""OR-PAS patient-admission-scheduling instances (``resources/or_pas/*.xml``): the hospital STRUCTURE only.

Per instance ``<stem>``: a Hospital ``medkg:orpas:<stem>``, its Departments (PART_OF the hospital; min/max age),
Rooms (capacity, gender policy; PART_OF their department; HAS_FEATURE), Specialisms (TREATS_SPECIALISM with
``kind`` main|aux) and RoomFeatures. Patients and treatments are the solver's input, not graph facts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ingest.readers.base import Item, ReadContext, require_file
from medkg.errors import DataFileError
from medkg.types import Node, PropValue, Relationship

__all__ = ["OrPasReader"]

log = logging.getLogger(__name__)

DIR = Path("resources/or_pas")
ROOT = "OrPasu_instance"


def _line(el: etree._Element) -> int:
    return int(el.sourceline or 0)


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
        try:
            root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        except etree.XMLSyntaxError as e:
            raise DataFileError(path, f"not well-formed XML: {e}") from e
        if root.tag != ROOT:
            raise DataFileError(path, f"root element is <{root.tag}>, expected <{ROOT}>")
        stem = path.stem
        base = f"medkg:orpas:{stem}"
        ctx.at(path, 1)
        yield Node(id=base, label="Hospital", name=f"OR-PAS {stem}", sources=(self.source,),
                   props={"instance": root.get("name", stem), "kind": "or_pas_instance"})
        specs = {(s.text or "").strip() for s in root.iterfind("specialisms/specialism")}
        feats = {(f.text or "").strip() for f in root.iterfind("features/feature")}
        for s in sorted(specs - {""}):
            yield Node(id=f"{base}:specialism:{s}", label="Specialism", name=s.replace("_", " "),
                       sources=(self.source,), props={"instance": stem, "code": s})
        for f in sorted(feats - {""}):
            yield Node(id=f"{base}:feature:{f}", label="RoomFeature", name=f.replace("_", " "),
                       sources=(self.source,), props={"instance": stem, "code": f})
        depts: set[str] = set()
        for dep in root.iterfind("departments/department"):
            ctx.at(path, _line(dep))
            name = dep.get("name", "").strip()
            if not name or name in depts:
                yield ctx.reject(f"department without a name or defined twice: {name!r}")
                continue
            depts.add(name)
            did = f"{base}:dept:{name}"
            props: dict[str, PropValue] = {"instance": stem, "code": name}
            for attr in ("min_age", "max_age"):
                if dep.get(attr):
                    props[attr] = int(dep.get(attr, "0"))
            yield Node(id=did, label="Department", name=name.replace("_", " "), sources=(self.source,), props=props)
            yield Relationship(type="PART_OF", start=did, end=base, source=self.source)
            for kind in ("main", "aux"):
                for s in dep.iterfind(f"{kind}_specialisms/{kind}_specialism"):
                    code = (s.text or "").strip()
                    if code not in specs:
                        yield ctx.reject(f"department {name} names unknown specialism {code!r}")
                        continue
                    yield Relationship(type="TREATS_SPECIALISM", start=did, end=f"{base}:specialism:{code}",
                                       source=self.source, props={"kind": kind})
        for room in root.iterfind("rooms/room"):
            ctx.at(path, _line(room))
            name, dept = room.get("name", "").strip(), room.get("department", "").strip()
            try:
                capacity = int(room.get("capacity", ""))
            except ValueError:
                yield ctx.reject(f"room {name!r}: capacity is not an integer")
                continue
            if not name or dept not in depts or capacity < 1:
                yield ctx.reject(f"room {name!r}: missing name, unknown department {dept!r} or capacity < 1")
                continue
            rid = f"{base}:room:{name}"
            yield Node(id=rid, label="Room", name=f"{name} ({dept.replace('_', ' ')})", sources=(self.source,),
                       props={"instance": stem, "code": name, "capacity": capacity,
                              "gender_policy": room.get("gender_policy", "Any")})
            yield Relationship(type="PART_OF", start=rid, end=f"{base}:dept:{dept}", source=self.source)
            for f in room.iterfind("features/feature"):
                code = (f.text or "").strip()
                if code not in feats:
                    yield ctx.reject(f"room {name} names unknown feature {code!r}")
                    continue
                yield Relationship(type="HAS_FEATURE", start=rid, end=f"{base}:feature:{code}", source=self.source)

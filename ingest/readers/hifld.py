"""HIFLD hospitals (``resources/hifld_hospitals.csv``, UTF-8 with BOM) → ``Hospital`` nodes ``HIFLD:<ID>``.

``BEDS = -999`` (and every other ``-999``/``NOT AVAILABLE``) means unknown and is omitted, never stored as a number.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from ingest.readers.base import Item, ReadContext, TableSpec, dedupe_ids, read_rows
from medkg.types import Node, PropValue

__all__ = ["HifldReader"]

log = logging.getLogger(__name__)

FILE = Path("resources/hifld_hospitals.csv")
SPEC = TableSpec(required=("ID", "NAME", "CITY", "STATE", "TYPE", "STATUS", "BEDS", "TRAUMA", "HELIPAD", "LATITUDE",
                           "LONGITUDE"))
_UNKNOWN = {"", "NOT AVAILABLE", "-999", "N/A"}
_TEXT = {"ADDRESS": "address", "CITY": "city", "STATE": "state", "ZIP": "zip", "COUNTY": "county", "TYPE": "type",
         "STATUS": "status", "OWNER": "owner", "NAICS_DESC": "naics_desc", "WEBSITE": "website", "TELEPHONE": "phone"}


class HifldReader:
    source = "hifld"
    root: Path | None = FILE
    exclusive_prefixes = ("HIFLD:",)

    def files(self, data_dir: Path) -> list[Path]:
        return [data_dir / FILE]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        path = data_dir / FILE
        seen: dict[str, int] = {}
        unknown_beds = 0
        for v in read_rows(path, SPEC, ctx):
            if not v or not v["ID"] or not v["NAME"]:
                yield ctx.reject("wrong number of fields or empty ID/NAME")
                continue
            if not v["ID"].isalnum():
                yield ctx.reject(f"ID {v['ID']!r} is not alphanumeric")
                continue
            try:
                lat, lon = float(v["LATITUDE"]), float(v["LONGITUDE"])
            except ValueError:
                yield ctx.reject(f"LATITUDE/LONGITUDE not numeric: {v['LATITUDE']!r}, {v['LONGITUDE']!r}")
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                yield ctx.reject(f"coordinates out of range: {lat}, {lon}")
                continue
            nid = f"HIFLD:{v['ID']}"
            dup = dedupe_ids(seen, nid, ctx)
            if dup is not None:
                yield dup
                continue
            props: dict[str, PropValue] = {p: v[c] for c, p in _TEXT.items() if v.get(c, "") not in _UNKNOWN}
            props["latitude"], props["longitude"] = lat, lon
            if v["BEDS"] in _UNKNOWN:
                unknown_beds += 1
            else:
                try:
                    beds = int(float(v["BEDS"]))
                except ValueError:
                    yield ctx.reject(f"BEDS {v['BEDS']!r} is not a number")
                    continue
                if beds < 0:
                    yield ctx.reject(f"BEDS {beds} is negative")
                    continue
                props["beds"] = beds
            if v["TRAUMA"] not in _UNKNOWN:
                props["trauma"] = v["TRAUMA"]
                props["trauma_levels"] = [t.strip() for t in v["TRAUMA"].split(",") if t.strip()]
            if v["HELIPAD"] in ("Y", "N"):
                props["helipad"] = v["HELIPAD"] == "Y"
            yield Node(id=nid, label="Hospital", name=v["NAME"].title(), synonyms=(v["NAME"],), sources=(self.source,),
                       props=props)
        ctx.notes["beds_unknown_omitted"] = unknown_beds

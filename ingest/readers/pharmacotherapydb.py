"""PharmacotherapyDB indications → TREATS (DM), PALLIATES (SYM), NOT_INDICATED_FOR (NOT) Compound → Disease."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from ingest.readers.base import Item, ReadContext, TableSpec, read_rows
from medkg.types import Node, Relationship

__all__ = ["CATEGORY_TYPES", "PharmacotherapyDbReader"]

log = logging.getLogger(__name__)

FILE = Path("kg/pharmacotherapydb/indications.tsv")
SPEC = TableSpec(required=("doid_id", "drugbank_id", "disease", "drug", "category", "n_curators", "n_resources"),
                 delimiter="\t")
CATEGORY_TYPES = {"DM": "TREATS", "SYM": "PALLIATES", "NOT": "NOT_INDICATED_FOR"}


class PharmacotherapyDbReader:
    source = "pharmacotherapydb"
    root: Path | None = FILE.parent

    def files(self, data_dir: Path) -> list[Path]:
        return [data_dir / FILE]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        path = data_dir / FILE
        seen: dict[tuple[str, str], int] = {}
        nodes: dict[str, Node] = {}
        for v in read_rows(path, SPEC, ctx):
            if not v:
                yield ctx.reject("wrong number of fields")
                continue
            doid, db, cat = v["doid_id"], v["drugbank_id"], v["category"]
            if not doid.startswith("DOID:") or not db.startswith("DB") or not v["disease"] or not v["drug"]:
                yield ctx.reject(f"bad ids or empty names: doid_id={doid!r} drugbank_id={db!r}")
                continue
            if cat not in CATEGORY_TYPES:
                yield ctx.reject(f"unknown category {cat!r} (expected DM, SYM or NOT)")
                continue
            try:
                curators, resources = int(v["n_curators"]), int(v["n_resources"])
            except ValueError:
                yield ctx.reject("n_curators/n_resources not integers")
                continue
            first = seen.get((doid, db))
            if first is not None:
                yield ctx.reject(f"duplicate indication {db} → {doid} (first on line {first})")
                continue
            seen[(doid, db)] = ctx.line
            cid = f"DrugBank:{db}"
            for node in (
                Node(id=doid, label="Disease", name=v["disease"], sources=(self.source,)),
                Node(id=cid, label="Compound", name=v["drug"], sources=(self.source,)),
            ):
                if node.id not in nodes:
                    nodes[node.id] = node
                    yield node
            yield Relationship(type=CATEGORY_TYPES[cat], start=cid, end=doid, source=self.source,
                               props={"category": cat, "n_curators": curators, "n_resources": resources})

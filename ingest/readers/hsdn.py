"""HSDN disease–symptom links (MEDLINE TF-IDF) → HAS_SYMPTOM Disease(DOID) → Symptom(MeSH).

One DOID disease may stand for several MeSH diseases (coronary artery disease ← 3 MeSH headings), so the same
(DOID, symptom) pair can occur more than once: the pair becomes ONE relationship carrying the strongest row
(highest TF-IDF) and the MeSH disease ids it came from; the number of merged rows goes into the notes.
``weight`` = log(1 + tfidf) / log(1 + max tfidf of the file), in [0, 1].
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.readers.base import Item, ReadContext, TableSpec, read_table
from medkg.types import Node, Relationship

__all__ = ["HsdnReader"]

log = logging.getLogger(__name__)

FILE = Path("kg/hsdn/symptoms-DO.tsv")
SPEC = TableSpec(
    required=("symptom_name", "disease_name", "cooccurs", "tfidf_score", "disease_id", "symptom_id", "doid_code",
              "doid_name"),
    delimiter="\t",
)


@dataclass
class _Pair:
    line: int
    tfidf: float
    cooccurs: int
    mesh_diseases: set[str]


class HsdnReader:
    source = "hsdn"
    root: Path | None = FILE.parent

    def files(self, data_dir: Path) -> list[Path]:
        return [data_dir / FILE]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        path = data_dir / FILE
        pairs: dict[tuple[str, str], _Pair] = {}
        diseases: dict[str, tuple[str, set[str], set[str]]] = {}  # doid → (name, synonyms, mesh xrefs)
        symptoms: dict[str, str] = {}
        merged = 0
        n = 0
        for row in read_table(path, SPEC):
            if ctx.limited(n):
                break
            n += 1
            ctx.at(path, row.line)
            v = row.values
            if not v:
                yield ctx.reject("wrong number of fields")
                continue
            doid, sym, mesh_d = v["doid_code"].strip(), v["symptom_id"].strip(), v["disease_id"].strip()
            if not doid.startswith("DOID:") or not sym.startswith("D") or not v["symptom_name"].strip():
                yield ctx.reject(f"bad ids: doid_code={doid!r} symptom_id={sym!r}")
                continue
            try:
                tfidf = float(v["tfidf_score"])
                cooc = int(v["cooccurs"])
            except ValueError:
                yield ctx.reject(f"tfidf_score/cooccurs not numeric: {v['tfidf_score']!r}, {v['cooccurs']!r}")
                continue
            if tfidf < 0 or cooc < 0 or not math.isfinite(tfidf):
                yield ctx.reject(f"tfidf_score must be a finite number >= 0, got {v['tfidf_score']!r}")
                continue
            sym_id = f"MESH:{sym}"
            symptoms[sym_id] = v["symptom_name"].strip()
            name, syns, xrefs = diseases.setdefault(doid, (v["doid_name"].strip(), set(), set()))
            if v["disease_name"].strip():
                syns.add(v["disease_name"].strip())
            if mesh_d:
                xrefs.add(f"MESH:{mesh_d}")
            key = (doid, sym_id)
            old = pairs.get(key)
            if old is None:
                pairs[key] = _Pair(row.line, tfidf, cooc, {mesh_d} if mesh_d else set())
            else:
                merged += 1
                old.mesh_diseases.add(mesh_d)
                if tfidf > old.tfidf:
                    old.tfidf, old.cooccurs, old.line = tfidf, cooc, row.line
        ctx.notes["duplicate_pairs_merged"] = merged
        ctx.notes["duplicate_resolution"] = "same DOID+symptom from several MeSH diseases: kept the highest TF-IDF row"
        for doid, (name, syns, xrefs) in sorted(diseases.items()):
            yield Node(id=doid, label="Disease", name=name, synonyms=tuple(sorted(syns - {name})),
                       sources=(self.source,), props={"xrefs": sorted(xrefs)})
        for sid, sname in sorted(symptoms.items()):
            yield Node(id=sid, label="Symptom", name=sname, sources=(self.source,))
        top = max((p.tfidf for p in pairs.values()), default=0.0)
        denom = math.log1p(top) if top > 0 else 1.0
        for (doid, sid), p in sorted(pairs.items()):
            ctx.point(path, p.line)
            yield Relationship(
                type="HAS_SYMPTOM", start=doid, end=sid, source=self.source,
                weight=round(min(1.0, math.log1p(p.tfidf) / denom), 6),
                props={"tfidf": p.tfidf, "cooccurs": p.cooccurs, "mesh_diseases": sorted(p.mesh_diseases)},
            )

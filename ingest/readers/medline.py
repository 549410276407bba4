"""MEDLINE disease co-occurrence → COOCCURS_WITH, and the DO-slim ↔ MeSH map → MeSH xrefs/synonyms on DOID nodes.

The co-occurrence file lists every pair in both directions with the same figures (p_fisher up to float noise):
each unordered pair becomes ONE relationship from the smaller to the larger DOID; the mirrored rows are counted.
``weight`` = enrichment / (1 + enrichment) (0.5 = as expected by chance), 0 when enrichment is 0.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path

from ingest.readers.base import Item, ReadContext, TableSpec, read_rows
from medkg.types import Node, PropValue, Relationship

__all__ = ["MedlineReader"]

log = logging.getLogger(__name__)

COOC = Path("kg/medline/disease-disease-cooccurrence.tsv")
SLIM = Path("kg/medline/DO-slim-to-mesh.tsv")
COOC_SPEC = TableSpec(required=("doid_code_0", "doid_name_0", "doid_code_1", "doid_name_1", "cooccurrence",
                                "expected", "enrichment", "odds_ratio", "p_fisher"), delimiter="\t")
SLIM_SPEC = TableSpec(required=("doid_code", "doid_name", "mesh_id", "mesh_name"), delimiter="\t")
_FLOATS = ("expected", "enrichment", "odds_ratio", "p_fisher")


def _weight(enrichment: float) -> float:
    if math.isinf(enrichment):
        return 1.0
    return round(enrichment / (1.0 + enrichment), 6) if enrichment > 0 else 0.0


class MedlineReader:
    source = "medline"
    root: Path | None = COOC.parent

    def files(self, data_dir: Path) -> list[Path]:
        return [data_dir / SLIM, data_dir / COOC]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        yield from self._slim(data_dir / SLIM, ctx)
        yield from self._cooc(data_dir / COOC, ctx)

    def _slim(self, path: Path, ctx: ReadContext) -> Iterator[Item]:
        found: dict[str, tuple[str, set[str], set[str]]] = {}
        for v in read_rows(path, SLIM_SPEC, ctx):
            if not v or not v["doid_code"].startswith("DOID:") or not v["mesh_id"].startswith("D"):
                yield ctx.reject("wrong number of fields or bad ids (expected DOID:… and a MeSH D… id)")
                continue
            name, syns, xrefs = found.setdefault(v["doid_code"], (v["doid_name"], set(), set()))
            if v["mesh_name"]:
                syns.add(v["mesh_name"])
            xrefs.add(f"MESH:{v['mesh_id']}")
        multi = sum(1 for _, _, x in found.values() if len(x) > 1)
        ctx.notes["slim_doids_with_several_mesh"] = multi
        for doid, (name, syns, xrefs) in sorted(found.items()):
            yield Node(id=doid, label="Disease", name=name, synonyms=tuple(sorted(syns - {name})),
                       sources=(self.source,), props={"xrefs": sorted(xrefs)})

    def _cooc(self, path: Path, ctx: ReadContext) -> Iterator[Item]:
        pairs: dict[tuple[str, str], int] = {}
        names: dict[str, str] = {}
        mirrored = inf_figures = 0
        for v in read_rows(path, COOC_SPEC, ctx):
            if not v:
                yield ctx.reject("wrong number of fields")
                continue
            a, b = v["doid_code_0"], v["doid_code_1"]
            if not a.startswith("DOID:") or not b.startswith("DOID:") or a == b:
                yield ctx.reject(f"bad disease pair {a!r}, {b!r}")
                continue
            try:
                figures: dict[str, float | int] = {"cooccurrence": int(v["cooccurrence"])}
                figures.update({k: float(v[k]) for k in _FLOATS})
            except ValueError:
                yield ctx.reject("non-numeric co-occurrence figures")
                continue
            if any(isinstance(x, float) and math.isnan(x) for x in figures.values()):
                yield ctx.reject("NaN in co-occurrence figures")
                continue
            infinite = [k for k, x in figures.items() if isinstance(x, float) and math.isinf(x)]
            for k in infinite:  # odds ratio 'inf' (a zero cell): not storable as a number; flag it instead
                del figures[k]
            if infinite:
                inf_figures += 1
            start, end = sorted((a, b))
            if (start, end) in pairs:
                mirrored += 1
                continue
            pairs[(start, end)] = ctx.line
            for i, did in ((0, a), (1, b)):
                if did not in names and v[f"doid_name_{i}"]:
                    names[did] = v[f"doid_name_{i}"]
                    yield Node(id=did, label="Disease", name=names[did], sources=(self.source,))
            enrich = float(figures.get("enrichment", math.inf))
            props: dict[str, PropValue] = dict(figures)
            if infinite:
                props["infinite"] = infinite
            yield Relationship(type="COOCCURS_WITH", start=start, end=end, source=self.source,
                               weight=_weight(enrich), props=props)
        ctx.notes["mirrored_pairs_merged"] = mirrored
        ctx.notes["infinite_odds_ratio_omitted"] = inf_figures
        ctx.notes["mirrored_resolution"] = (
            "A–B and B–A rows carry the same figures (p_fisher up to float noise): one relationship per pair"
        )

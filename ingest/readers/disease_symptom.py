"""The 41-disease symptom table (Training.csv), severity weights, descriptions and precautions.

Diseases link to existing KG diseases (DOID) by curated alias or normalised name/synonym, else get a minted
``medkg:disease:<slug>``; symptoms link to MeSH symptom nodes the same way, else ``medkg:symptom:<slug>``.
HAS_SYMPTOM ``weight`` = share of the disease's training rows showing the symptom. Link rates go to the notes.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Generator, Iterator
from pathlib import Path

from ingest.linking import ConceptIndex, concept_index, load_aliases
from ingest.readers.base import Item, ReadContext, TableSpec, read_positional, read_table, slug
from kg import normalize_name
from medkg.errors import DataFileError
from medkg.types import Node, Relationship

__all__ = ["DiseaseSymptomReader", "symptom_key"]

log = logging.getLogger(__name__)

DIR = Path("kg/disease_symptom")
TRAINING, SEVERITY = DIR / "Training.csv", DIR / "Symptom_severity.csv"
DESCRIPTION, PRECAUTION = DIR / "symptom_Description.csv", DIR / "symptom_precaution.csv"
_SPACE = re.compile(r"[\s_]+")


_Table = tuple[dict[str, dict[str, int]], dict[str, int], dict[str, int], dict[str, str]]


def symptom_key(raw: str) -> str:
    """Column/severity key that survives the file's stray spaces ('spotting_ urination' = 'spotting_urination')."""
    return _SPACE.sub("", raw).lower()


def _display(raw: str) -> str:
    return _SPACE.sub(" ", raw.replace("_", " ")).strip()


class DiseaseSymptomReader:
    source = "disease_symptom"
    root: Path | None = DIR

    def files(self, data_dir: Path) -> list[Path]:
        return [data_dir / p for p in (TRAINING, SEVERITY, DESCRIPTION, PRECAUTION)]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        severity: dict[str, int] = {}
        path = data_dir / SEVERITY
        for row in read_table(path, TableSpec(required=(), header=False), columns=("symptom", "weight")):
            ctx.at(path, row.line)
            try:
                severity[symptom_key(row.values["symptom"])] = int(row.values["weight"])
            except (KeyError, ValueError):
                yield ctx.reject("expected '<symptom>,<integer weight>'")
        descriptions: dict[str, str] = {}
        path = data_dir / DESCRIPTION
        for row in read_table(path, TableSpec(required=(), header=False), columns=("disease", "description")):
            ctx.at(path, row.line)
            if not row.values or not row.values["disease"].strip():
                yield ctx.reject("expected '<disease>,<description>'")
                continue
            descriptions[row.values["disease"].strip()] = row.values["description"].strip()
        precautions: dict[str, list[str]] = {}
        path = data_dir / PRECAUTION
        for row in read_table(path, TableSpec(required=(), header=False), columns=("disease", "p1", "p2", "p3", "p4")):
            ctx.at(path, row.line)
            if not row.values or not row.values["disease"].strip():
                yield ctx.reject("expected '<disease>,<up to 4 precautions>'")
                continue
            precautions[row.values["disease"].strip()] = [
                row.values[k].strip() for k in ("p1", "p2", "p3", "p4") if row.values.get(k, "").strip()
            ]
        counts, totals, lines, columns = yield from self._training(data_dir / TRAINING, ctx)
        diseases = concept_index(ctx, "Disease")
        symptoms = concept_index(ctx, "Symptom")
        yield from self._emit(counts, totals, lines, columns, severity, descriptions, precautions, diseases, symptoms,
                              data_dir / TRAINING, ctx)

    def _training(self, path: Path, ctx: ReadContext) -> Generator[Item, None, _Table]:
        """Whole-table pass: per-disease symptom counts, rows per disease, first line, symptom key → column."""
        header, rows = read_positional(path, TableSpec(required=("prognosis",)))
        if header[-1] != "prognosis":
            raise DataFileError(path, "the last column must be 'prognosis'")
        columns: dict[str, str] = {}
        dup_cols = 0
        for h in header[:-1]:
            k = symptom_key(h)
            if k in columns:
                dup_cols += 1  # the file repeats 'fluid_overload': the two columns are OR-ed
            columns.setdefault(k, h)
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        totals: dict[str, int] = defaultdict(int)
        lines: dict[str, int] = {}
        n = 0
        for line, fields in rows:
            if ctx.limited(n):
                break
            n += 1
            ctx.at(path, line)
            if len(fields) != len(header) or not fields[-1].strip():
                yield ctx.reject(f"expected {len(header)} fields ending in the disease name, got {len(fields)}")
                continue
            if any(f.strip() not in ("0", "1") for f in fields[:-1]):
                yield ctx.reject("symptom columns must be 0 or 1")
                continue
            disease = fields[-1]
            totals[disease] += 1
            lines.setdefault(disease, line)
            for k in {symptom_key(h) for h, f in zip(header[:-1], fields[:-1], strict=True) if f.strip() == "1"}:
                counts[disease][k] += 1
        ctx.notes["duplicate_columns_merged"] = dup_cols
        return counts, totals, lines, columns

    def _emit(self, counts: dict[str, dict[str, int]], totals: dict[str, int], lines: dict[str, int],
              columns: dict[str, str], severity: dict[str, int], descriptions: dict[str, str],
              precautions: dict[str, list[str]], diseases: ConceptIndex, symptoms: ConceptIndex, path: Path,
              ctx: ReadContext) -> Iterator[Item]:
        by_name, _ = load_aliases(self.source)
        desc_by_key = {normalize_name(k): v for k, v in descriptions.items()}
        prec_by_key = {normalize_name(k): v for k, v in precautions.items()}
        disease_ids: dict[str, str] = {}
        linked = 0
        for raw in sorted(totals):
            name = " ".join(raw.split())
            alias = by_name.get(normalize_name(name))
            target = alias.id if alias is not None and alias.label == "Disease" else diseases.lookup(name)
            if target == f"medkg:disease:{slug(name)}":  # our own node of an earlier run is no link to the KG
                target = None
            ctx.point(path, lines[raw])
            props: dict[str, str | int] = {"training_rows": totals[raw]}
            desc = desc_by_key.get(normalize_name(name))
            if desc:
                props["description"] = desc
            if target is not None and target in diseases.labels:
                linked += 1
                disease_ids[raw] = target
                yield Node(id=target, label="Disease", name=name, synonyms=(name,), sources=(self.source,),
                           props=props)
            else:
                disease_ids[raw] = f"medkg:disease:{slug(name)}"
                yield Node(id=disease_ids[raw], label="Disease", name=name, sources=(self.source,), props=props)
        ctx.notes["diseases"] = len(totals)
        ctx.notes["diseases_linked_to_kg"] = linked
        ctx.notes["disease_link_rate"] = round(linked / len(totals), 3) if totals else 0.0
        sym_ids: dict[str, str] = {}
        sym_linked = 0
        for key, raw in sorted(columns.items()):
            name = _display(raw)
            alias = by_name.get(normalize_name(name))
            target = alias.id if alias is not None and alias.label == "Symptom" else symptoms.lookup(name)
            if target == f"medkg:symptom:{slug(name)}":  # our own node of an earlier run is no link to the KG
                target = None
            props2: dict[str, int] = {}
            if key in severity:
                props2["severity_weight"] = severity[key]
            if target is not None and target in symptoms.labels:
                sym_linked += 1
                sym_ids[key] = target
                yield Node(id=target, label="Symptom", name=name, synonyms=(name,), sources=(self.source,),
                           props=props2)
            else:
                sym_ids[key] = f"medkg:symptom:{slug(name)}"
                yield Node(id=sym_ids[key], label="Symptom", name=name, sources=(self.source,), props=props2)
        ctx.notes["symptoms"] = len(columns)
        ctx.notes["symptom_link_rate"] = round(sym_linked / len(columns), 3) if columns else 0.0
        for raw, per in sorted(counts.items()):
            ctx.point(path, lines[raw])
            for key, c in sorted(per.items()):
                sev = severity.get(key)
                yield Relationship(type="HAS_SYMPTOM", start=disease_ids[raw], end=sym_ids[key], source=self.source,
                                   weight=round(c / totals[raw], 4),
                                   props={"frequency": round(c / totals[raw], 4), "training_rows": c,
                                          **({"severity_weight": sev} if sev is not None else {})})
            for rank, text in enumerate(prec_by_key.get(normalize_name(" ".join(raw.split())), []), start=1):
                pid = f"medkg:precaution:{slug(text)}"
                yield Node(id=pid, label="Precaution", name=text.capitalize(), sources=(self.source,))
                yield Relationship(type="ADVISED", start=disease_ids[raw], end=pid, source=self.source,
                                   props={"rank": rank})



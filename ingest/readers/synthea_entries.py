"""Synthea record entries: conditions, medications, observations, procedures, allergies.

Entries have no id of their own: each gets a keyed pseudonym of (patient, encounter, code, time[, value]), so
ids are stable across re-ingests and do not reveal the patient. Conditions link (IS_A) to DOID diseases or MeSH
symptoms by curated SNOMED alias, then by normalised description; medications link to DrugBank compounds by
ingredient name. Link rates go to the notes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ingest.deid import Pseudonymizer
from ingest.linking import Alias, ConceptIndex, concept_index, load_aliases, strip_semantic_tag
from ingest.readers.base import Item, ReadContext, TableSpec, read_rows
from kg import normalize_name
from medkg.types import Node, PropValue, Relationship

__all__ = ["ingredients", "read_entries"]

log = logging.getLogger(__name__)

_BASE = ("PATIENT", "ENCOUNTER", "CODE", "DESCRIPTION")
SPECS = {  # a cohort may have no allergies (etc.): a header-only entry file is allowed
    "conditions": TableSpec(required=("START", "STOP", *_BASE), allow_no_rows=True),
    "medications": TableSpec(required=("START", "STOP", *_BASE), allow_no_rows=True),
    "observations": TableSpec(required=("DATE", *_BASE, "VALUE", "UNITS"), allow_no_rows=True),
    "procedures": TableSpec(required=("START", *_BASE), allow_no_rows=True),
    "allergies": TableSpec(required=("START", *_BASE), allow_no_rows=True),
}
# LOINC codes whose answers identify a person (PRAPARE "What address do you live at?").
REDACT_LOINC = frozenset({"56799-0"})
_SALTS = {"hydrochloride", "hydrocholoride", "sodium", "potassium", "sulfate", "acetate", "maleate", "bitartrate",
          "succinate", "hydrobromide", "calcium", "citrate", "besylate", "mesylate", "fumarate", "tartrate",
          "phosphate", "bromide", "chloride", "usp", "propionate"}
_NOISE = re.compile(r"^(NDA\d+|Abuse-Deterrent|\d+(\.\d+)?|HR|ML|ACTUAT|DAY)$", re.IGNORECASE)
_BRACKET = re.compile(r"\[[^\]]*\]")


def ingredients(description: str) -> list[str]:
    """Candidate ingredient names of an RxNorm description, most specific first.

    'Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet' → ['Acetaminophen', 'Oxycodone Hydrochloride',
    'Oxycodone']; brand packs ('Camila 28 Day Pack') give their first word, which rarely links.
    """
    out: list[str] = []
    for part in _BRACKET.sub(" ", description).split(" / "):
        words: list[str] = []
        for w in part.split():
            if _NOISE.match(w) and not words:
                continue
            if any(ch.isdigit() for ch in w):
                break
            words.append(w)
        if not words:
            continue
        name = " ".join(words)
        out.append(name)
        base = [w for w in words if w.lower() not in _SALTS]
        if base and len(base) < len(words):
            out.append(" ".join(base))
    return out


def read_entries(d: Path, ctx: ReadContext, ps: Pseudonymizer, patients: dict[str, str], encounters: dict[str, str],
                 source: str, idents: dict[str, set[str]] | None = None) -> Iterator[Item]:
    """Entries of every kind; without keep_identifiers, observation values that identify the patient (the
    address question, LOINC 56799-0, or any value equal to one of the patient's identifiers) are redacted."""
    diseases, symptoms, compounds = (concept_index(ctx, lb) for lb in ("Disease", "Symptom", "Compound"))
    by_name, by_code = load_aliases("synthea")
    linked_rows = rows_seen = 0
    linked_kinds: dict[str, str] = {}  # SNOMED code → linked concept id ('' = none)
    med_linked = med_rows = 0
    redacted = 0
    for kind in ("conditions", "medications", "observations", "procedures", "allergies"):
        path = d / f"{kind}.csv"
        seen: set[str] = set()
        dupes = no_encounter = 0
        for v in read_rows(path, SPECS[kind], ctx):
            if not v or not v["CODE"] or not v["DESCRIPTION"]:
                yield ctx.reject("wrong number of fields or empty CODE/DESCRIPTION")
                continue
            patient = patients.get(v["PATIENT"])
            if patient is None:
                yield ctx.reject("PATIENT is not in patients.csv")
                continue
            enc = encounters.get(v["ENCOUNTER"])
            if enc is None and kind != "allergies":
                if v["ENCOUNTER"]:
                    yield ctx.reject("ENCOUNTER is not in encounters.csv")
                else:
                    no_encounter += 1  # e.g. QALY/DALY summaries: nothing to hang them on
                continue
            when = v.get("START") or v.get("DATE", "")
            key_parts = [v["PATIENT"], v["ENCOUNTER"], v["CODE"], when]
            if kind == "observations":
                key_parts.append(v["VALUE"])
            nid = ps.record_id(_SINGULAR[kind], *key_parts)  # several parts: always a keyed hash
            if nid in seen:
                dupes += 1
                continue
            seen.add(nid)
            props: dict[str, PropValue] = {"code": v["CODE"], "date": when[:10] if kind != "observations" else when}
            if v.get("STOP"):
                props["stop"] = v["STOP"]
            label, rel = _KINDS[kind]
            if kind == "observations":
                props.update(_observation(v))
                if not ctx.keep_identifiers and (v["CODE"] in REDACT_LOINC
                                                 or v["VALUE"] in (idents or {}).get(v["PATIENT"], set())):
                    props.pop("value", None)
                    props["value_text"] = "[redacted]"
                    redacted += 1
            elif kind == "allergies":
                props.update({k.lower(): v[k] for k in ("SYSTEM", "TYPE", "CATEGORY", "DESCRIPTION1", "SEVERITY1")
                              if v.get(k)})
            else:
                props["code_system"] = "RxNorm" if kind == "medications" else "SNOMED"
            if v.get("REASONDESCRIPTION"):
                props["reason"] = v["REASONDESCRIPTION"]
            yield Node(id=nid, label=label, name=v["DESCRIPTION"], sources=(source,), props=props)
            start = patient if kind == "allergies" else enc
            assert start is not None
            yield Relationship(type=rel, start=start, end=nid, source=source)
            if kind == "conditions":
                yield Relationship(type="DIAGNOSED", start=patient, end=nid, source=source)
                rows_seen += 1
                target = _link_condition(v, by_code, by_name, diseases, symptoms)
                linked_kinds.setdefault(v["CODE"], "")
                if target is not None:
                    linked_rows += 1
                    linked_kinds[v["CODE"]] = target
                    yield Relationship(type="IS_A", start=nid, end=target, source=source,
                                       props={"match": "code" if v["CODE"] in by_code else "name"})
            elif kind in ("medications", "allergies"):
                targets = {t for t in (_link_compound(n, by_name, compounds) for n in ingredients(v["DESCRIPTION"]))
                           if t}
                if kind == "medications":
                    med_rows += 1
                    med_linked += bool(targets)
                for t in sorted(targets):
                    yield Relationship(type="IS_A", start=nid, end=t, source=source, props={"match": "ingredient"})
        ctx.notes[f"{kind}_duplicate_rows_merged"] = dupes
        if no_encounter:
            ctx.notes[f"{kind}_without_encounter_skipped"] = no_encounter
    ctx.notes["observation_values_redacted"] = redacted
    codes = len(linked_kinds)
    ctx.notes["condition_rows_linked_rate"] = round(linked_rows / rows_seen, 3) if rows_seen else 0.0
    to_disease = sum(1 for t in linked_kinds.values() if t and diseases.labels.get(t) == "Disease")
    to_doid = sum(1 for t in linked_kinds.values() if t.startswith("DOID:"))
    ctx.notes["condition_codes_to_kg_diseases_rate"] = round(to_disease / codes, 3) if codes else 0.0
    ctx.notes["condition_codes_to_doid_rate"] = round(to_doid / codes, 3) if codes else 0.0
    ctx.notes["condition_codes_to_any_concept_rate"] = round(sum(1 for t in linked_kinds.values() if t) / codes, 3) \
        if codes else 0.0
    ctx.notes["condition_codes"] = codes
    ctx.notes["medication_rows_linked_rate"] = round(med_linked / med_rows, 3) if med_rows else 0.0


_SINGULAR = {"conditions": "condition", "medications": "medication", "observations": "observation",
             "procedures": "procedure", "allergies": "allergy"}
_KINDS = {
    "conditions": ("Condition", "DIAGNOSED"),
    "medications": ("Medication", "PRESCRIBED"),
    "observations": ("Observation", "OBSERVED"),
    "procedures": ("Procedure", "PERFORMED"),
    "allergies": ("Allergy", "HAS_ALLERGY"),
}


def _observation(v: dict[str, str]) -> dict[str, PropValue]:
    out: dict[str, PropValue] = {"code_system": "LOINC"}
    if v.get("CATEGORY"):
        out["category"] = v["CATEGORY"]
    if v.get("UNITS"):
        out["units"] = v["UNITS"]
    raw = v.get("VALUE", "")
    if v.get("TYPE") == "numeric":
        try:
            out["value"] = float(raw)
        except ValueError:
            out["value_text"] = raw
    elif raw:
        out["value_text"] = raw
    return out


def _link_compound(name: str, by_name: dict[str, Alias], compounds: ConceptIndex) -> str | None:
    alias = by_name.get(normalize_name(name))
    if alias is not None and alias.label == "Compound" and alias.id in compounds.labels:
        return alias.id
    return compounds.lookup(name)


def _link_condition(v: dict[str, str], by_code: dict[str, Alias], by_name: dict[str, Alias],
                    diseases: ConceptIndex, symptoms: ConceptIndex) -> str | None:
    alias = by_code.get(v["CODE"]) or by_name.get(normalize_name(strip_semantic_tag(v["DESCRIPTION"])))
    if alias is not None and (alias.id in diseases.labels or alias.id in symptoms.labels):
        return alias.id
    return diseases.lookup(v["DESCRIPTION"]) or symptoms.lookup(v["DESCRIPTION"])

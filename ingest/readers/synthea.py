"""Synthea v3 CSV records → Patient, Encounter, Provider, Organization and the record entries (see synthea_entries).

De-identified by default (:mod:`ingest.deid`): patients get ``medkg:patient:<HMAC-SHA256 of the Synthea id>``,
no names, addresses, SSN, driver's licence, passport, phone, coordinates; birth/death dates kept as years only.
``keep_identifiers=True`` is the explicit opt-in that keeps them. Providers' names and addresses are personal
data too and follow the same rule; organisations (hospitals, clinics) are public facilities and keep theirs,
except their phone number.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from ingest.deid import DIRECT_IDENTIFIER_COLUMNS, Pseudonymizer
from ingest.readers.base import Item, ReadContext, TableSpec, dedupe_ids, read_rows
from ingest.readers.curated import dept_id, dept_node, load_departments
from ingest.readers.synthea_entries import read_entries
from medkg.types import Node, PropValue, Relationship

__all__ = ["SyntheaReader"]

log = logging.getLogger(__name__)

DIR = Path("records/synthea")
PATIENTS = TableSpec(required=("Id", "BIRTHDATE", "DEATHDATE", "SSN", "FIRST", "LAST", "GENDER", "RACE", "ETHNICITY",
                               "ADDRESS", "CITY", "STATE", "ZIP", "LAT", "LON"))
ORGS = TableSpec(required=("Id", "NAME", "ADDRESS", "CITY", "STATE", "ZIP", "LAT", "LON"))
PROVIDERS = TableSpec(required=("Id", "ORGANIZATION", "NAME", "GENDER", "SPECIALITY"))
ENCOUNTERS = TableSpec(required=("Id", "START", "STOP", "PATIENT", "ORGANIZATION", "PROVIDER", "ENCOUNTERCLASS", "CODE",
                                 "DESCRIPTION"))
_PATIENT_KEEP = {"MARITAL": "marital", "RACE": "race", "ETHNICITY": "ethnicity", "GENDER": "gender", "STATE": "state"}
_PATIENT_IDENT = {"SSN": "ssn", "DRIVERS": "drivers", "PASSPORT": "passport", "PREFIX": "prefix", "FIRST": "first",
                  "LAST": "last", "SUFFIX": "suffix", "MAIDEN": "maiden", "BIRTHPLACE": "birthplace",
                  "ADDRESS": "address", "CITY": "city", "COUNTY": "county", "ZIP": "zip", "BIRTHDATE": "birthdate",
                  "DEATHDATE": "deathdate"}
_MONEY = {"HEALTHCARE_EXPENSES": "healthcare_expenses", "HEALTHCARE_COVERAGE": "healthcare_coverage"}


def _year(date: str) -> int | None:
    return int(date[:4]) if len(date) >= 4 and date[:4].isdigit() else None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class SyntheaReader:
    source = "synthea"
    root: Path | None = DIR
    exclusive_prefixes = ("medkg:patient:", "medkg:encounter:", "medkg:provider:", "medkg:org:", "medkg:condition:",
                          "medkg:medication:", "medkg:observation:", "medkg:procedure:", "medkg:allergy:")

    def files(self, data_dir: Path) -> list[Path]:
        names = ("organizations", "providers", "patients", "encounters", "conditions", "medications", "observations",
                 "procedures", "allergies")
        return [data_dir / DIR / f"{n}.csv" for n in names]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        ps = Pseudonymizer(ctx.deid_key, keep_identifiers=ctx.keep_identifiers)
        d = data_dir / DIR
        orgs: set[str] = set()
        providers: dict[str, str] = {}
        patients: dict[str, str] = {}
        idents: dict[str, set[str]] = {}
        encounters: dict[str, str] = {}
        yield from self._orgs(d / "organizations.csv", ctx, orgs)
        yield from self._providers(d / "providers.csv", ctx, ps, orgs, providers)
        yield from self._patients(d / "patients.csv", ctx, ps, patients, idents)
        yield from self._encounters(d / "encounters.csv", ctx, ps, patients, orgs, providers, encounters)
        yield from read_entries(d, ctx, ps, patients, encounters, self.source, idents)

    def _orgs(self, path: Path, ctx: ReadContext, orgs: set[str]) -> Iterator[Item]:
        seen: dict[str, int] = {}
        for v in read_rows(path, ORGS, ctx):
            if not v or not v["Id"] or not v["NAME"]:
                yield ctx.reject("wrong number of fields or empty Id/NAME")
                continue
            oid = f"medkg:org:{v['Id']}"
            dup = dedupe_ids(seen, oid, ctx)
            if dup is not None:
                yield dup
                continue
            props: dict[str, PropValue] = {k.lower(): v[k] for k in ("ADDRESS", "CITY", "STATE", "ZIP") if v.get(k)}
            for k in ("LAT", "LON"):
                f = _float(v.get(k, ""))
                if f is not None:
                    props["latitude" if k == "LAT" else "longitude"] = f
            if ctx.keep_identifiers and v.get("PHONE"):
                props["phone"] = v["PHONE"]
            orgs.add(v["Id"])
            yield Node(id=oid, label="Organization", name=v["NAME"].title(), sources=(self.source,), props=props)

    def _providers(self, path: Path, ctx: ReadContext, ps: Pseudonymizer, orgs: set[str],
                   providers: dict[str, str]) -> Iterator[Item]:
        spec_map = {m.speciality: m.en for m in load_departments().synthea}
        seen: dict[str, int] = {}
        depts: set[str] = set()
        unmapped = 0
        for v in read_rows(path, PROVIDERS, ctx):
            if not v or not v["Id"]:
                yield ctx.reject("wrong number of fields or empty Id")
                continue
            pid = ps.record_id("provider", v["Id"])
            dup = dedupe_ids(seen, pid, ctx)
            if dup is not None:
                yield dup
                continue
            speciality = v["SPECIALITY"]
            props: dict[str, PropValue] = {"speciality": speciality}
            if ctx.keep_identifiers:
                name = v["NAME"] or pid
                props.update({k.lower(): v[k] for k in ("GENDER", "ADDRESS", "CITY", "STATE", "ZIP") if v.get(k)})
            else:
                name = f"{speciality.title()} provider {pid.rsplit(':', 1)[1][:8]}"
            providers[v["Id"]] = pid
            yield Node(id=pid, label="Provider", name=name, sources=(self.source,), props=props)
            if v["ORGANIZATION"] in orgs:
                yield Relationship(type="WORKS_AT", start=pid, end=f"medkg:org:{v['ORGANIZATION']}", source=self.source)
            slug = spec_map.get(speciality.upper())
            if slug is None:
                unmapped += 1
                continue
            if slug not in depts:
                depts.add(slug)
                yield dept_node(slug, self.source)
            yield Relationship(type="SPECIALISES_IN", start=pid, end=dept_id(slug), source=self.source,
                               props={"speciality": speciality})
        ctx.notes["providers_speciality_unmapped"] = unmapped

    def _patients(self, path: Path, ctx: ReadContext, ps: Pseudonymizer, patients: dict[str, str],
                  idents: dict[str, set[str]]) -> Iterator[Item]:
        seen: dict[str, int] = {}
        for v in read_rows(path, PATIENTS, ctx):
            if not v or not v["Id"]:
                yield ctx.reject("wrong number of fields or empty Id")
                continue
            birth = _year(v["BIRTHDATE"])
            if birth is None:
                yield ctx.reject(f"BIRTHDATE {v['BIRTHDATE']!r} is not a date")
                continue
            pid = ps.record_id("patient", v["Id"])
            dup = dedupe_ids(seen, pid, ctx)
            if dup is not None:
                yield dup
                continue
            props: dict[str, PropValue] = {"birth_year": birth}
            death = _year(v["DEATHDATE"])
            if death is not None:
                props["death_year"] = death
            props.update({p: v[c] for c, p in _PATIENT_KEEP.items() if v.get(c)})
            for c, p in _MONEY.items():
                f = _float(v.get(c, ""))
                if f is not None:
                    props[p] = f
            if ctx.keep_identifiers:
                props.update({p: v[c] for c, p in _PATIENT_IDENT.items() if v.get(c)})
                for c, p in (("LAT", "latitude"), ("LON", "longitude")):
                    f = _float(v.get(c, ""))
                    if f is not None:
                        props[p] = f
                props["synthea_id"] = v["Id"]
                name = " ".join(x for x in (v["FIRST"], v["LAST"]) if x) or pid
            else:
                name = f"Patient {pid.rsplit(':', 1)[1][:8]}"
            patients[v["Id"]] = pid
            idents[v["Id"]] = {v[c] for c in DIRECT_IDENTIFIER_COLUMNS if len(v.get(c, "")) >= 3}
            yield Node(id=pid, label="Patient", name=name, sources=(self.source,), props=props)

    def _encounters(self, path: Path, ctx: ReadContext, ps: Pseudonymizer, patients: dict[str, str], orgs: set[str],
                    providers: dict[str, str], encounters: dict[str, str]) -> Iterator[Item]:
        seen: dict[str, int] = {}
        for v in read_rows(path, ENCOUNTERS, ctx):
            if not v or not v["Id"] or not v["START"]:
                yield ctx.reject("wrong number of fields or empty Id/START")
                continue
            patient = patients.get(v["PATIENT"])
            if patient is None:
                yield ctx.reject("PATIENT is not in patients.csv")
                continue
            eid = ps.record_id("encounter", v["Id"])
            dup = dedupe_ids(seen, eid, ctx)
            if dup is not None:
                yield dup
                continue
            props: dict[str, PropValue] = {"encounter_class": v["ENCOUNTERCLASS"], "start": v["START"],
                                           "code": v["CODE"], "code_system": "SNOMED", "description": v["DESCRIPTION"]}
            if v["STOP"]:
                props["stop"] = v["STOP"]
            if v.get("REASONDESCRIPTION"):
                props["reason"] = v["REASONDESCRIPTION"]
                props["reason_code"] = v.get("REASONCODE", "")
            for c in ("BASE_ENCOUNTER_COST", "TOTAL_CLAIM_COST", "PAYER_COVERAGE"):
                f = _float(v.get(c, ""))
                if f is not None:
                    props[c.lower()] = f
            encounters[v["Id"]] = eid
            yield Node(id=eid, label="Encounter", name=f"{v['ENCOUNTERCLASS']}: {v['DESCRIPTION']} ({v['START'][:10]})",
                       sources=(self.source,), props=props)
            yield Relationship(type="HAS_ENCOUNTER", start=patient, end=eid, source=self.source)
            if v["PROVIDER"] in providers:
                yield Relationship(type="ATTENDED_BY", start=eid, end=providers[v["PROVIDER"]], source=self.source)
            if v["ORGANIZATION"] in orgs:
                yield Relationship(type="AT", start=eid, end=f"medkg:org:{v['ORGANIZATION']}", source=self.source)

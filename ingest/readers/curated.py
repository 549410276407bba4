"""Curated department knowledge (``ingest/data/*.yaml``): English departments, Chinese ↔ English SAME_AS links,
and disease → department TREATED_IN edges (rank 1 = primary department)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.readers.base import Item, ReadContext
from ingest.readers.zh import zh_id
from medkg.errors import DataFileError
from medkg.types import Node, Relationship

__all__ = ["CuratedReader", "Departments", "dept_id", "dept_node", "load_departments"]

log = logging.getLogger(__name__)
# libyaml's safe loader when PyYAML was built with it (10x faster on the curated files), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DATA = Path(__file__).resolve().parent.parent / "data"
DEPARTMENTS = DATA / "departments.yaml"
DISEASE_DEPARTMENTS = DATA / "disease_departments.yaml"


class _English(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    slug: str = Field(pattern=r"^[a-z][a-z-]*$")
    name: str
    synonyms: list[str] = Field(default_factory=list)


class _Chinese(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    zh: str
    en: str
    source: str = Field(min_length=3)


class _Speciality(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    speciality: str
    en: str
    source: str = Field(min_length=3)


class Departments(BaseModel):
    """The validated contents of ``departments.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    english: list[_English]
    chinese: list[_Chinese]
    synthea: list[_Speciality]

    def by_slug(self) -> dict[str, _English]:
        return {e.slug: e for e in self.english}


class _DiseaseDepts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    name: str
    departments: list[str] = Field(min_length=1)
    source: str = Field(min_length=3)


def _yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as e:
        raise DataFileError(path, f"unreadable curated YAML: {e}") from e


@lru_cache(maxsize=2)
def load_departments(path: Path = DEPARTMENTS) -> Departments:
    """Parse and cross-check the department vocabulary (every mapping must name a known English slug)."""
    try:
        deps = Departments.model_validate(_yaml(path))
    except ValidationError as e:
        raise DataFileError(path, f"invalid department file: {e}") from e
    known = deps.by_slug()
    bad = [m.en for m in deps.chinese if m.en not in known] + [m.en for m in deps.synthea if m.en not in known]
    if bad:
        raise DataFileError(path, f"mappings to unknown English departments: {sorted(set(bad))}")
    return deps


@lru_cache(maxsize=2)
def load_disease_departments(path: Path = DISEASE_DEPARTMENTS) -> tuple[_DiseaseDepts, ...]:
    raw = _yaml(path)
    try:
        entries = tuple(_DiseaseDepts.model_validate(x) for x in raw["diseases"])
    except (KeyError, TypeError, ValidationError) as e:
        raise DataFileError(path, f"invalid disease→department file: {e}") from e
    known = load_departments().by_slug()
    bad = sorted({d for e in entries for d in e.departments if d not in known})
    if bad:
        raise DataFileError(path, f"unknown departments: {bad}")
    return entries


def dept_id(slug: str) -> str:
    return f"medkg:dept:{slug}"


def dept_node(slug: str, source: str) -> Node:
    """The English Department node of a curated slug, vouched for by ``source``."""
    e = load_departments().by_slug()[slug]
    return Node(id=dept_id(slug), label="Department", name=e.name, synonyms=tuple(e.synonyms), sources=(source,))


class CuratedReader:
    """Department vocabulary and disease → department edges (source ``curated``)."""

    source = "curated"
    root: Path | None = None  # bundled with the code: always present

    def files(self, data_dir: Path) -> list[Path]:
        return []  # bundled with the code, not in the data dir

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        deps = load_departments()
        for e in deps.english:
            ctx.at(DEPARTMENTS, 0)
            yield dept_node(e.slug, self.source)
        for m in deps.chinese:
            ctx.at(DEPARTMENTS, 0)
            zid = zh_id("department", m.zh)
            yield Node(id=zid, label="Department", name=m.zh, lang="zh", sources=(self.source,))
            yield Relationship(type="SAME_AS", start=zid, end=dept_id(m.en), source=self.source,
                               props={"evidence": m.source})
        entries = load_disease_departments()
        present = {n.id for n in ctx.lookup_nodes([d.id for d in entries])} if ctx.lookup_nodes else None
        absent = 0
        for d in entries:
            ctx.at(DISEASE_DEPARTMENTS, 0)
            if present is not None and d.id not in present:
                absent += 1  # curated knowledge about a disease this data dir does not carry
                continue
            for rank, slug in enumerate(d.departments, start=1):
                yield Relationship(type="TREATED_IN", start=d.id, end=dept_id(slug), source=self.source,
                                   weight=1.0 if rank == 1 else 0.7, props={"rank": rank, "evidence": d.source})
        ctx.notes["english_departments"] = len(deps.english)
        ctx.notes["chinese_departments_mapped"] = len(deps.chinese)
        ctx.notes["diseases_with_departments"] = len(entries) - absent
        ctx.notes["curated_diseases_not_in_store"] = absent

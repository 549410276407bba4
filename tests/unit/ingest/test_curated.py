"""Curated knowledge files: complete for the data they map, and every entry names its source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.linking import ConceptIndex, _load, load_aliases, strip_semantic_tag
from ingest.readers.base import slug
from ingest.readers.curated import load_departments, load_disease_departments
from ingest.readers.synthea_entries import ingredients
from ingest.readers.zh import zh_id
from medkg.data import SAMPLE_DIR
from medkg.types import Node

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="full data (../shared/data) not present")


def _hetionet_ids(kind: str, root: Path) -> set[str]:
    lines = (root / "kg/hetionet/hetionet-v1.0-nodes.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {ln.split("\t")[0].split("::", 1)[1] for ln in lines if ln.rstrip("\r").endswith("\t" + kind)}


def test_department_files_are_consistent() -> None:
    """Every Chinese/Synthea mapping names a known English department and a source; slugs are unique."""
    deps = load_departments()
    slugs = [e.slug for e in deps.english]
    assert len(slugs) == len(set(slugs))
    assert len({m.zh for m in deps.chinese}) == len(deps.chinese)
    assert all(len(m.source) > 10 for m in deps.chinese) and all(len(m.source) > 10 for m in deps.synthea)
    zh_to_en = {m.zh: m.en for m in deps.chinese}
    assert zh_to_en["心内科"] == "cardiology"
    assert zh_to_en["呼吸内科"] == "pulmonology"
    assert zh_to_en["神经外科"] == "neurosurgery"


@needs_shared
def test_every_chinese_department_is_mapped() -> None:
    """All 54 departments of department.txt and every department of the dialogue data map to English."""
    mapped = {m.zh for m in load_departments().chinese}
    listed = {ln.strip() for ln in (SHARED / "kg/zh/dict/department.txt").read_text(encoding="utf-8").splitlines()
              if ln.strip()}
    assert len(listed) == 54
    dialogue = {json.loads(ln)["department"] for ln in
                (SHARED / "dialogue/zh_consultations.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()}
    assert not (listed | dialogue) - mapped


def test_disease_departments_cover_every_hetionet_disease() -> None:
    """Each of the Hetionet/DOID diseases has at least one department and a source; clinical spot checks hold."""
    root = SHARED if SHARED.is_dir() else SAMPLE_DIR
    entries = {e.id: e for e in load_disease_departments()}
    diseases = _hetionet_ids("Disease", root)
    assert diseases and not diseases - entries.keys()
    assert all(e.source.startswith("medkg curated") for e in entries.values())
    assert entries["DOID:10763"].departments[0] == "cardiology"  # hypertension
    assert entries["DOID:2841"].departments[0] == "pulmonology"  # asthma
    assert entries["DOID:9352"].departments[0] == "endocrinology"  # type 2 diabetes
    assert entries["DOID:1324"].departments == ["oncology", "pulmonology"]  # lung cancer
    assert entries["DOID:2043"].departments[0] == "hepatology"  # hepatitis B


def _zh_and_table_ids(root: Path) -> set[str]:
    """Ids the Chinese KG (its disease dictionary) and the disease/symptom table give their own diseases."""
    zh = (root / "kg/zh/dict/disease.txt").read_text(encoding="utf-8").splitlines()
    ids = {zh_id("disease", t) for t in zh if t.strip()}
    rows = (root / "kg/disease_symptom/dataset.csv").read_text(encoding="utf-8").splitlines()
    return ids | {f"medkg:disease:{slug(r.split(',', 1)[0].strip())}" for r in rows if r.split(",", 1)[0].strip()}


@needs_shared
def test_alias_targets_exist_in_the_kg() -> None:
    """Every curated alias points at a concept the KG really has: a Hetionet id, a Chinese-KG disease or a
    disease-table disease (no dangling curated links)."""
    ids = _zh_and_table_ids(SHARED)
    for kind, prefix in (("Disease", ""), ("Symptom", "MESH:"), ("Compound", "DrugBank:")):
        ids |= {prefix + i for i in _hetionet_ids(kind, SHARED)}
    aliases = _load(Path(__file__).resolve().parents[3] / "ingest/data/aliases.yaml")
    assert all(a.id in ids for a in aliases), [a.id for a in aliases if a.id not in ids]
    assert all(a.name or a.code for a in aliases)


def test_alias_and_name_lookup() -> None:
    """Semantic tags are stripped; aliases are per context; ambiguous names link to nothing."""
    assert strip_semantic_tag("Cough (finding)") == "Cough"
    assert strip_semantic_tag("Severe anxiety (panic) (finding") == "Severe anxiety (panic)"
    by_name, _ = load_aliases("disease_symptom")
    assert by_name["hypertension"].id == "DOID:10763"
    _, by_code = load_aliases("synthea")
    assert by_code["44054006"].id == "DOID:9352"
    idx = ConceptIndex([Node(id="X:1", label="Disease", name="Foo", sources=("t",)),
                        Node(id="X:2", label="Disease", name="Bar", synonyms=("foo",), sources=("t",))])
    assert idx.lookup("bar") == "X:2"
    assert idx.lookup("FOO") is None


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Ibuprofen 100 MG Oral Tablet", ["Ibuprofen"]),
        ("Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet",
         ["Acetaminophen", "Oxycodone Hydrochloride", "Oxycodone"]),
        ("NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", ["Albuterol"]),
        ("Abuse-Deterrent 12 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet [Oxycontin]",
         ["Oxycodone Hydrochloride", "Oxycodone"]),
    ],
)
def test_medication_ingredients(description: str, expected: list[str]) -> None:
    """RxNorm descriptions yield their ingredient names, salt-free variants after the full name."""
    assert ingredients(description) == expected

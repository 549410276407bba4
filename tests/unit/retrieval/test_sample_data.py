"""The bundled sample (medkg/sample_data, built by scripts/make_sample.py) shows every kind of source medkg reads,
under the 2 MB limit, with a licence line per folder, in the layout the ingest readers expect."""

from __future__ import annotations

import json

from medkg.data import SAMPLE_DIR

LIMIT = 2_000_000


def test_the_sample_stays_under_its_size_limit() -> None:
    total = sum(p.stat().st_size for p in SAMPLE_DIR.rglob("*") if p.is_file())
    assert 0 < total < LIMIT, f"the sample is {total:,} bytes"


def test_every_source_has_a_licence_line() -> None:
    rows = [ln for ln in (SAMPLE_DIR / "LICENSES.md").read_text(encoding="utf-8").splitlines() if ln.startswith("| ")]
    units = set()
    for p in SAMPLE_DIR.rglob("*"):
        parts = p.relative_to(SAMPLE_DIR).parts
        if p.is_file() and len(parts) > 1:  # kg/hsdn/, resources/or_pas/, literature/medquad.jsonl, ...
            units.add("/".join(parts[:2]) + ("/" if len(parts) > 2 else ""))
    assert len(units) >= 12
    for unit in sorted(units):
        assert any(r.startswith(f"| {unit} ") for r in rows), f"no licence row for {unit}"


def test_the_sample_has_medquad_on_the_demo_question_and_the_other_sources() -> None:
    rows = [json.loads(ln) for ln in (SAMPLE_DIR / "literature/medquad.jsonl").read_text(encoding="utf-8").splitlines()]
    assert 100 <= len(rows) <= 300 and all(r["question"] and r["answer"] for r in rows)
    assert any("type 2" in r["focus"].lower() and "symptoms of type 2 diabetes" in r["answer"].lower() for r in rows)
    from ingest.readers.disease_symptom import DESCRIPTION, PRECAUTION, SEVERITY, TRAINING
    from ingest.readers.orpas import OrPasReader
    from ingest.readers.zh import ZhReader

    for rel in (TRAINING, SEVERITY, DESCRIPTION, PRECAUTION):
        assert (SAMPLE_DIR / rel).is_file(), rel
    assert all(p.is_file() for p in ZhReader().files(SAMPLE_DIR))
    assert [p.name for p in OrPasReader().files(SAMPLE_DIR)] == ["or_pas_dept4_short07.xml"]
    assert (SAMPLE_DIR / "resources/or_pas/OrPasInstance.xsd").is_file()

"""Query understanding: stated attributes (age, sex, pregnancy, duration, onset), family history and hypotheticals,
lay words linked to the KG's symptom nodes; and the triage classifier's artefact and training."""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoning.consult import TRIAGE_MODEL_DIR, Consultation, load_triage, read_consultations, train_triage
from reasoning.consult.attributes import parse_attributes
from reasoning.consult.understanding import lay_entries, understand
from retrieval import DictionaryLinker, LinkerEntry


@pytest.mark.parametrize(("text", "years"), [
    ("My 6-week-old baby has a fever", 6 * 7 / 365.25), ("I am 45 and have a cough", 45.0),
    ("宝宝2个月大，发烧", 2 * 30.4 / 365.25), ("今年65岁，胸闷", 65.0), ("a newborn with jaundice", 7 / 365.25),
])
def test_age(text: str, years: float) -> None:
    assert parse_attributes(text).age_years == pytest.approx(years, rel=0.01)


def test_sex_pregnancy_duration_onset() -> None:
    a = parse_attributes("I'm a woman, 8 weeks pregnant, with a headache for 3 days that came on suddenly")
    assert (a.sex, a.pregnant, a.onset) == ("female", True, "sudden")
    assert a.duration_days == pytest.approx(3.0)
    assert parse_attributes("I am not pregnant").pregnant is False
    z = parse_attributes("咳嗽两周了，逐渐加重")
    assert z.duration_days == pytest.approx(14.0) and z.onset == "gradual"
    assert parse_attributes("my knee hurts").age_years is None


def _linker() -> DictionaryLinker:
    return DictionaryLinker([
        LinkerEntry(surface="fever", node_id="MESH:D005334", label="Symptom"),
        LinkerEntry(surface="stroke", node_id="DOID:6713", label="Disease"),
        LinkerEntry(surface="发烧", node_id="medkg:zh:symptom:发烧", label="Symptom", lang="zh"),
    ])


def test_findings_flags() -> None:
    lay = DictionaryLinker(lay_entries({"MESH:D004417"}))
    u = understand("No fever. I get short of breath. My father had a stroke.", _linker(), lay)
    by = {f.text: f for f in u.findings if f.id}
    assert by["fever"].negated and by["short of breath"].id == "MESH:D004417"
    assert by["stroke"].family and u.ids("disease") == []
    assert u.ids("symptom") == ["MESH:D004417"] and u.ids("symptom", negated=True) == ["MESH:D005334"]
    h = understand("Could this be a stroke?", _linker())
    assert h.findings[0].hypothetical and h.ids("disease") == ["DOID:6713"]
    z = understand("没有发烧", _linker())
    assert z.lang == "zh" and z.findings[0].negated


def test_committed_triage_model_loads_and_ranks() -> None:
    """The committed artefact predicts from title + ask only and ranks every department."""
    model = load_triage(TRIAGE_MODEL_DIR)
    pred = model.predict("乙肝大三阳怎么治疗", "转氨酶高，乙肝病毒DNA阳性")
    assert pred.labels[0] == "肝病科" and len(pred.labels) == len(model.classes)
    assert pred.scores == sorted(pred.scores, reverse=True) and abs(sum(pred.scores) - 1) < 0.01
    assert model.meta["validation"]["top1"] >= 0.97


def test_train_triage_on_a_tiny_file(tmp_path: Path) -> None:
    lines = []
    for i in range(30):
        lines.append({"department": "肝病科", "title": f"乙肝{i}", "ask": "肝功能异常，转氨酶高", "answer": "x"})
        lines.append({"department": "心血管科", "title": f"高血压{i}", "ask": "血压高，心慌胸闷"})
    import json

    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    rows = read_consultations(f)
    assert rows[0] == Consultation("肝病科", "乙肝0", "肝功能异常，转氨酶高")
    model, rep = train_triage(rows)
    assert rep["n"] == 12 and rep["top1"] == 1.0 and rep["macro_f1"] == 1.0
    assert rep["confusion"]["labels"] == ["心血管科", "肝病科"]
    model.save(tmp_path / "m")
    assert load_triage(tmp_path / "m").predict("血压高", "").labels[0] == "心血管科"

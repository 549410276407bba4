"""ConsultationService on a tiny graph: findings and negation, a cited differential where a negated finding counts
against, department from TREATED_IN, doctors from a roster or providers, drugs excluded by the patient's allergy or
current medication (with the record entry cited), bad input, and the narrator hook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medkg.errors import DataFileError, EmptyInputError, InputValidationError, NotFoundError, RowError
from medkg.types import Node, Relationship
from reasoning.consult import PATIENT_UNAVAILABLE, ConsultationAnswer, ConsultationService, read_roster
from reasoning.consult.evidence import parse_rel_citation

PAT = "ab" * 32


def _n(i: str, label: str, name: str, **props: Any) -> Node:
    return Node(id=i, label=label, name=name, sources=("test",), props=props)


def _r(t: str, a: str, b: str, w: float | None = None, source: str = "hsdn", **props: Any) -> Relationship:
    return Relationship(type=t, start=a, end=b, source=source, weight=w, props=props)


@pytest.fixture
def svc(embedded_store: Any) -> ConsultationService:
    st = embedded_store
    st.upsert_nodes([
        _n("MESH:D005334", "Symptom", "Fever"), _n("MESH:D003371", "Symptom", "Cough"),
        _n("MESH:D004417", "Symptom", "Dyspnea"), _n("MESH:D002637", "Symptom", "Chest Pain"),
        _n("MESH:D006261", "Symptom", "Headache"),
        _n("DOID:552", "Disease", "pneumonia"), _n("DOID:2841", "Disease", "asthma"),
        _n("DOID:8469", "Disease", "influenza"),
        _n("medkg:dept:pulmonology", "Department", "Pulmonology"),
        _n("medkg:dept:general-practice", "Department", "General Practice"),
        _n("medkg:dept:emergency-medicine", "Department", "Emergency Medicine"),
        _n("DrugBank:DB00001", "Compound", "Amoxicillin"), _n("DrugBank:DB00002", "Compound", "Salbutamol"),
        _n("DrugBank:DB00003", "Compound", "Oseltamivir"),
        _n("medkg:provider:1", "Provider", "Dr Lung", speciality="PULMONOLOGY"),
        _n(f"medkg:patient:{PAT}", "Patient", "Patient abababab"),
        _n("medkg:allergy:1", "Allergy", "Amoxicillin (substance)", category="medication"),
        _n("medkg:medication:1", "Medication", "Salbutamol 100 MCG inhaler"),
        _n("medkg:encounter:1", "Encounter", "ambulatory (2020-01-01)", start="2020-01-01T00:00:00Z"),
    ])
    st.upsert_relationships([
        _r("HAS_SYMPTOM", "DOID:552", "MESH:D005334", 0.9), _r("HAS_SYMPTOM", "DOID:552", "MESH:D003371", 0.9),
        _r("HAS_SYMPTOM", "DOID:552", "MESH:D002637", 0.6),
        _r("HAS_SYMPTOM", "DOID:2841", "MESH:D003371", 0.8), _r("HAS_SYMPTOM", "DOID:2841", "MESH:D004417", 0.9),
        _r("HAS_SYMPTOM", "DOID:8469", "MESH:D005334", 0.9), _r("HAS_SYMPTOM", "DOID:8469", "MESH:D006261", 0.8),
        _r("HAS_SYMPTOM", "DOID:8469", "MESH:D003371", 0.5),
        _r("TREATED_IN", "DOID:552", "medkg:dept:pulmonology", 1.0, source="curated"),
        _r("TREATED_IN", "DOID:2841", "medkg:dept:pulmonology", 1.0, source="curated"),
        _r("TREATED_IN", "DOID:8469", "medkg:dept:general-practice", 1.0, source="curated"),
        _r("TREATS", "DrugBank:DB00001", "DOID:552", source="pharmacotherapydb"),
        _r("PALLIATES", "DrugBank:DB00002", "DOID:2841", source="pharmacotherapydb"),
        _r("TREATS", "DrugBank:DB00003", "DOID:8469", source="pharmacotherapydb"),
        _r("SPECIALISES_IN", "medkg:provider:1", "medkg:dept:pulmonology", source="synthea"),
        _r("HAS_ALLERGY", f"medkg:patient:{PAT}", "medkg:allergy:1", source="synthea"),
        _r("HAS_ENCOUNTER", f"medkg:patient:{PAT}", "medkg:encounter:1", source="synthea"),
        _r("PRESCRIBED", "medkg:encounter:1", "medkg:medication:1", source="synthea"),
        _r("IS_A", "medkg:medication:1", "DrugBank:DB00002", source="synthea"),
    ])
    return ConsultationService(st, triage_dir=Path("/nonexistent-triage-model"))


def test_differential_is_cited_and_negation_counts_against(svc: ConsultationService) -> None:
    a = svc.consult("I have a fever and a cough, no headache")
    finding = {f.text: f for f in a.findings if f.id}
    assert finding["headache"].negated and not finding["fever"].negated
    names = [d.name for d in a.differential]
    assert names[0] == "pneumonia"
    plain = {d.name: d.score for d in svc.consult("I have a fever and a cough").differential}
    negated = {d.name: d.score for d in a.differential}
    assert negated.get("influenza", 0.0) < plain["influenza"]  # the negated headache counts against influenza
    top = a.differential[0]
    assert "kg:rel:HAS_SYMPTOM:DOID:552->MESH:D005334#hsdn" in top.citations
    assert all(parse_rel_citation(c) for c in top.citations)
    assert set(top.citations) <= set(a.evidence)
    assert not a.red_flags and not a.refused


def test_department_doctor_and_drugs(svc: ConsultationService) -> None:
    a = svc.consult("cough and shortness of breath")
    assert a.department is not None and a.department.id == "medkg:dept:pulmonology"
    assert "kg:rel:TREATED_IN:DOID:2841->medkg:dept:pulmonology#curated" in a.department.citations
    assert [d.name for d in a.doctors] == ["Dr Lung"]
    kinds = {d.name: d.kind for d in a.drugs}
    assert kinds["Salbutamol"] == "symptomatic"
    assert all(d.excluded_reason is None for d in a.drugs)  # no patient given


def test_patient_allergy_and_current_medication_exclude_drugs(svc: ConsultationService) -> None:
    a = svc.consult("fever, cough and shortness of breath", patient=PAT[:8])
    by = {d.name: d for d in a.drugs}
    amox, salb = by["Amoxicillin"], by["Salbutamol"]
    assert amox.excluded_reason is not None and "allergy" in amox.excluded_reason
    assert f"record:{PAT}#allergy:1" in amox.citations
    assert salb.excluded_reason is not None and "already taking" in salb.excluded_reason
    assert f"record:{PAT}#medication:1" in salb.citations
    assert f"record:{PAT}#allergy:1" in a.evidence
    assert any("interactions" in n for n in a.notes)


def test_unknown_patient_does_not_reveal_existence(svc: ConsultationService) -> None:
    with pytest.raises(NotFoundError, match=PATIENT_UNAVAILABLE):
        svc.consult("cough", patient="cd" * 32)
    with pytest.raises(InputValidationError):
        svc.consult("cough", patient="robert'); drop table")


def test_red_flag_puts_emergency_first(svc: ConsultationService) -> None:
    a = svc.consult("crushing chest pain and I am sweating")
    assert [h.rule for h in a.red_flags] == ["cardiac_chest_pain"]
    assert a.department is not None and a.department.id == "medkg:dept:emergency-medicine"


@pytest.mark.parametrize("bad", ["", "   ", "12345 !!!", "x" * 5000])
def test_bad_questions_get_one_clear_error(svc: ConsultationService, bad: str) -> None:
    with pytest.raises((EmptyInputError, InputValidationError)):
        svc.consult(bad)


def test_nonsense_is_refused_with_a_note(svc: ConsultationService) -> None:
    a = svc.consult("blorf zindle quaxx")
    assert a.refused and not a.differential and any("recognised" in n for n in a.notes)


def test_narrator_is_optional_and_its_sentences_must_cite_the_evidence(svc: ConsultationService) -> None:
    a = svc.consult("fever and cough")
    assert any("narrative is not available" in n for n in a.notes)

    class Fake:
        def answer(self, question: str, *, bundle: Any = None) -> Any:
            ids = [r.citation_id for r in bundle.subgraph.relationships]
            sent = type("S", (), {"text": "Fever and cough fit pneumonia.", "citations": ids[:1], "support": 0.9})
            bad = type("S", (), {"text": "Invented.", "citations": ["pmid:1"], "support": 0.9})
            return type("A", (), {"sentences": [sent, bad]})

    svc._narrator = Fake()
    b = svc.consult("fever and cough")
    cited = [s for s in b.sentences if s.citations]
    assert [s.text for s in cited] == ["Fever and cough fit pneumonia."]
    assert set(cited[0].citations) <= set(b.evidence)

    class Mute:
        def answer(self, question: str, *, bundle: Any = None) -> Any:
            return type("A", (), {"sentences": []})

    svc._narrator = Mute()
    assert any("no sentence" in n for n in svc.consult("fever and cough").notes)
    assert list(ConsultationAnswer.model_fields) == [
        "question", "lang", "red_flags", "findings", "differential", "department", "doctors", "tests", "drugs",
        "sentences", "refused", "evidence", "timings_ms"]


def test_roster_files(tmp_path: Path, svc: ConsultationService) -> None:
    good = tmp_path / "r.csv"
    good.write_text("name,speciality,department\nDr A,Respiratory medicine,Pulmonology\nDr B,Dermatology,Skin\n",
                    encoding="utf-8")
    roster = read_roster(good)
    a = svc.consult("cough and shortness of breath", roster=roster)
    assert [d.name for d in a.doctors] == ["Dr A"] and a.doctors[0].source == "roster"
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps([{"name": "Dr C", "speciality": "ENT"}, {"speciality": "no name"}]), encoding="utf-8")
    with pytest.raises(RowError, match="line 2"):
        read_roster(bad)
    empty = tmp_path / "e.csv"
    empty.write_text("who,what\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="header"):
        read_roster(empty)


def test_knowledge_cache_round_trip(embedded_store: Any, tmp_path: Path) -> None:
    """The tables are cached under the index dir and reused while the store's symptom counts stay the same."""
    from reasoning.consult.knowledge import ConsultKnowledge

    embedded_store.upsert_nodes([_n("MESH:D005334", "Symptom", "Fever"), _n("DOID:552", "Disease", "pneumonia")])
    embedded_store.upsert_relationships([_r("HAS_SYMPTOM", "DOID:552", "MESH:D005334", 0.9)])
    cache = tmp_path / "k.pkl"
    first = ConsultKnowledge(embedded_store, cache_path=cache)
    first.ensure()
    assert cache.is_file()
    second = ConsultKnowledge(embedded_store, cache_path=cache)
    second.ensure()
    assert second.tables["hsdn"].by_symptom == first.tables["hsdn"].by_symptom
    embedded_store.upsert_nodes([_n("MESH:D003371", "Symptom", "Cough")])
    embedded_store.upsert_relationships([_r("HAS_SYMPTOM", "DOID:552", "MESH:D003371", 0.5)])
    third = ConsultKnowledge(embedded_store, cache_path=cache)
    third.ensure()
    assert "MESH:D003371" in third.tables["hsdn"].by_symptom  # counts changed: rebuilt, not the stale cache


def test_dev_set_builder_writes_held_out_sentences(tmp_path: Path) -> None:
    from reasoning.consult import build_dev_sets, read_cases

    data = tmp_path / "data"
    (data / "kg/disease_symptom").mkdir(parents=True)
    (data / "kg/disease_symptom/Testing.csv").write_text(
        "itching,skin_rash,high_fever,prognosis\n1,1,0,Fungal infection\n0,0,1,Malaria\n", encoding="utf-8")
    counts = build_dev_sets(data, tmp_path / "sets")
    assert counts == {"table_test": 2}
    cases = read_cases(tmp_path / "sets/table_test.jsonl")
    assert cases[0] == {"question": "I have itching and skin rash. What could it be?", "diagnosis": "Fungal infection",
                        "set": "table_test"}

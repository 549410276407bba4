"""What follows the differential: the department to see (KG ``TREATED_IN`` + the triage classifier), tests to
consider (``NEEDS_CHECK``) and treatment options from curated indications (``TREATS`` = disease-modifying,
``PALLIATES`` = symptomatic, PharmacotherapyDB; ``RECOMMENDED_FOR`` from the Chinese records), checked against
the patient's allergies and current medications. Never a dose.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from medkg.types import node_citation
from reasoning.consult.knowledge import ConsultKnowledge
from reasoning.consult.models import DepartmentAdvice, DifferentialItem, DrugOption, RedFlagHit, TestSuggestion
from reasoning.consult.patient import PatientContext
from reasoning.consult.triage import TriagePrediction

__all__ = ["EMERGENCY", "KG_SHARE", "choose_department", "drug_options", "suggest_tests", "zh_department_id"]

EMERGENCY = "medkg:dept:emergency-medicine"
KG_SHARE = 0.5  # weight of the KG's TREATED_IN vote against the classifier's when both speak
_TOP = 5
_DRUG_KINDS = {"TREATS": "disease-modifying", "PALLIATES": "symptomatic"}
_PAREN = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z]{4,}")


def zh_department_id(name: str) -> str:
    """The KG id of a Chinese department name (the Chinese KG reader's ``medkg:zh:department:<term>``)."""
    return "medkg:zh:department:" + re.sub(r"\s+", "_", name.strip())


def _english(kn: ConsultKnowledge, dept: str) -> tuple[str, list[str]]:
    """A Chinese department's English equivalent (curated SAME_AS) and the citation of that link."""
    if not dept.startswith("medkg:zh:"):
        return dept, []
    same = kn.rels(dept, ["SAME_AS"], "out")
    return (same[0].end, [same[0].citation]) if same else (dept, [])


def choose_department(kn: ConsultKnowledge, diff: Sequence[DifferentialItem], triage: TriagePrediction | None,
                      red_flags: Sequence[RedFlagHit]) -> DepartmentAdvice | None:
    votes: dict[str, float] = defaultdict(float)
    cites: dict[str, list[str]] = defaultdict(list)
    for item in diff[:_TOP]:
        for r in kn.rels(item.id, ["TREATED_IN"], "out"):
            dept, via = _english(kn, r.end)
            votes[dept] += item.score * (r.weight if r.weight is not None else 1.0)
            cites[dept].extend([r.citation, *via])
    total = sum(votes.values())
    kg = {d: v / total for d, v in votes.items()} if total > 0 else {}
    tri: dict[str, float] = {}
    if triage is not None:
        for label, p in zip(triage.labels, triage.scores, strict=True):
            dept, via = _english(kn, zh_department_id(label))
            tri[dept] = tri.get(dept, 0.0) + p
            cites[dept].extend(via)
    if kg and tri:
        combined = {d: KG_SHARE * kg.get(d, 0.0) + (1 - KG_SHARE) * tri.get(d, 0.0) for d in {*kg, *tri}}
    else:
        combined = kg or tri
    ranked = sorted(combined.items(), key=lambda x: (-x[1], x[0]))
    if red_flags:
        reason = "a red flag fired (" + ", ".join(h.rule for h in red_flags) + "): emergency care comes first"
        ranked = [(EMERGENCY, 1.0), *[x for x in ranked if x[0] != EMERGENCY]]
    elif not ranked:
        return None
    else:
        parts = (["the KG's TREATED_IN facts for the differential"] if kg else []) + (
            ["the triage classifier"] if tri else [])
        reason = "from " + " and ".join(parts)
    names = kn.nodes([d for d, _ in ranked[:4]])
    best, score = ranked[0]
    node = names.get(best)
    alts: list[dict[str, str | float | None]] = [
        {"id": d, "name": names[d].name if d in names else d, "score": round(s, 4)} for d, s in ranked[1:4]]
    return DepartmentAdvice(id=best if node else None, name=node.name if node else best, score=round(score, 4),
                            reason=reason, citations=list(dict.fromkeys([node_citation(best), *cites[best]])),
                            alternatives=alts)


def suggest_tests(kn: ConsultKnowledge, diff: Sequence[DifferentialItem], *, limit: int = 8) -> list[TestSuggestion]:
    out: list[TestSuggestion] = []
    seen: set[str] = set()
    for item in diff[:_TOP]:
        rels = kn.rels(item.id, ["NEEDS_CHECK"], "out")
        names = kn.nodes([r.end for r in rels])
        for r in rels:
            if r.end in seen or r.end not in names:
                continue
            seen.add(r.end)
            out.append(TestSuggestion(id=r.end, name=names[r.end].name, for_disease=item.id, citations=[r.citation]))
            if len(out) >= limit:
                return out
    return out


def _allergen_words(name: str) -> set[str]:
    return set(_WORD.findall(_PAREN.sub(" ", name.lower()))) - {"substance", "edible", "organism", "oral", "tablet"}


def _exclusion(drug_id: str, drug_name: str, patient: PatientContext | None) -> tuple[str | None, list[str]]:
    if patient is None:
        return None, []
    low = drug_name.lower()
    for a in patient.allergies:
        words = _allergen_words(a.name)
        if drug_id in a.concepts or (words and any(w in low for w in words)):
            return f"recorded allergy: {a.name}", [a.citation]
    for m in patient.medications:
        if drug_id in m.concepts:
            return f"already taking it: {m.name}", [m.citation]
    return None, []


def drug_options(kn: ConsultKnowledge, diff: Sequence[DifferentialItem], patient: PatientContext | None, *,
                 top: int = 3, per_disease: int = 6) -> list[DrugOption]:
    out: list[DrugOption] = []
    seen: set[tuple[str, str]] = set()
    for item in diff[:top]:
        rels = kn.rels(item.id, ["TREATS", "PALLIATES", "RECOMMENDED_FOR"], "in")
        names = kn.nodes([r.start for r in rels])
        n = 0
        for r in sorted(rels, key=lambda r: (r.type != "TREATS", r.type != "PALLIATES", r.start)):
            if (r.start, item.id) in seen or r.start not in names:
                continue
            reason, record = _exclusion(r.start, names[r.start].name, patient)
            if reason is None and n >= per_disease:
                continue  # excluded options are always listed: the patient sees why they are not offered
            seen.add((r.start, item.id))
            n += reason is None
            if r.type in _DRUG_KINDS:
                kind = _DRUG_KINDS[r.type]
            else:
                kinds = r.props.get("kind")
                kind = "recommended" if isinstance(kinds, list) and "recommended" in kinds else "common"
            out.append(DrugOption(id=r.start, name=names[r.start].name, for_disease=item.id, kind=kind,
                                  citations=[r.citation, *record], excluded_reason=reason))
    return out

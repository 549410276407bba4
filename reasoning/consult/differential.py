"""The differential: diseases ranked by how well the KG's symptom facts explain the question's findings.

Per source (HSDN, the disease/symptom table, the Chinese records) a disease's score is the cosine between the
question's finding vector and the disease's symptom vector, both weighted by the source's symptom idf; each
affirmed finding adds ``w * idf^2``, each negated one subtracts ``NEGATED_PENALTY * w * idf^2``. A disease's score
is its best source's, plus a small share of the others' (agreement). Scores are clipped to [0, 1]. Each item
cites the ``HAS_SYMPTOM`` facts behind it, for and against.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from medkg.types import node_citation, rel_citation
from reasoning.consult.knowledge import ConsultKnowledge
from reasoning.consult.models import DifferentialItem

__all__ = ["ASKED_BONUS", "NEGATED_PENALTY", "STATED_BONUS", "Candidate", "rank_differential"]

NEGATED_PENALTY = 1.0
AGREEMENT_SHARE = 0.25
STATED_BONUS = 0.5  # a disease the patient says they have: the consultation is about it and its course
ASKED_BONUS = 0.2  # a disease the question asks about ("could it be X?")


@dataclass
class Candidate:
    id: str
    score: float
    citations: list[str] = field(default_factory=list)
    per_source: dict[str, float] = field(default_factory=dict)


def _score_source(kn: ConsultKnowledge, source: str, positive: Sequence[str], negative: Sequence[str]
                  ) -> dict[str, tuple[float, list[str]]]:
    table = kn.tables[source]
    q = [s for s in positive if s in table.by_symptom]
    if not q:
        return {}
    q_norm = math.sqrt(sum(table.idf[s] ** 2 for s in q))
    dots: dict[str, float] = defaultdict(float)
    cites: dict[str, list[str]] = defaultdict(list)
    for s in q:
        idf2 = table.idf[s] ** 2
        for d, w in table.by_symptom[s]:
            dots[d] += w * idf2
            cites[d].append(rel_citation("HAS_SYMPTOM", d, s, source))
    for s in negative:
        if s not in table.by_symptom:
            continue
        idf2 = table.idf[s] ** 2
        for d, w in table.by_symptom[s]:
            if d in dots:
                dots[d] -= NEGATED_PENALTY * w * idf2
                cites[d].append(rel_citation("HAS_SYMPTOM", d, s, source))
    return {d: (v / (table.norm[d] * q_norm), cites[d]) for d, v in dots.items() if table.norm.get(d)}


def rank_differential(kn: ConsultKnowledge, positive: Sequence[str], negative: Sequence[str] = (),
                      mentioned: Sequence[str] = (), *, stated: Sequence[str] = (), k: int = 10,
                      sources: Sequence[str] | None = None) -> list[DifferentialItem]:
    """The top ``k`` diseases for affirmed symptom ids ``positive``, negated ``negative``, diseases the question
    asks about (``mentioned``: a small bonus) and diseases the patient says they have (``stated``: a larger one)."""
    kn.ensure()
    cands: dict[str, Candidate] = {}
    for source in sources or sorted(kn.tables):
        if source not in kn.tables:
            continue
        for d, (score, cites) in _score_source(kn, source, positive, negative).items():
            c = cands.setdefault(d, Candidate(d, 0.0))
            c.per_source[source] = score
            c.citations.extend(cites)
    for d in [*mentioned, *stated]:
        c = cands.setdefault(d, Candidate(d, 0.0))
        c.citations.append(node_citation(d))
    for c in cands.values():
        vals = sorted(c.per_source.values(), reverse=True)
        best = vals[0] if vals else 0.0
        bonus = STATED_BONUS if c.id in stated else ASKED_BONUS if c.id in mentioned else 0.0
        c.score = best + AGREEMENT_SHARE * sum(v for v in vals[1:] if v > 0) + bonus
    ranked = sorted((c for c in cands.values() if c.score > 0), key=lambda c: (-c.score, c.id))[:k]
    names = kn.nodes([c.id for c in ranked])
    out: list[DifferentialItem] = []
    for c in ranked:
        node = names.get(c.id)
        out.append(DifferentialItem(id=c.id, name=node.name if node else c.id, score=round(min(1.0, c.score), 4),
                                    citations=list(dict.fromkeys(c.citations))))
    return out

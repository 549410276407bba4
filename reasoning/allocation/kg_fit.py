"""Department fit from the knowledge graph: condition -> Disease node -> TREATED_IN -> Department nodes.

Each resolved department carries the KG facts it used (``kg:node:<disease>``, ``kg:rel:TREATED_IN:...``)
so every allocation decision can cite them. A condition the KG does not know is reported, never guessed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medkg.types import PropValue, node_citation, rel_citation
from reasoning.allocation.service_models import Department, Fact, PatientRequest

if TYPE_CHECKING:
    from kg.store import GraphStore

__all__ = ["DepartmentFit", "DepartmentResolver"]

log = logging.getLogger(__name__)


def _rank(props: dict[str, PropValue]) -> int:
    v = props.get("rank", 1)
    return int(v) if isinstance(v, int | float) else 1


@dataclass
class DepartmentFit:
    """Candidate departments of one patient as ``(department id, rank)``; rank 1 = primary."""

    departments: list[tuple[str, int]] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    reason: str | None = None  # constraint name when no department fits
    detail: str = ""


class DepartmentResolver:
    """Resolves patients to the request's departments, explicitly or through the KG (results cached per condition)."""

    def __init__(self, store: GraphStore | None, departments: list[Department]) -> None:
        self.store = store
        self.departments = departments
        self._by_kg: dict[str, str] = {}
        for d in departments:
            self._by_kg[d.kg_id or d.id] = d.id
        self._cache: dict[str, DepartmentFit] = {}

    def resolve(self, p: PatientRequest, run_id: str) -> DepartmentFit:
        if p.department is not None:
            return DepartmentFit(
                departments=[(p.department, 1)],
                facts=[Fact(id=f"solver:{run_id}#input:{p.id}:department", kind="request",
                            statement=f"the request names department {p.department} for patient {p.id}",
                            values={"department": p.department})],
            )
        cond = (p.condition or "").strip()
        if cond not in self._cache:
            self._cache[cond] = self._from_kg(cond)
        return self._cache[cond]

    def _from_kg(self, cond: str) -> DepartmentFit:
        if self.store is None:
            return DepartmentFit(reason="no_kg", detail=f"condition {cond!r} needs the knowledge graph, none is open")
        nodes = self.store.find_nodes(cond, labels=["Disease"], limit=5)
        if not nodes:
            return DepartmentFit(reason="no_kg_match", detail=f"condition {cond!r} matches no Disease node in the KG")
        node = nodes[0]
        facts = [Fact(id=node_citation(node.id), kind="kg",
                      statement=f"condition '{cond}' is the KG disease '{node.name}' ({node.id})",
                      values={"disease": node.id, "name": node.name})]
        rels = self.store.relationships_of(node.id, rel_types=["TREATED_IN"], direction="out")
        found: dict[str, int] = {}
        kg_named: list[str] = []
        for r in sorted(rels, key=lambda r: (_rank(r.props), r.end)):
            kg_named.append(r.end)
            dep = self._by_kg.get(r.end)
            if dep is None or dep in found:
                continue
            rank = len(found) + 1
            found[dep] = rank
            facts.append(Fact(id=rel_citation(r.type, r.start, r.end, r.source), kind="kg",
                              statement=f"'{node.name}' is treated in {r.end} (rank {_rank(r.props)}, "
                                        f"source {r.source})",
                              values={"department": r.end, "rank": _rank(r.props)}))
        if not found:
            where = ", ".join(kg_named) if kg_named else "no department"
            return DepartmentFit(facts=facts, reason="no_department",
                                 detail=f"the KG names {where} for '{node.name}'; this hospital has none of them")
        return DepartmentFit(departments=sorted(found.items(), key=lambda kv: kv[1]), facts=facts)

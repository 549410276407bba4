"""Department fit from the knowledge graph: condition -> Disease node -> TREATED_IN -> Department nodes.

A condition reaches its Disease node in one of three ways, tried in order, never by a looser match:

1. ``condition_id``: the request names the Disease node (e.g. ``DOID:9352``);
2. the condition text, with a SNOMED-style semantic tag ("(disorder)", "(finding)") removed, equals a Disease
   node's name or synonym (case/accent-insensitive, :meth:`GraphStore.find_nodes` with ``exact=True``);
3. the text equals the description of patient-record Condition nodes (Synthea) that the ingest linked to a
   Disease (``IS_A``, by curated SNOMED alias or by name): the KG's own record link is the evidence.

Each resolved department carries the KG facts it used (``kg:node:<disease>``, ``kg:rel:IS_A:...``,
``kg:rel:TREATED_IN:...``) so every allocation decision can cite them. A condition the KG does not know is
reported as ``no_kg_match``, never guessed; a substring or prefix match (e.g. 'arthritis' -> 'rheumatoid
arthritis', a narrower disease) is not taken.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg import strip_semantic_tag
from medkg.types import Node, PropValue, Relationship, node_citation, rel_citation
from reasoning.allocation.service.models import Department, Fact, PatientRequest

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = ["DepartmentFit", "DepartmentResolver", "strip_semantic_tag"]

log = logging.getLogger(__name__)

MAX_EXACT = 10  # Disease nodes sharing one exact name/synonym
MAX_RECORDS = 50  # Condition records read for the record-link route


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
        self._cache: dict[tuple[str, str | None], DepartmentFit] = {}

    def resolve(self, p: PatientRequest, run_id: str) -> DepartmentFit:
        if p.department is not None:
            return DepartmentFit(
                departments=[(p.department, 1)],
                facts=[Fact(id=f"solver:{run_id}#input:{p.id}:department", kind="request",
                            statement=f"the request names department {p.department} for patient {p.id}",
                            values={"department": p.department})],
            )
        return self.fit(p.condition or "", p.condition_id)

    def fit(self, condition: str, condition_id: str | None = None) -> DepartmentFit:
        """The departments of one condition (text and/or KG Disease id), cached."""
        key = (condition.strip(), condition_id)
        if key not in self._cache:
            self._cache[key] = self._from_kg(*key)
        return self._cache[key]

    # --- condition -> Disease node ----------------------------------------------------------------------------
    def _from_kg(self, cond: str, cond_id: str | None) -> DepartmentFit:
        if self.store is None:
            what = cond_id or cond
            return DepartmentFit(reason="no_kg", detail=f"condition {what!r} needs the knowledge graph, none is open")
        shown = cond or cond_id or ""
        if cond_id is not None:
            node = self.store.get_node(cond_id)
            if node is None or node.label != "Disease":
                return DepartmentFit(reason="no_kg_match", detail=f"the KG has no Disease node {cond_id!r}")
            return self._departments(node, [self._is_fact(shown, node)])
        text = strip_semantic_tag(cond)
        exact = self.store.find_nodes(text, labels=["Disease"], limit=MAX_EXACT, exact=True) if text else []
        if exact:
            node = self._prefer_treated(exact)
            return self._departments(node, [self._is_fact(shown, node)])
        linked = self._record_link(cond, text)
        if linked is not None:
            node, rel = linked
            facts = [Fact(id=rel_citation(rel.type, rel.start, rel.end, rel.source), kind="kg",
                          statement=f"records of condition '{text}' are linked (IS_A) to the KG disease "
                                    f"'{node.name}' ({node.id})",
                          values={"condition": text, "disease": node.id, "name": node.name}),
                     self._is_fact(shown, node)]
            return self._departments(node, facts)
        return DepartmentFit(reason="no_kg_match",
                             detail=f"condition {text!r} matches no Disease node in the KG by name or record link")

    def _is_fact(self, shown: str, node: Node) -> Fact:
        return Fact(id=node_citation(node.id), kind="kg",
                    statement=f"condition '{shown}' is the KG disease '{node.name}' ({node.id})",
                    values={"disease": node.id, "name": node.name})

    def _treated_in(self, disease_id: str) -> list[Relationship]:
        assert self.store is not None
        rels = self.store.relationships_of(disease_id, rel_types=["TREATED_IN"], direction="out")
        return sorted(rels, key=lambda r: (_rank(r.props), r.end))

    def _prefer_treated(self, nodes: list[Node]) -> Node:
        """Of several Disease nodes with the same exact name, the first treated in one of this hospital's
        departments, else the first treated anywhere, else the first."""
        treated = [(n, {r.end for r in self._treated_in(n.id)}) for n in nodes]
        for n, ends in treated:
            if ends & self._by_kg.keys():
                return n
        return next((n for n, ends in treated if ends), nodes[0])

    def _record_link(self, cond: str, text: str) -> tuple[Node, Relationship] | None:
        """The Disease that patient-record Conditions described exactly as ``cond`` are linked to (most often)."""
        assert self.store is not None
        records = self.store.find_nodes(cond, labels=["Condition"], limit=MAX_RECORDS, exact=True)
        if not records and text != cond:
            records = self.store.find_nodes(text, labels=["Condition"], limit=MAX_RECORDS, exact=True)
        votes: Counter[str] = Counter()
        first: dict[str, Relationship] = {}
        for rec in records:
            for rel in self.store.relationships_of(rec.id, rel_types=["IS_A"], direction="out", limit=5):
                votes[rel.end] += 1
                first.setdefault(rel.end, rel)
        for target, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            node = self.store.get_node(target)
            if node is not None and node.label == "Disease":
                return node, first[target]
        return None

    # --- Disease -> departments -------------------------------------------------------------------------------
    def _departments(self, node: Node, facts: list[Fact]) -> DepartmentFit:
        found: dict[str, int] = {}
        kg_named: list[str] = []
        for r in self._treated_in(node.id):
            kg_named.append(r.end)
            dep = self._by_kg.get(r.end)
            if dep is None or dep in found:
                continue
            found[dep] = len(found) + 1
            facts.append(Fact(id=rel_citation(r.type, r.start, r.end, r.source), kind="kg",
                              statement=f"'{node.name}' is treated in {r.end} (rank {_rank(r.props)}, "
                                        f"source {r.source})",
                              values={"department": r.end, "rank": _rank(r.props)}))
        if not found:
            where = ", ".join(kg_named) if kg_named else "no department"
            return DepartmentFit(facts=facts, reason="no_department",
                                 detail=f"the KG names {where} for '{node.name}'; this hospital has none of them")
        return DepartmentFit(departments=sorted(found.items(), key=lambda kv: kv[1]), facts=facts)

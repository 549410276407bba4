"""The consultation's evidence: every citation id the answer uses, and the ``EvidenceBundle`` the narrator reads
(the cited KG facts and nodes, and the patient's record entries)."""

from __future__ import annotations

from medkg.types import node_citation
from reasoning.consult.knowledge import ConsultKnowledge
from reasoning.consult.models import ConsultationAnswer
from reasoning.consult.patient import PatientContext
from retrieval import EvidenceBundle, EvidenceNode, EvidenceRelationship, EvidenceSubgraph

__all__ = ["build_bundle", "collect_evidence", "parse_rel_citation"]


def parse_rel_citation(cid: str) -> tuple[str, str, str, str] | None:
    """``kg:rel:TYPE:start->end#source`` → (type, start, end, source); None for other ids."""
    if not cid.startswith("kg:rel:"):
        return None
    head, _, source = cid[len("kg:rel:"):].rpartition("#")
    rtype, _, pair = head.partition(":")
    start, sep, end = pair.partition("->")
    return (rtype, start, end, source) if sep and rtype and start and end else None


def collect_evidence(answer: ConsultationAnswer, patient: PatientContext | None) -> list[str]:
    ids: list[str] = []
    for f in answer.findings:
        if f.id:
            ids.append(node_citation(f.id))
    for d in answer.differential:
        ids.append(node_citation(d.id))
        ids.extend(d.citations)
    if answer.department is not None:
        ids.extend(answer.department.citations)
    for doc in answer.doctors:
        ids.extend(doc.citations)
    for t in answer.tests:
        ids.extend([node_citation(t.id), *t.citations])
    for drug in answer.drugs:
        ids.extend([node_citation(drug.id), *drug.citations])
    if patient is not None:
        ids.extend(e.citation for e in patient.entries())
    return list(dict.fromkeys(ids))


def build_bundle(answer: ConsultationAnswer, kn: ConsultKnowledge, patient: PatientContext | None) -> EvidenceBundle:
    """The bundle of the answer's evidence: KG nodes and facts (weights from the store's tables), record entries."""
    rels: list[EvidenceRelationship] = []
    node_ids: list[str] = []
    for cid in answer.evidence:
        if cid.startswith("kg:node:"):
            node_ids.append(cid[len("kg:node:"):])
        elif (parsed := parse_rel_citation(cid)) is not None:
            rtype, start, end, source = parsed
            node_ids += [start, end]
            weight = kn.symptom_fact(source, start, end) if rtype == "HAS_SYMPTOM" else None
            rels.append(EvidenceRelationship(citation_id=cid, type=rtype, start=start, end=end, source=source,
                                             weight=weight))
    nodes = [EvidenceNode.from_node(n, seed=False) for n in kn.nodes(list(dict.fromkeys(node_ids))).values()]
    if patient is not None:
        for e in patient.entries():
            if e.node is not None:
                nodes.append(EvidenceNode(citation_id=e.citation, id=e.node.id, label=e.node.label, name=e.name,
                                          sources=list(e.node.sources), props={"kind": e.kind, **({"date": e.date}
                                                                                                 if e.date else {})}))
    return EvidenceBundle(query=answer.question, lang=answer.lang, subgraph=EvidenceSubgraph(nodes=nodes,
                                                                                             relationships=rels))

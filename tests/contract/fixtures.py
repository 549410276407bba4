"""A small hand-made graph (~24 nodes) for the GraphStore contract suite: English and Chinese names,
synonyms, accents, parallel relationships from two sources, weights with a ``None``, an isolated node."""

from __future__ import annotations

from kg.store import GraphStore
from medkg.types import Node, Relationship

__all__ = ["NODES", "RELS", "load", "node", "rel"]

T2DM = "DOID:9352"
DM = "DOID:9351"
HTN = "DOID:10763"
UC = "DOID:8577"
CROHN = "DOID:8778"
MENIERE = "DOID:14188"
ZH_DM = "medkg:zh:糖尿病"
ZH_HTN = "medkg:zh:高血压"
HEADACHE = "MESH:D006261"
FATIGUE = "MESH:D005221"
VOMITING = "MESH:D014839"
HYPERGLYCEMIA = "MESH:D006943"
POLYURIA = "MESH:D011141"
ABD_PAIN = "MESH:D015746"
METFORMIN = "DrugBank:DB00331"
ATORVASTATIN = "DrugBank:DB01076"
LISINOPRIL = "DrugBank:DB00722"
PARACETAMOL = "DrugBank:DB00316"
ENDO = "medkg:dept:endocrinology"
ZH_ENDO = "medkg:dept:内分泌科"
PANCREAS = "UBERON:0001264"
SUGAR = "medkg:food:sugar"


def node(id_: str, label: str, name: str, *sources: str, synonyms: tuple[str, ...] = (), lang: str | None = None,
         props: dict[str, object] | None = None) -> Node:
    return Node.model_validate({"id": id_, "label": label, "name": name, "synonyms": synonyms, "lang": lang,
                                "sources": sources or ("hetionet",), "props": props or {}})


def rel(type_: str, start: str, end: str, source: str = "hetionet", weight: float | None = None,
        **props: object) -> Relationship:
    return Relationship.model_validate({"type": type_, "start": start, "end": end, "source": source,
                                        "weight": weight, "props": props})


NODES: list[Node] = [
    node(T2DM, "Disease", "Type 2 diabetes mellitus", synonyms=("T2DM", "diabetes mellitus type 2"),
         props={"doid": "9352", "xrefs": ["MESH:D003924", "ICD10:E11"]}),
    node(DM, "Disease", "Diabetes mellitus", synonyms=("DM",)),
    node(HTN, "Disease", "Hypertension", synonyms=("high blood pressure",)),
    node(UC, "Disease", "Ulcerative colitis"),
    node(CROHN, "Disease", "Crohn's disease", synonyms=("Crohn disease",)),
    node(MENIERE, "Disease", "Ménière disease"),
    node(ZH_DM, "Disease", "糖尿病", "cmekg", synonyms=("消渴",), lang="zh"),
    node(ZH_HTN, "Disease", "高血压", "cmekg", lang="zh"),
    node(HEADACHE, "Symptom", "Headache"),
    node(FATIGUE, "Symptom", "Fatigue"),
    node(VOMITING, "Symptom", "Vomiting"),
    node(HYPERGLYCEMIA, "Symptom", "Hyperglycemia", synonyms=("high blood sugar",)),
    node(POLYURIA, "Symptom", "Polyuria"),
    node(ABD_PAIN, "Symptom", "Abdominal pain"),
    node(METFORMIN, "Compound", "Metformin", props={"mw": 129.16, "approved": True, "year": 1995}),
    node(ATORVASTATIN, "Compound", "Atorvastatin"),
    node(LISINOPRIL, "Compound", "Lisinopril"),
    node(PARACETAMOL, "Compound", "Paracetamol", synonyms=("Acetaminophen",)),
    node(ENDO, "Department", "Endocrinology", "cmekg", "hetionet"),
    node(ZH_ENDO, "Department", "内分泌科", "cmekg", lang="zh"),
    node(PANCREAS, "Anatomy", "Pancreas"),
    node(SUGAR, "Food", "Sugar", "cmekg"),
]

RELS: list[Relationship] = [
    rel("HAS_SYMPTOM", T2DM, HYPERGLYCEMIA, weight=0.9),
    rel("HAS_SYMPTOM", T2DM, POLYURIA, weight=0.6),
    rel("HAS_SYMPTOM", T2DM, FATIGUE, weight=0.3),
    rel("HAS_SYMPTOM", DM, HYPERGLYCEMIA, weight=0.8),
    rel("HAS_SYMPTOM", HTN, HEADACHE, weight=0.7),
    rel("HAS_SYMPTOM", HTN, FATIGUE, weight=0.2),
    rel("HAS_SYMPTOM", CROHN, FATIGUE),
    rel("HAS_SYMPTOM", CROHN, ABD_PAIN, weight=0.5),
    rel("HAS_SYMPTOM", MENIERE, VOMITING, weight=0.5),
    rel("TREATS", METFORMIN, T2DM, weight=1.0, evidence="PharmacotherapyDB DM"),
    rel("TREATS", LISINOPRIL, HTN, weight=1.0),
    rel("COOCCURS_WITH", T2DM, HTN, weight=0.4, enrichment=2.5, p_value=1e-5),
    rel("COOCCURS_WITH", CROHN, UC, weight=0.95),
    rel("TREATED_IN", T2DM, ENDO, "cmekg"),
    rel("TREATED_IN", DM, ENDO, "cmekg"),
    rel("TREATED_IN", ZH_DM, ZH_ENDO, "cmekg"),
    rel("SAME_AS", ZH_ENDO, ENDO, "manual"),
    rel("AVOID", ZH_DM, SUGAR, "cmekg"),
    rel("RELATED_TO", T2DM, PANCREAS, weight=0.5),
    rel("RELATED_TO", T2DM, PANCREAS, "manual", weight=0.7),
    rel("RELATED_TO", PARACETAMOL, HEADACHE, "manual", weight=0.6),
]


def load(store: GraphStore) -> GraphStore:
    """Write the fixture graph into ``store`` and return it."""
    store.upsert_nodes(NODES)
    store.upsert_relationships(RELS)
    return store

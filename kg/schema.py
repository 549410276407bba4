"""The graph's closed vocabulary: node labels, relationship types (with their endpoint labels) and id prefixes.

Stores build their Cypher constants from this vocabulary, never from input, and readers may only emit
labels and types named here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ID_PREFIXES", "LABELS", "REL_TYPES", "RelSpec", "rel_spec"]

LABELS: tuple[str, ...] = (
    # concepts (Hetionet kinds and our own)
    "Anatomy",
    "BiologicalProcess",
    "CellularComponent",
    "Compound",
    "Disease",
    "Gene",
    "MolecularFunction",
    "Pathway",
    "PharmacologicClass",
    "SideEffect",
    "Symptom",
    "Department",
    "Check",
    "Food",
    "Precaution",
    # records
    "Patient",
    "Encounter",
    "Provider",
    "Organization",
    "Observation",
    "Procedure",
    "Medication",
    "Allergy",
    "Condition",
    # resources
    "Hospital",
    "Specialism",
    "Room",
    "RoomFeature",
    # literature
    "Document",
    "Passage",
)


@dataclass(frozen=True)
class RelSpec:
    """A relationship type and the labels its endpoints may carry."""

    type: str
    start: tuple[str, ...]
    end: tuple[str, ...]
    doc: str


_CONCEPTS = (
    "Disease",
    "Symptom",
    "Compound",
    "Anatomy",
    "Gene",
    "Department",
    "Check",
    "Food",
    "SideEffect",
    "PharmacologicClass",
    "BiologicalProcess",
    "CellularComponent",
    "MolecularFunction",
    "Pathway",
)

REL_TYPES: dict[str, RelSpec] = {
    s.type: s
    for s in (
        RelSpec(
            "HAS_SYMPTOM", ("Disease",), ("Symptom",), "disease presents with symptom (HSDN TF-IDF, disease table)"
        ),
        RelSpec("TREATS", ("Compound",), ("Disease",), "disease-modifying indication (PharmacotherapyDB DM)"),
        RelSpec("PALLIATES", ("Compound",), ("Disease",), "symptomatic indication (PharmacotherapyDB SYM)"),
        RelSpec("NOT_INDICATED_FOR", ("Compound",), ("Disease",), "curated non-indication (PharmacotherapyDB NOT)"),
        RelSpec("COOCCURS_WITH", ("Disease",), ("Disease",), "MEDLINE co-occurrence with enrichment and p-value"),
        RelSpec("TREATED_IN", ("Disease",), ("Department",), "department that treats the disease"),
        RelSpec("NEEDS_CHECK", ("Disease",), ("Check",), "examination used for the disease"),
        RelSpec("ADVISED", ("Disease",), ("Precaution", "Food"), "precaution or diet advice"),
        RelSpec("AVOID", ("Disease",), ("Food",), "food to avoid"),
        RelSpec("COMPLICATED_BY", ("Disease",), ("Disease",), "complication"),
        RelSpec(
            "PART_OF",
            ("Department", "Room"),
            ("Department", "Hospital", "Organization"),
            "sub-department or room of a department/hospital",
        ),
        RelSpec("SAME_AS", ("Department",), ("Department",), "curated cross-language equivalence"),
        RelSpec("HAS_ENCOUNTER", ("Patient",), ("Encounter",), "patient's encounter"),
        RelSpec("DIAGNOSED", ("Encounter", "Patient"), ("Condition",), "condition recorded in an encounter"),
        RelSpec(
            "IS_A",
            ("Condition", "Medication", "Procedure", "Observation", "Allergy"),
            _CONCEPTS,
            "record entry linked to the KG concept it instantiates",
        ),
        RelSpec("PRESCRIBED", ("Encounter",), ("Medication",), "medication ordered in an encounter"),
        RelSpec("OBSERVED", ("Encounter",), ("Observation",), "observation made in an encounter"),
        RelSpec("PERFORMED", ("Encounter",), ("Procedure",), "procedure performed in an encounter"),
        RelSpec("HAS_ALLERGY", ("Patient",), ("Allergy",), "recorded allergy"),
        RelSpec("ATTENDED_BY", ("Encounter",), ("Provider",), "provider of an encounter"),
        RelSpec("AT", ("Encounter",), ("Organization",), "organisation where an encounter happened"),
        RelSpec("WORKS_AT", ("Provider",), ("Organization",), "provider's organisation"),
        RelSpec("SPECIALISES_IN", ("Provider",), ("Specialism", "Department"), "provider speciality"),
        RelSpec(
            "TREATS_SPECIALISM", ("Department",), ("Specialism",), "OR-PAS department treats specialism (main/aux)"
        ),
        RelSpec("HAS_FEATURE", ("Room",), ("RoomFeature",), "room property (OR-PAS)"),
        RelSpec("HAS_PASSAGE", ("Document",), ("Passage",), "document's passage"),
        RelSpec("MENTIONS", ("Passage",), _CONCEPTS, "passage mentions a KG concept (offsets, negation)"),
        RelSpec("RELATED_TO", _CONCEPTS, _CONCEPTS, "generic link where the source gives no finer type"),
        RelSpec("RECOMMENDED_FOR", ("Compound",), ("Disease",),
                "drug recommended or commonly used for a disease (Chinese KG records; not curated efficacy)"),
    )
}


def rel_spec(rel_type: str) -> RelSpec:
    """The spec of a relationship type; ``KeyError`` names unknown types."""
    try:
        return REL_TYPES[rel_type]
    except KeyError:
        raise KeyError(f"unknown relationship type {rel_type!r}; known: {', '.join(sorted(REL_TYPES))}") from None


# Ontology prefix of each id scheme; ids we mint ourselves use ``medkg:``.
ID_PREFIXES: dict[str, str] = {
    "DOID": "Disease Ontology",
    "MESH": "MeSH",
    "DrugBank": "DrugBank",
    "UBERON": "Uberon",
    "SNOMED": "SNOMED CT",
    "RxNorm": "RxNorm",
    "LOINC": "LOINC",
    "CVX": "CVX",
    "Entrez": "NCBI Gene",
    "GO": "Gene Ontology",
    "UMLS": "UMLS (side effects)",
    "NDF-RT": "NDF-RT (pharmacologic classes)",
    "WP": "WikiPathways",
    "PC": "Pathway Commons",
    "REACT": "Reactome",
    "HIFLD": "HIFLD hospitals",
    "pmid": "PubMed",
    "medkg": "minted by medkg",
}

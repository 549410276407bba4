"""Which readers make up each ingest part, in merge order (DOID canonical: Hetionet first)."""

from __future__ import annotations

from collections.abc import Callable

from ingest.readers.base import Reader
from ingest.readers.curated import CuratedReader
from ingest.readers.disease_symptom import DiseaseSymptomReader
from ingest.readers.hetionet import HetionetReader
from ingest.readers.hifld import HifldReader
from ingest.readers.hsdn import HsdnReader
from ingest.readers.medline import MedlineReader
from ingest.readers.orpas import OrPasReader
from ingest.readers.pharmacotherapydb import PharmacotherapyDbReader
from ingest.readers.synthea import SyntheaReader
from ingest.readers.zh import ZhReader
from medkg.errors import InputValidationError

__all__ = ["PARTS", "expand_parts", "readers_for"]

PARTS: dict[str, tuple[Callable[[], Reader], ...]] = {
    "kg": (HetionetReader, MedlineReader, HsdnReader, PharmacotherapyDbReader, DiseaseSymptomReader, ZhReader,
           CuratedReader),
    "records": (SyntheaReader,),
    "resources": (HifldReader, OrPasReader),
}
ORDER = ("kg", "records", "resources", "literature")


def expand_parts(parts: list[str] | tuple[str, ...]) -> list[str]:
    """Validated parts in run order; 'all' = kg, records, resources, literature."""
    wanted: set[str] = set()
    for p in parts:
        if p == "all":
            wanted.update(ORDER)
        elif p in ORDER:
            wanted.add(p)
        else:
            raise InputValidationError(f"unknown ingest part {p!r}; choose from {', '.join((*ORDER, 'all'))}")
    if not wanted:
        raise InputValidationError("name at least one part to ingest: kg, records, resources, literature or all")
    return [p for p in ORDER if p in wanted]


def readers_for(part: str) -> list[Reader]:
    return [factory() for factory in PARTS[part]]

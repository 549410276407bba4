"""Patient context from an ingested record: allergies, current medications, conditions, recent encounters and
observations, each a cited entry ``record:<pseudonym>#<entry>``.

An unknown pseudonym and one the caller may not see give the same error, so the answer never tells whether a
pseudonym exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg import GraphStore
from medkg.errors import InputValidationError, NotFoundError
from medkg.types import Node

__all__ = ["PATIENT_UNAVAILABLE", "PatientContext", "RecordEntry", "load_patient"]

PATIENT_UNAVAILABLE = "no patient record is available for that pseudonym"
_PREFIX = "medkg:patient:"
_PSEUDONYM = re.compile(r"^[0-9a-f]{8,64}$")
_RECENT = 5


@dataclass(frozen=True)
class RecordEntry:
    citation: str
    kind: str  # allergy | medication | condition | encounter | observation
    name: str
    concepts: tuple[str, ...] = ()  # KG concepts the entry instantiates (IS_A)
    date: str | None = None
    node: Node | None = None


@dataclass
class PatientContext:
    pseudonym: str
    allergies: list[RecordEntry] = field(default_factory=list)
    medications: list[RecordEntry] = field(default_factory=list)  # current (no stop date)
    conditions: list[RecordEntry] = field(default_factory=list)
    encounters: list[RecordEntry] = field(default_factory=list)  # most recent first
    observations: list[RecordEntry] = field(default_factory=list)

    def entries(self) -> list[RecordEntry]:
        return [*self.allergies, *self.medications, *self.conditions, *self.encounters, *self.observations]


def _resolve(store: GraphStore, pseudonym: str) -> str:
    p = pseudonym.strip().lower()
    if p.startswith(_PREFIX):
        p = p[len(_PREFIX):]
    if not _PSEUDONYM.match(p):
        raise InputValidationError("a patient pseudonym is 8 to 64 hexadecimal characters")
    if store.get_node(_PREFIX + p) is not None:
        return p
    if len(p) < 64:
        hits = [i[len(_PREFIX):] for i in store.node_ids(label="Patient") if i.startswith(_PREFIX + p)]
        if len(hits) == 1:
            return hits[0]
    raise NotFoundError(PATIENT_UNAVAILABLE)


def _entry(pseudonym: str, node: Node, kind: str, concepts: tuple[str, ...] = ()) -> RecordEntry:
    local = node.id.removeprefix("medkg:")
    date = node.props.get("date") or node.props.get("start")
    return RecordEntry(f"record:{pseudonym}#{local}", kind, node.name, concepts, str(date) if date else None, node)


def load_patient(store: GraphStore, pseudonym: str) -> PatientContext:
    """The record of ``pseudonym`` (full or a unique prefix of at least 8 hex characters)."""
    p = _resolve(store, pseudonym)
    pid = _PREFIX + p
    ctx = PatientContext(p)
    rels = store.relationships_of(pid, direction="out", limit=5000)
    by_type: dict[str, list[str]] = {}
    for r in rels:
        by_type.setdefault(r.type, []).append(r.end)
    nodes = {n.id: n for n in store.get_nodes([r.end for r in rels])}

    def concepts(node_id: str) -> tuple[str, ...]:
        return tuple(r.end for r in store.relationships_of(node_id, rel_types=["IS_A"], direction="out", limit=20))

    for nid in by_type.get("HAS_ALLERGY", []):
        if nid in nodes:
            ctx.allergies.append(_entry(p, nodes[nid], "allergy", concepts(nid)))
    for nid in by_type.get("DIAGNOSED", []):
        n = nodes.get(nid)
        if n is not None and not n.props.get("stop"):
            ctx.conditions.append(_entry(p, n, "condition", concepts(nid)))
    encounters = sorted((nodes[i] for i in by_type.get("HAS_ENCOUNTER", []) if i in nodes),
                        key=lambda n: str(n.props.get("start") or n.props.get("date") or ""), reverse=True)
    for enc in encounters:
        out = store.relationships_of(enc.id, rel_types=["PRESCRIBED", "OBSERVED"], direction="out", limit=2000)
        meds = [r.end for r in out if r.type == "PRESCRIBED"]
        for m in store.get_nodes(meds):
            if not m.props.get("stop") and all(e.node is None or e.node.id != m.id for e in ctx.medications):
                ctx.medications.append(_entry(p, m, "medication", concepts(m.id)))
        if len(ctx.encounters) < _RECENT:
            ctx.encounters.append(_entry(p, enc, "encounter"))
            obs = [r.end for r in out if r.type == "OBSERVED"][:_RECENT]
            if len(ctx.observations) < _RECENT:
                ctx.observations.extend(_entry(p, o, "observation") for o in store.get_nodes(obs))
                ctx.observations = ctx.observations[:_RECENT]
    return ctx

"""Build an allocation request from the ingested store: Synthea inpatient/emergency encounters and departments.

Patients come from Encounter nodes (``encounter_class`` inpatient or emergency): the condition is the KG
disease the encounter's Condition IS_A (else the encounter's reason), the length of stay from start/stop,
the sex from the Patient node. Departments are the English Department nodes (``medkg:dept:*``); wards are
the Room nodes PART_OF those departments, or, where a department has none, one ward of
``beds_per_department`` beds (stated as an assumption in the ward id). A missing piece fails with the
ingest command to run, never with a half-built request.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from medkg.errors import NotFoundError
from reasoning.allocation.service_models import AllocationRequest, Department, PatientRequest, Ward

if TYPE_CHECKING:
    from kg.store import GraphStore
    from medkg.types import Node

__all__ = ["build_example_request"]

log = logging.getLogger(__name__)

CLASSES = ("inpatient", "emergency")


def _when(raw: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None


def _condition(store: GraphStore, enc: Node) -> str | None:
    for rel in store.relationships_of(enc.id, rel_types=["DIAGNOSED"], direction="out", limit=20):
        for isa in store.relationships_of(rel.end, rel_types=["IS_A"], direction="out", limit=5):
            node = store.get_node(isa.end)
            if node is not None and node.label == "Disease":
                return node.name
    reason = enc.props.get("reason")
    return str(reason) if reason else None


def _sex(store: GraphStore, enc: Node) -> str | None:
    for rel in store.relationships_of(enc.id, rel_types=["HAS_ENCOUNTER"], direction="in", limit=1):
        pat = store.get_node(rel.start)
        g = str(pat.props.get("gender", "")).upper() if pat is not None else ""
        if g in ("M", "F"):
            return "male" if g == "M" else "female"
    return None


def build_example_request(store: GraphStore, *, days: int = 14, limit: int = 200,
                          beds_per_department: int = 10) -> AllocationRequest:
    enc_ids = store.node_ids(label="Encounter")
    if not enc_ids:
        raise NotFoundError("no Encounter nodes in the store; run: medkg ingest records (Synthea encounters)")
    encs = [n for n in store.get_nodes(enc_ids) if str(n.props.get("encounter_class", "")).lower() in CLASSES]
    if not encs:
        raise NotFoundError("no inpatient/emergency encounters in the store; run: medkg ingest records")
    dept_nodes = [n for n in store.get_nodes(store.node_ids(label="Department")) if n.id.startswith("medkg:dept:")]
    if not dept_nodes:
        raise NotFoundError("no English Department nodes (medkg:dept:*) in the store; run: medkg ingest kg")
    encs.sort(key=lambda n: (str(n.props.get("start", "")), n.id))
    encs = encs[-limit:]
    first = _when(encs[0].props.get("start")) if encs else None
    patients: list[PatientRequest] = []
    skipped = 0
    for enc in encs:
        cond = _condition(store, enc)
        start, stop = _when(enc.props.get("start")), _when(enc.props.get("stop"))
        if cond is None or start is None:
            skipped += 1
            continue
        los = max(1, (stop - start).days if stop is not None else 1)
        day = ((start - first).days if first is not None else 0) % days
        emergency = str(enc.props.get("encounter_class")).lower() == "emergency"
        patients.append(PatientRequest(
            id=enc.id, condition=cond, emergency=emergency, priority=5 if emergency else 3, sex=_sex(store, enc),
            length_of_stay=min(los, 60), earliest=day, latest=day if emergency else min(days - 1, day + 3)))
    if not patients:
        raise NotFoundError(f"none of {len(encs)} encounters has a condition or start date; run: medkg ingest records")
    departments = [Department(id=n.id.removeprefix("medkg:dept:"), name=n.name, kg_id=n.id) for n in dept_nodes]
    by_kg = {d.kg_id: d.id for d in departments}
    wards: list[Ward] = []
    for rid in store.node_ids(label="Room"):
        for rel in store.relationships_of(rid, rel_types=["PART_OF"], direction="out", limit=5):
            if rel.end in by_kg:
                room = store.get_node(rid)
                cap = room.props.get("capacity", 1) if room is not None else 1
                beds = int(cap) if isinstance(cap, int | float) else 1
                wards.append(Ward(id=rid, department=by_kg[rel.end], beds=max(1, beds)))
    with_ward = {w.department for w in wards}
    wards += [Ward(id=f"{d.id}-ward-assumed-{beds_per_department}-beds", department=d.id, beds=beds_per_department)
              for d in departments if d.id not in with_ward]
    log.info("example request: %d patients (%d encounters skipped), %d departments", len(patients), skipped,
             len(departments))
    return AllocationRequest(days=days, departments=departments, wards=wards, patients=patients)

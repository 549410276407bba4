"""Build an allocation request from the ingested store: Synthea inpatient/emergency encounters and departments.

Patients come from Encounter nodes (``encounter_class`` inpatient or emergency). An encounter's condition is
chosen among its candidates, first one whose department the KG knows (see :mod:`kg_fit`):

1. Conditions recorded in the encounter that the ingest linked (IS_A) to a KG Disease (``condition_id`` set);
2. the encounter's reason (Synthea ``REASONDESCRIPTION``), resolved by name or by the record link of
   Conditions with the same description;
3. other clinical Conditions of the encounter (social "(finding)", "(situation)" and "(person)" entries skipped).

When none has a department fit the first candidate is kept and the service reports ``no_kg_match`` for it
(the patient is not dropped); an encounter without any candidate is skipped and counted. When there are more
encounters than ``limit``, those with a fit are preferred, then the most recent. The length of stay comes
from start/stop, the sex from the Patient node. Departments are the English Department nodes
(``medkg:dept:*``); wards are the Room nodes PART_OF those departments, or, where a department has none, one
ward of ``beds_per_department`` beds (stated as an assumption in the ward id). A missing piece fails with the
ingest command to run, never with a half-built request.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medkg.errors import NotFoundError
from reasoning.allocation.service.kg_fit import DepartmentResolver, strip_semantic_tag
from reasoning.allocation.service.limits import MAX_DAYS, MAX_PATIENTS, check_count
from reasoning.allocation.service.models import AllocationRequest, Department, PatientRequest, Ward

if TYPE_CHECKING:
    from kg import GraphStore
    from medkg.types import Node

__all__ = ["ExampleStats", "build_example_request", "example_stats"]

log = logging.getLogger(__name__)

CLASSES = ("inpatient", "emergency")
_SOCIAL = re.compile(r"\((finding|situation|person)\)?\s*$", re.IGNORECASE)  # employment, history of ..., refugee


@dataclass(frozen=True)
class _Candidate:
    text: str
    disease_id: str | None = None


@dataclass
class ExampleStats:
    """How the example's encounters fared: candidates, kept patients, and those with a KG department fit."""

    encounters: int = 0  # inpatient/emergency encounters in the store
    with_candidate: int = 0  # of those, with a condition or reason to resolve
    with_fit: int = 0  # of those, whose chosen condition has a department fit in the KG
    patients: int = 0  # patients in the request (at most ``limit``)
    patients_with_fit: int = 0

    @property
    def share_with_fit(self) -> float:
        return self.patients_with_fit / self.patients if self.patients else 0.0


def _when(raw: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None


def _candidates(store: GraphStore, enc: Node) -> list[_Candidate]:
    """The encounter's condition candidates, in the order of the module docstring."""
    linked: list[_Candidate] = []
    clinical: list[_Candidate] = []
    for rel in store.relationships_of(enc.id, rel_types=["DIAGNOSED"], direction="out", limit=20):
        cond = store.get_node(rel.end)
        if cond is None:
            continue
        for isa in store.relationships_of(cond.id, rel_types=["IS_A"], direction="out", limit=5):
            node = store.get_node(isa.end)
            if node is not None and node.label == "Disease":
                english = node.lang in (None, "en")  # the KG's English name, else the record's own words
                linked.append(_Candidate(node.name if english else strip_semantic_tag(cond.name), node.id))
                break
        else:
            if not _SOCIAL.search(cond.name):
                clinical.append(_Candidate(cond.name))
    reason = enc.props.get("reason")
    return [*linked, *([_Candidate(str(reason))] if reason else []), *clinical]


def _choose(resolver: DepartmentResolver, cands: list[_Candidate]) -> tuple[_Candidate, bool] | None:
    for c in cands:
        if resolver.fit(c.text, c.disease_id).reason is None:
            return c, True
    return (cands[0], False) if cands else None


def _sex(store: GraphStore, enc: Node) -> str | None:
    for rel in store.relationships_of(enc.id, rel_types=["HAS_ENCOUNTER"], direction="in", limit=1):
        pat = store.get_node(rel.start)
        g = str(pat.props.get("gender", "")).upper() if pat is not None else ""
        if g in ("M", "F"):
            return "male" if g == "M" else "female"
    return None


def _wards(store: GraphStore, departments: list[Department], beds_per_department: int) -> list[Ward]:
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
    return wards


def example_stats(store: GraphStore, *, days: int = 14, limit: int = 200,
                  beds_per_department: int = 10) -> tuple[AllocationRequest, ExampleStats]:
    """The example request and how many of its encounters/patients have a KG department fit.

    ``days`` in [1, 366], ``limit`` in [1, 100000] and ``beds_per_department`` in [1, 10000], else
    :class:`InputValidationError` (checked before the store is read)."""
    check_count(days, name="days", low=1, high=MAX_DAYS)
    check_count(limit, name="limit", low=1, high=MAX_PATIENTS)
    check_count(beds_per_department, name="beds_per_department", low=1, high=10_000)
    enc_ids = store.node_ids(label="Encounter")
    if not enc_ids:
        raise NotFoundError("no Encounter nodes in the store; run: medkg ingest records (Synthea encounters)")
    encs = [n for n in store.get_nodes(enc_ids) if str(n.props.get("encounter_class", "")).lower() in CLASSES]
    if not encs:
        raise NotFoundError("no inpatient/emergency encounters in the store; run: medkg ingest records")
    dept_nodes = [n for n in store.get_nodes(store.node_ids(label="Department")) if n.id.startswith("medkg:dept:")]
    if not dept_nodes:
        raise NotFoundError("no English Department nodes (medkg:dept:*) in the store; run: medkg ingest kg")
    departments = [Department(id=n.id.removeprefix("medkg:dept:"), name=n.name, kg_id=n.id) for n in dept_nodes]
    resolver = DepartmentResolver(store, departments)
    stats = ExampleStats(encounters=len(encs))
    chosen: list[tuple[bool, str, Node, _Candidate, dt.datetime]] = []
    for enc in encs:
        pick = _choose(resolver, _candidates(store, enc))
        start = _when(enc.props.get("start"))
        if pick is None or start is None:
            continue
        stats.with_candidate += 1
        stats.with_fit += pick[1]
        chosen.append((pick[1], str(enc.props.get("start", "")), enc, pick[0], start))
    if not chosen:
        raise NotFoundError(f"none of {len(encs)} encounters has a condition or start date; run: medkg ingest records")
    chosen.sort(key=lambda c: (c[0], c[1], c[2].id))  # with a fit last, then most recent last
    chosen = sorted(chosen[-limit:], key=lambda c: (c[1], c[2].id))
    first = chosen[0][4]
    patients: list[PatientRequest] = []
    for fit, _, enc, cand, start in chosen:
        stop = _when(enc.props.get("stop"))
        los = max(1, (stop - start).days if stop is not None else 1)
        day = (start - first).days % days
        emergency = str(enc.props.get("encounter_class")).lower() == "emergency"
        patients.append(PatientRequest(
            id=enc.id, condition=cand.text, condition_id=cand.disease_id, emergency=emergency,
            priority=5 if emergency else 3, sex=_sex(store, enc), length_of_stay=min(los, 60), earliest=day,
            latest=day if emergency else min(days - 1, day + 3)))
        stats.patients_with_fit += fit
    stats.patients = len(patients)
    log.info("example request: %d patients (%d with a KG department fit) of %d encounters (%d without a condition)",
             stats.patients, stats.patients_with_fit, stats.encounters, stats.encounters - stats.with_candidate)
    req = AllocationRequest(days=days, departments=departments, wards=_wards(store, departments, beds_per_department),
                            patients=patients)
    return req, stats


def build_example_request(store: GraphStore, *, days: int = 14, limit: int = 200,
                          beds_per_department: int = 10) -> AllocationRequest:
    """The example request (see :func:`example_stats` for how many patients have a KG department fit)."""
    return example_stats(store, days=days, limit=limit, beds_per_department=beds_per_department)[0]

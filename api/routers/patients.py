"""``/v1/patients/{pseudonym}``: one patient's record (clinicians only).

The role is checked before the store is touched, with one message for every pseudonym, so a reader learns
nothing, not even whether the pseudonym exists. Every call is audited with the pseudonym.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from api.deps import ClinicianDep, StoreDep
from api.models import PatientRecordResponse, node_out, relationship_out
from medkg.errors import InputValidationError, NotFoundError

__all__ = ["router"]

router = APIRouter(prefix="/patients", tags=["patients"])

_PSEUDONYM = re.compile(r"^[0-9a-f]{8,64}$")


def _note_pseudonym(request: Request, pseudonym: Annotated[str, Path(max_length=64)]) -> str:
    """Records the pseudonym for the audit log (runs before the role check, so refused attempts are audited)."""
    request.state.pseudonym = pseudonym
    return pseudonym


@router.get("/{pseudonym}", response_model=PatientRecordResponse)
def patient(
    pseudonym: Annotated[str, Depends(_note_pseudonym)],
    caller: ClinicianDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most record entries.")] = 200,
) -> PatientRecordResponse:
    """The patient node (``medkg:patient:<pseudonym>``), its relationships and the entries they point to."""
    if not _PSEUDONYM.match(pseudonym):
        raise InputValidationError("a pseudonym is 8 to 64 lower-case hex characters")
    node_id = f"medkg:patient:{pseudonym}"
    found = store.get_node(node_id)
    if found is None:
        raise NotFoundError("no patient with this pseudonym")
    rels = store.relationships_of(node_id, limit=limit + 1)
    others = [r.end if r.start == node_id else r.start for r in rels[:limit]]
    return PatientRecordResponse(
        pseudonym=pseudonym,
        patient=node_out(found),
        relationships=[relationship_out(r) for r in rels[:limit]],
        entries=[node_out(n) for n in store.get_nodes(others)],
        truncated=len(rels) > limit,
    )

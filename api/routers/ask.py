"""``/v1/ask`` (cited answer from the evidence) and ``/v1/consult`` (red flags first, differential, department).

Both run through the bounded generation queue (503 with Retry-After when it is full). ``/v1/consult`` with a
``patient`` needs a clinician key; the pseudonym is audited, never the question.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Request

from api.deps import LimitsDep, ReaderDep, ServicesDep
from api.engines import as_dict
from api.errors import PermissionDeniedError
from api.limits import ApiLimits
from api.models import AskRequest, ConsultRequest
from api.routers.search import check_question
from api.security import role_at_least
from api.services import Services

__all__ = ["answer_question", "consult_question", "router"]

log = logging.getLogger(__name__)

router = APIRouter(tags=["answers"])


def _max_tokens(asked: int | None, limits: ApiLimits) -> int:
    return min(asked or limits.default_max_tokens, limits.max_tokens)


def answer_question(services: Services, question: str, *, k: int | None = None, max_tokens: int | None = None) -> Any:
    """The engine's ``Answer`` for ``question`` (worker thread, one generation slot)."""
    engine = services.answer.get()
    with services.queue().slot():
        start = time.perf_counter()
        result = engine.answer(question, k=k, max_tokens=_max_tokens(max_tokens, services.limits))
        services.metrics.generation.labels("ask").observe(time.perf_counter() - start)
    return result


def consult_question(services: Services, question: str, *, patient: str | None = None,
                     narrate: bool = False) -> Any:
    """The ``ConsultationAnswer`` for ``question`` (worker thread, one generation slot)."""
    svc = services.consult.get()
    with services.queue().slot():
        start = time.perf_counter()
        result = svc.consult(question, patient=patient, narrate=narrate)
        services.metrics.generation.labels("consult").observe(time.perf_counter() - start)
    return result


@router.post("/ask", response_model=dict[str, Any], summary="Answer a question from the evidence, every sentence cited")
def ask(services: ServicesDep, limits: LimitsDep, caller: ReaderDep, body: AskRequest) -> dict[str, Any]:
    """One ``Answer``: ``text``, ``sentences`` (each with ``citations``), ``decision`` for yes/no questions,
    ``refused``/``refusal_reason``, ``evidence`` (the bundle), ``model``, ``timings_ms``."""
    question = check_question(body.question, limits)
    return as_dict(answer_question(services, question, k=body.k, max_tokens=body.max_tokens))


@router.post("/consult", response_model=dict[str, Any], summary="Consultation: red flags first, then a cited "
             "differential, department, doctors, tests and drugs")
def consult(request: Request, services: ServicesDep, limits: LimitsDep, caller: ReaderDep,
            body: ConsultRequest) -> dict[str, Any]:
    """One ``ConsultationAnswer`` (``red_flags`` first). A ``patient`` context needs a clinician key (403)."""
    question = check_question(body.question, limits)
    if body.patient is not None:
        request.state.pseudonym = body.patient[:100]
        if not role_at_least(caller.role, "clinician"):
            raise PermissionDeniedError("a consultation with a patient context needs a clinician key")
    return as_dict(consult_question(services, question, patient=body.patient, narrate=body.narrate))

"""``/v1/search``: the evidence bundle (dense + BM25 + graph walk, fused) for a question, every item cited."""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import LimitsDep, ReaderDep, ServicesDep
from api.engines import as_dict
from api.limits import ApiLimits
from api.models import SearchRequest
from api.services import Services
from medkg.errors import InputValidationError

__all__ = ["check_question", "retrieve", "router"]

log = logging.getLogger(__name__)

router = APIRouter(tags=["search"])
_LOCK = threading.Lock()  # the retriever's indexes are not shared across threads


def check_question(text: str, limits: ApiLimits, what: str = "question") -> str:
    """``text`` stripped; 422 when it is blank, has a NUL, or is over ``limits.max_question_chars``."""
    if len(text) > limits.max_question_chars:
        raise InputValidationError(f"{what} is {len(text):,} characters; at most {limits.max_question_chars:,} "
                                   "are accepted")
    if "\x00" in text:
        raise InputValidationError(f"{what} contains a NUL character")
    if not text.strip():
        raise InputValidationError(f"{what} is blank")
    return text.strip()


def retrieve(services: Services, query: str, k: int) -> Any:
    """The evidence bundle (worker thread; the retriever is built on first use)."""
    retriever = services.retriever.get()
    start = time.perf_counter()
    with _LOCK:
        bundle = retriever.search(query, k=k)
    services.metrics.retrieval.observe(time.perf_counter() - start)
    return bundle


@router.post("/search", response_model=dict[str, Any], summary="Evidence bundle for a question")
def search(services: ServicesDep, limits: LimitsDep, caller: ReaderDep, body: SearchRequest) -> dict[str, Any]:
    """Passages (with citation ids such as ``pmid:...#results``) and the KG subgraph linked from the question,
    as ``medkg search --json`` prints them."""
    query = check_question(body.query, limits, "query")
    out = as_dict(retrieve(services, query, body.k))
    log.info("search (%d chars, k=%d) -> %d passages", len(query), body.k, len(out.get("passages", [])))
    return out


@router.get("/search", response_model=dict[str, Any], summary="Evidence bundle for a question (query string)")
def search_get(
    services: ServicesDep,
    limits: LimitsDep,
    caller: ReaderDep,
    q: Annotated[str, Query(min_length=1, description="Question or keywords.")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Same as POST, for browsers and curl."""
    query = check_question(q, limits, "q")
    return as_dict(retrieve(services, query, k))

"""``/healthz`` (liveness), ``/readyz`` (store, indexes, models), ``/metrics`` (Prometheus) and 0.1's ``/health``.

None of them needs a key: orchestrators and Prometheus call them. ``/readyz`` is 503 while the graph store cannot
be reached (the container's healthcheck), and 200 again as soon as it can; the indexes and models are reported
(``not loaded yet`` until a route first needs them) but do not make the service unready.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from api.deps import ServicesDep, StoreHolderDep
from api.engines import Lazy
from api.models import HealthResponse, LivenessResponse, ReadinessResponse
from medkg.errors import MedkgError

__all__ = ["legacy", "router"]

router = APIRouter(tags=["health"])
legacy = APIRouter(tags=["health"])


@router.get("/healthz", response_model=LivenessResponse)
def healthz(services: ServicesDep) -> LivenessResponse:
    """200 while the process answers (does not touch the store)."""
    return LivenessResponse(uptime_s=round(time.time() - services.started, 1))


def _lazy_state(lazy: Lazy[object]) -> str:
    return "ok" if lazy.loaded else "not loaded yet"


@router.get("/readyz", response_model=ReadinessResponse,
            responses={503: {"model": ReadinessResponse, "description": "The graph store is not reachable."}})
def readyz(services: ServicesDep) -> JSONResponse:
    """200 when the graph store answers; 503 with the reason when it does not (the service recovers by itself)."""
    checks: dict[str, str] = {}
    ready = True
    try:
        services.store.get().counts()
        checks["store"] = "ok"
    except MedkgError as e:
        checks["store"] = f"{type(e).__name__}: {e}"
        ready = False
    index_dir = services.settings.index_dir
    checks["indexes"] = ("ok" if services.retriever.loaded else
                         "not loaded yet" if (index_dir / "passages.sqlite3").exists() else "no passage index")
    checks["answer_engine"] = _lazy_state(services.answer)  # type: ignore[arg-type]
    checks["consultation"] = _lazy_state(services.consult)  # type: ignore[arg-type]
    body = ReadinessResponse(status="ready" if ready else "not ready", store=services.store.kind, checks=checks)
    headers = None if ready else {"Retry-After": "5"}
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503, headers=headers)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text format."}})
def metrics(services: ServicesDep) -> Response:
    """Latency histograms per route, errors, retrieval and generation latency, tokens, queue depth."""
    body, media = services.metrics.render()
    return Response(content=body, media_type=media)


@legacy.get("/health", response_model=HealthResponse)
def health(holder: StoreHolderDep) -> HealthResponse:
    """0.1's health check: 200 with node/relationship totals when the store answers; 503 with the reason."""
    counts = holder.get().counts()
    return HealthResponse(
        store=holder.kind,
        nodes=sum(counts.nodes.values()),
        relationships=sum(counts.relationships.values()),
    )

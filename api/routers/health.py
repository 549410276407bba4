"""``GET /health``: is the graph store reachable, and how big is it."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreHolderDep
from api.models import ErrorResponse, HealthResponse

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": ErrorResponse}})
def health(holder: StoreHolderDep) -> HealthResponse:
    """200 with node/relationship totals when the store answers; 503 with the reason when it does not."""
    counts = holder.get().counts()
    return HealthResponse(
        store=holder.kind,
        nodes=sum(counts.nodes.values()),
        relationships=sum(counts.relationships.values()),
    )

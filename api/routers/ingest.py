"""``POST /v1/ingest`` (admin): ingest parts of the server's configured data folder into its store.

No path comes from the client: the data folder is the server's (``MEDKG_DATA_DIR``). One ingest at a time
(429 while one runs). Every source is checked before the first write, so a failure leaves the store as it was.
"""

from __future__ import annotations

import threading
from typing import Any

import anyio.to_thread
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminDep, ServicesDep
from api.errors import TooManyRequestsError
from medkg.errors import ConfigurationError

__all__ = ["IngestRequest", "router"]

router = APIRouter(tags=["admin"])
_BUSY = threading.Lock()


class IngestRequest(BaseModel):
    """What to ingest from the server's data folder."""

    model_config = ConfigDict(extra="forbid")
    parts: list[str] = Field(default=["all"], min_length=1, max_length=8,
                             description="kg, records, resources, literature or all (see `medkg ingest --help`).")
    strict: bool = False
    limit: int | None = Field(default=None, ge=1, description="Read at most N rows per file (quick tries).")


@router.post("/ingest", response_model=dict[str, Any], summary="Ingest the server's data folder (admin keys)")
async def ingest(services: ServicesDep, caller: AdminDep, body: IngestRequest) -> dict[str, Any]:
    """The ingest report (counts per source, rejects). Parts are validated before anything is read."""
    from ingest import PARTS, expand_parts, run_ingest

    unknown = sorted(set(body.parts) - set(PARTS))
    if unknown:
        from medkg.errors import InputValidationError

        raise InputValidationError(f"unknown part(s) {', '.join(unknown)[:200]}; parts: {', '.join(PARTS)}")
    settings = services.settings
    if settings.data_dir is None:
        raise ConfigurationError("the server has no data folder (set MEDKG_DATA_DIR)")
    data_dir = settings.data_dir
    if not _BUSY.acquire(blocking=False):
        raise TooManyRequestsError("an ingest is already running; retry when it has finished", retry_after=60)
    try:
        def run() -> Any:
            return run_ingest(services.store.get(), data_dir, expand_parts(body.parts), settings=settings,
                              strict=body.strict, limit=body.limit)

        report = await anyio.to_thread.run_sync(run)
    finally:
        _BUSY.release()
    dumped: dict[str, Any] = report.model_dump(mode="json")
    return dumped

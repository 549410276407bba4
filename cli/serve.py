"""``medkg serve``: run the HTTP API (FastAPI app factory ``api.app:create_app``) with uvicorn."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from medkg.extras import require
from medkg.settings import get_settings

__all__ = ["APP_FACTORY", "serve"]

log = logging.getLogger(__name__)

APP_FACTORY = "api.app:create_app"


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (0.0.0.0 for every interface).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    reload: Annotated[bool, typer.Option("--reload", help="Restart when the code changes (development).")] = False,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Worker processes (each loads its own models; keep 1 on small hosts).")] = 1,
) -> None:
    """Serve the API: the chat page at /, OpenAI-compatible POST /v1/chat/completions and GET /v1/models,
    /v1/search, /v1/ask, /v1/consult, /v1/graph/..., /v1/allocate, /v1/allocate/emergency, /v1/patients/{pseudonym},
    /v1/ingest (admin), /healthz, /readyz, /metrics; OpenAPI docs at /docs. Keys: `medkg keys create`.
    Uses the store named by MEDKG_STORE (embedded by default, or neo4j). The access log names route templates
    and statuses only (uvicorn's own access log, which prints query strings, is off)."""
    uvicorn = require("uvicorn", "api")
    require("fastapi", "api")
    settings = get_settings()
    log.info("serving %s on http://%s:%d (store: %s)", APP_FACTORY, host, port, settings.store)
    if reload and workers > 1:
        raise typer.BadParameter("--reload and --workers > 1 cannot be combined", param_hint="--workers")
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, reload=reload, workers=workers,
                log_level=settings.log_level.lower(), access_log=False)

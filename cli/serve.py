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
) -> None:
    """Serve the API: /health, /graph/stats, /graph/search, /graph/nodes/ID and its neighbours, /browser/ (guide),
    POST /allocate and POST /allocate/emergency (solver plans with cited explanations);
    OpenAPI docs at /docs. Uses the store named by MEDKG_STORE (embedded by default, or neo4j)."""
    uvicorn = require("uvicorn", "api")
    require("fastapi", "api")
    settings = get_settings()
    log.info("serving %s on http://%s:%d (store: %s)", APP_FACTORY, host, port, settings.store)
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, reload=reload, log_level=settings.log_level.lower())

"""The FastAPI application factory. Run it with ``uvicorn api.app:create_app --factory`` (or ``medkg serve``).

Nothing happens at import time: :func:`create_app` reads the settings (when none are given) and the lifespan
opens the one graph store and closes it on shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI

from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.routers import allocate, browser, graph, health
from api.state import StoreFactory, StoreHolder, open_app_store
from medkg.errors import StoreUnavailableError
from medkg.settings import Settings, get_settings

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    store_factory: StoreFactory | None = None,
    store_retry_interval: float = 2.0,
) -> FastAPI:
    """A new API app. ``settings`` default to :func:`~medkg.settings.get_settings`; ``store_factory`` (default
    :func:`api.state.open_app_store`, i.e. :func:`kg.open_store`) opens the graph store named by the settings.

    If the store cannot be reached at start-up the app still starts: the failure is logged, every request that
    needs the store answers 503 with the reason, and a request at least ``store_retry_interval`` seconds after the
    last failed attempt tries to open it again.
    """
    cfg = settings if settings is not None else get_settings()
    factory: StoreFactory = store_factory if store_factory is not None else open_app_store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder = StoreHolder(cfg, factory, retry_interval=store_retry_interval)
        app.state.store_holder = holder
        app.state.solve_limiter = anyio.CapacityLimiter(allocate.MAX_CONCURRENT_SOLVES)
        try:
            await anyio.to_thread.run_sync(holder.get)
        except StoreUnavailableError as e:
            log.warning("graph store (%s) not reachable at start-up; requests get 503 until it is: %s", cfg.store, e)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(holder.close)

    app = FastAPI(
        title="medkg",
        summary="Knowledge-graph-augmented clinical reasoning: graph exploration and solver-backed allocation.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = cfg
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, prefix=allocate.router.prefix, limit=lambda: allocate.MAX_BODY_BYTES)
    app.include_router(health.router)
    app.include_router(graph.router)
    app.include_router(browser.router)
    app.include_router(allocate.router)
    return app

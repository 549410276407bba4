"""The FastAPI application factory. Run it with ``uvicorn api.app:create_app --factory`` (or ``medkg serve``).

Nothing happens at import time: :func:`create_app` reads the settings (when none are given) and the lifespan
builds the one :class:`~api.services.Services` object (graph store, lazily built retriever and engines, keys,
limits, audit log, metrics) and closes it on shutdown. Routers come from :data:`api.routers.ROUTERS`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI

from api.engines import Lazy, RetrieverLike, load_answer_engine, load_consultation
from api.errors import ERROR_RESPONSES, PROBLEM_MEDIA_TYPE, Problem, install_error_handlers
from api.limits import ApiLimits, BodySizeLimit
from api.observability import AuditLog, Metrics, ObservabilityMiddleware
from api.routers import ROUTERS, allocate
from api.security import KeyStore, RateLimiter
from api.services import EngineFactory, Services, SolverGate
from api.state import StoreFactory, StoreHolder, open_app_store
from medkg.errors import StoreUnavailableError
from medkg.logging import configure_logging
from medkg.settings import Settings, get_settings

__all__ = ["API_VERSION", "create_app"]

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"


def _load_retriever(settings: Settings, services: Services) -> RetrieverLike:
    from retrieval import HybridRetriever

    retriever: RetrieverLike = HybridRetriever.from_settings(settings, store=services.store.get())
    return retriever


def create_app(
    settings: Settings | None = None,
    *,
    store_factory: StoreFactory | None = None,
    store_retry_interval: float = 2.0,
    limits: ApiLimits | None = None,
    retriever_factory: EngineFactory | None = None,
    answer_factory: EngineFactory | None = None,
    consult_factory: EngineFactory | None = None,
) -> FastAPI:
    """A new API app. ``settings`` default to :func:`~medkg.settings.get_settings`; ``store_factory`` (default
    :func:`kg.open_store`) opens the graph store; the ``*_factory`` arguments (``(settings, services) -> object``)
    build the retriever, answer engine and consultation service on first use (tests pass fakes).

    If the store cannot be reached at start-up the app still starts: every request that needs the store
    answers 503 with the reason, and a request at least ``store_retry_interval`` seconds after the last failed
    attempt tries again, so the service recovers by itself when the store returns.
    """
    cfg = settings if settings is not None else get_settings()
    configure_logging(cfg.log_level)
    lim = limits if limits is not None else ApiLimits(max_question_chars=max(cfg.max_query_chars, 10))
    factory: StoreFactory = store_factory if store_factory is not None else open_app_store
    metrics = Metrics()
    audit = AuditLog(cfg.home / "audit" / "api.jsonl")

    box: dict[str, Services] = {}

    def lazy(build: EngineFactory, what: str) -> Lazy[Any]:
        return Lazy(lambda: build(cfg, box["services"]), what)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder = StoreHolder(cfg, factory, retry_interval=store_retry_interval)
        services = Services(
            settings=cfg,
            limits=lim,
            store=holder,
            retriever=lazy(retriever_factory or _load_retriever, "retriever"),
            answer=lazy(answer_factory or load_answer_engine, "answer engine"),
            consult=lazy(consult_factory or load_consultation, "consultation service"),
            keys=KeyStore(cfg.home / "keys" / "api_keys.json"),
            metrics=metrics,
            audit=audit,
            solver=SolverGate(1),
            key_rate=RateLimiter(lim.key_rate, lim.key_burst),
            anonymous_rate=RateLimiter(lim.anonymous_rate, lim.anonymous_burst),
        )
        app.state.services = box["services"] = services
        try:
            await anyio.to_thread.run_sync(holder.get)
        except StoreUnavailableError as e:
            log.warning("graph store (%s) not reachable at start-up; requests get 503 until it is: %s", cfg.store, e)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(services.close)

    app = FastAPI(
        title="medkg",
        summary="Knowledge-graph-augmented clinical reasoning: evidence search, cited answers and consultations, "
                "OpenAI-compatible chat, graph exploration and solver-backed allocation.",
        version=API_VERSION,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    install_error_handlers(app)

    def body_limit(path: str) -> int:
        return allocate.MAX_BODY_BYTES if "/allocate" in path else lim.max_body_bytes

    app.add_middleware(BodySizeLimit, limit_for=body_limit)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, audit=audit)
    for mount in ROUTERS:
        if mount.versioned:
            app.include_router(mount.router, prefix="/v1")
        if mount.alias or not mount.versioned:
            app.include_router(mount.router, include_in_schema=not mount.alias)
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The generated spec with every error status documented as problem+json (FastAPI's own 422 included)."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = base()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema()
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path_item in spec.get("paths", {}).values():
            for op in path_item.values():
                for code, resp in op.get("responses", {}).items():
                    if code.isdigit() and int(code) >= 400 and not _own_schema(resp):
                        resp["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
                        resp.setdefault("description", "Error")
                    if code in ("429", "503"):
                        resp.setdefault("headers", {})["Retry-After"] = {
                            "schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}
        app.openapi_schema = spec
        return spec

    return openapi


def _own_schema(resp: dict[str, Any]) -> bool:
    """True for an error response documented with a schema of its own (``/readyz``'s 503)."""
    content = resp.get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    return bool(ref) and not ref.endswith(("/HTTPValidationError", "/Problem"))

"""Access log, audit log and Prometheus metrics, written by one ASGI middleware after each response.

The access log (logger ``api.access``; uvicorn's own access log is switched off by ``medkg serve``) names the
method, the route *template* (``/v1/patients/{pseudonym}``, never the pseudonym), the status and the time:
never the query string or the body, so searched names never reach a log. The audit log is JSON lines in
``<home>/audit/api.jsonl``: when, who (key id and role, or ``anonymous``), method, route, status, and the patient
pseudonym where the route has one; never question text or patient details.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AuditLog", "Metrics", "ObservabilityMiddleware", "route_of"]

access_log = logging.getLogger("api.access")
log = logging.getLogger(__name__)


class Metrics:
    """The app's Prometheus metrics in a registry of its own (several apps in one process do not collide)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        buckets = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
        self.latency = Histogram("medkg_http_request_seconds", "HTTP request latency by route template.",
                                 ["method", "route", "status"], buckets=buckets, registry=self.registry)
        self.errors = Counter("medkg_http_errors_total", "HTTP responses with status >= 400.",
                              ["route", "status"], registry=self.registry)
        self.retrieval = Histogram("medkg_retrieval_seconds", "Evidence retrieval latency.", buckets=buckets,
                                   registry=self.registry)
        self.generation = Histogram("medkg_generation_seconds", "Answer/consultation generation latency.",
                                    ["kind"], buckets=buckets, registry=self.registry)
        self.tokens = Counter("medkg_generated_tokens_total", "Tokens (or streamed pieces) generated.",
                              registry=self.registry)
        self.queue_depth = Gauge("medkg_generation_queue_depth", "Generations running or waiting.",
                                 registry=self.registry)
        self.solver_busy = Gauge("medkg_solver_busy", "1 while a solve runs.", registry=self.registry)

    def render(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class AuditLog:
    """Appends one JSON line per request to ``path`` (thread-safe; a failed write is logged, never raised)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line)
        except OSError as e:
            log.error("audit log %s not writable: %s", self.path.name, type(e).__name__)


def route_of(scope: Scope) -> str:
    """The matched route's template, or ``<unmatched>`` (an unknown path is not logged as given)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not path:
        return "<unmatched>"
    # Routers included with prefix="/v1" keep their own path on the route object: put the version back.
    if str(scope.get("path", "")).startswith("/v1/") and not str(path).startswith("/v1"):
        return f"/v1{path}"
    return str(path)


class ObservabilityMiddleware:
    """Times each HTTP request and, once the response has started, writes the access line, the audit record and
    the metrics. The principal and pseudonym are read from ``scope['state']`` where the auth dependency put them."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, audit: AuditLog) -> None:
        self.app = app
        self.metrics = metrics
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self._record(scope, status["code"], time.perf_counter() - start)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route, method = route_of(scope), str(scope.get("method", ""))
        state = scope.get("state") or {}
        principal = state.get("principal")
        access_log.info("%s %s %d %.1f ms", method, route, status, seconds * 1000)
        self.metrics.latency.labels(method, route, str(status)).observe(seconds)
        if status >= 400:
            self.metrics.errors.labels(route, str(status)).inc()
        if route in ("/metrics", "/healthz", "/readyz"):
            return
        record: dict[str, Any] = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "key": getattr(principal, "key_id", None) or "anonymous",
            "role": getattr(principal, "role", None),
            "method": method,
            "route": route,
            "status": status,
            "ms": round(seconds * 1000, 1),
        }
        pseudonym = state.get("pseudonym")
        if pseudonym:
            record["pseudonym"] = pseudonym
        self.audit.write(record)

"""The one typed object the lifespan builds and every route reads through :mod:`api.deps`.

:class:`Services` holds the graph store (re-tried while it is down), the retriever, the answer engine and the
consultation service (each built once, on first use, since loading models takes seconds and a graph-only
deployment never needs them), the key store, rate limiter, solver gate, generation queue, audit log and metrics.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from api.engines import AnswerEngineLike, ConsultLike, Lazy, RetrieverLike
from api.errors import ServiceBusyError, TooManyRequestsError
from api.limits import ApiLimits
from api.observability import AuditLog, Metrics
from api.security import KeyStore, RateLimiter
from api.state import StoreHolder
from medkg.settings import Settings

__all__ = ["EngineFactory", "GenerationQueue", "Services", "SolverGate"]

EngineFactory = Callable[[Settings, Any], Any]  # (settings, services) -> engine


class SolverGate:
    """One solve at a time. A request that finds the solver busy is answered 429 at once, with ``Retry-After`` the
    seconds left of the running solve's time limit, instead of queueing silently behind it."""

    def __init__(self, slots: int = 1) -> None:
        self._sem = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._busy_until = 0.0

    @contextmanager
    def slot(self, time_limit: float) -> Any:
        if not self._sem.acquire(blocking=False):
            with self._lock:
                left = max(1.0, self._busy_until - time.monotonic())
            raise TooManyRequestsError(
                f"the solver is busy with another request for up to {left:.0f} s more; retry then", retry_after=left)
        with self._lock:
            self._busy_until = time.monotonic() + time_limit + 1.0
        try:
            yield
        finally:
            self._sem.release()

    @property
    def busy(self) -> bool:
        if self._sem.acquire(blocking=False):
            self._sem.release()
            return False
        return True


class GenerationQueue:
    """At most ``slots`` generations run and at most ``waiting`` wait; one more is refused with 503 and
    ``Retry-After``; a waiting one gives up after ``wait_s`` (503). ``depth`` feeds the queue-depth gauge."""

    def __init__(self, slots: int, waiting: int, wait_s: float, on_depth: Callable[[int], None]) -> None:
        self._sem = threading.Semaphore(slots)
        self._slots, self._waiting, self._wait_s = slots, waiting, wait_s
        self._lock = threading.Lock()
        self._depth = 0
        self._on_depth = on_depth

    @property
    def depth(self) -> int:
        return self._depth

    def _change(self, d: int) -> None:
        with self._lock:
            self._depth += d
            self._on_depth(self._depth)

    def enter(self) -> None:
        """Take a slot (blocking up to ``wait_s``; call from a worker thread) or raise :class:`ServiceBusyError`."""
        with self._lock:
            if self._depth >= self._slots + self._waiting:
                raise ServiceBusyError(f"{self._depth} generations are running or queued (the most is "
                                       f"{self._slots + self._waiting}); retry shortly", retry_after=10)
            self._depth += 1
            self._on_depth(self._depth)
        if not self._sem.acquire(timeout=self._wait_s):
            self._change(-1)
            raise ServiceBusyError(f"no generation slot freed within {self._wait_s:.0f} s; retry shortly",
                                   retry_after=10)

    def leave(self) -> None:
        self._sem.release()
        self._change(-1)

    @contextmanager
    def slot(self) -> Any:
        self.enter()
        try:
            yield
        finally:
            self.leave()


@dataclass
class Services:
    """Everything the routes use, built once per app by the lifespan."""

    settings: Settings
    limits: ApiLimits
    store: StoreHolder
    retriever: Lazy[RetrieverLike]
    answer: Lazy[AnswerEngineLike]
    consult: Lazy[ConsultLike]
    keys: KeyStore
    metrics: Metrics
    audit: AuditLog
    solver: SolverGate = field(default_factory=SolverGate)
    key_rate: RateLimiter = field(default_factory=lambda: RateLimiter(5.0, 20))
    anonymous_rate: RateLimiter = field(default_factory=lambda: RateLimiter(2.0, 10))
    generation: GenerationQueue | None = None
    started: float = field(default_factory=time.time)

    def queue(self) -> GenerationQueue:
        if self.generation is None:
            lim = self.limits
            self.generation = GenerationQueue(lim.generation_slots, lim.generation_queue, lim.generation_wait_s,
                                              self.metrics.queue_depth.set)
        return self.generation

    def close(self) -> None:
        for lazy in (self.answer, self.consult, self.retriever):
            lazy.close()
        self.store.close()

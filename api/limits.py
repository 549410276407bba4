"""The API's limits (:class:`ApiLimits`) and the request-body size limit, enforced before the body is read.

FastAPI reads a JSON body completely before any dependency runs, so a size check in a dependency comes too
late to protect memory. This pure ASGI middleware answers 413 at once when the declared ``Content-Length``
is over the limit; otherwise it reads the body itself, answers 413 as soon as the bytes received pass the
limit (a chunked body has no length to check), and hands the app the body it read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RequestTooLargeError, error_response

__all__ = ["ApiLimits", "BodySizeLimit", "too_large_message"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiLimits:
    """Every limit the API enforces, in one place (documented in docs/api.md; tests shrink them)."""

    max_body_bytes: int = 256 * 1024  # ask, consult, search, chat: a question and its history
    # allocation bodies: api.routers.allocate.MAX_BODY_BYTES (they carry whole wards and plans)
    max_question_chars: int = 4000  # one question or chat turn
    max_messages: int = 64  # chat history turns
    max_tokens: int = 512  # generation budget a caller may ask for
    default_max_tokens: int = 256
    key_rate: float = 5.0  # requests a second, per key, on average
    key_burst: int = 20
    anonymous_rate: float = 2.0  # per client address while no key exists
    anonymous_burst: int = 10
    generation_slots: int = 1  # generations running at once (2 CPU cores)
    generation_queue: int = 4  # more waiting than this: 503 with Retry-After
    generation_wait_s: float = 30.0  # a queued generation gives up (503) after this
    anonymous_max_solve_s: float = 10.0  # cap on time_limit for anonymous callers (solve time is shared)
    max_solve_s: float = 120.0  # cap for key holders


def too_large_message(size: int, limit: int, *, at_least: bool = False) -> str:
    """The 413 message: the size seen, the limit, what to do."""
    seen = f"more than {limit:,}" if at_least else f"{size:,}"
    return (f"request body is {seen} bytes; at most {limit:,} are accepted "
            "(split the request, e.g. by department or week)")


class BodySizeLimit:
    """Limits the body of each request to ``limit_for(path)`` bytes (read per request, so the limit may follow
    a module constant); ``None`` means the path has no body limit of its own."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int | None]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(str(scope.get("path", ""))) if scope["type"] == "http" else None
        if limit is None or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            log.info("%s %s -> 413 (Content-Length %s)", scope.get("method"), scope.get("path"), int(declared))
            response = error_response(413, RequestTooLargeError.__name__, too_large_message(int(declared), limit))
            await response(scope, receive, send)
            return
        chunks: list[bytes] = []  # read here, up to the limit, then replayed to the app in one message
        received, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([], message, receive), send)
                return
            body = message.get("body", b"")
            received += len(body)
            if received > limit:
                log.info("%s %s -> 413 (body over %d bytes)", scope.get("method"), scope.get("path"), limit)
                response = error_response(413, RequestTooLargeError.__name__,
                                          too_large_message(received, limit, at_least=True))
                await response(scope, receive, send)
                return
            chunks.append(body)
            more = bool(message.get("more_body", False))
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], None, receive), send)


def _replay(first: list[Message], then: Message | None, receive: Receive) -> Receive:
    """A receive that returns ``first``'s messages, then ``then`` (if any), then the real receive's."""
    queue = [*first, *([then] if then is not None else [])]

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay

"""Request-body size limit for chosen routes, enforced before the body is read into memory.

FastAPI reads a JSON body completely before any dependency runs, so a size check in a dependency comes too
late to protect memory. This pure ASGI middleware answers 413 at once when the declared ``Content-Length``
is over the limit; otherwise it reads the body itself, answers 413 as soon as the bytes received pass the
limit (a chunked body has no length to check), and hands the app the body it read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RequestTooLargeError, error_response

__all__ = ["BodySizeLimit", "too_large_message"]

log = logging.getLogger(__name__)


def too_large_message(size: int, limit: int, *, at_least: bool = False) -> str:
    """The 413 message: the size seen, the limit, what to do."""
    seen = f"more than {limit:,}" if at_least else f"{size:,}"
    return (f"request body is {seen} bytes; at most {limit:,} are accepted "
            "(split the request, e.g. by department or week)")


class BodySizeLimit:
    """Limits the body of requests whose path starts with ``prefix`` to ``limit()`` bytes (read per request, so
    the limit may be a module constant)."""

    def __init__(self, app: ASGIApp, *, prefix: str, limit: Callable[[], int]) -> None:
        self.app = app
        self.prefix = prefix
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        limit = self.limit()
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

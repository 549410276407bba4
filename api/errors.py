"""One error body everywhere: ``application/problem+json`` (RFC 9457) with medkg's ``error``/``message`` members.

Every error the API sends, its own and the framework's (400 unparseable body, 404 unknown route, 405 wrong method,
422 invalid request, 500 unexpected failure), has the :class:`Problem` body and the ``application/problem+json``
media type. Statuses of :class:`~medkg.errors.MedkgError` subclasses: NotFoundError → 404, PermissionDeniedError →
403, AuthenticationError → 401, RequestTooLargeError → 413, TooManyRequestsError → 429, InputValidationError → 422,
StoreUnavailableError / ModelUnavailableError / ServiceBusyError → 503, any other MedkgError → 500 (its message,
never a traceback). 429 and 503 carry ``Retry-After``. Messages never show a server file path.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.observability import route_of
from medkg.errors import (
    InputValidationError,
    MedkgError,
    ModelUnavailableError,
    NotFoundError,
    StoreUnavailableError,
)

__all__ = [
    "ERROR_RESPONSES",
    "ERROR_STATUS",
    "PROBLEM_MEDIA_TYPE",
    "RETRY_AFTER_S",
    "AuthenticationError",
    "PermissionDeniedError",
    "Problem",
    "RequestTooLargeError",
    "ServiceBusyError",
    "TooManyRequestsError",
    "error_response",
    "install_error_handlers",
    "scrub_paths",
    "status_for",
]

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_S = 5


class RequestTooLargeError(InputValidationError):
    """The request is over one of the API's size limits (body bytes, patients): 413, the message names the limit."""


class AuthenticationError(MedkgError):
    """No valid API key was sent where one is required: 401."""


class PermissionDeniedError(MedkgError):
    """The key's role may not use this route: 403 (a patient route says nothing about the patient)."""


class _RetryableError(MedkgError):
    """An error the client may retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float = RETRY_AFTER_S) -> None:
        super().__init__(message)
        self.retry_after = max(1, round(retry_after))


class TooManyRequestsError(_RetryableError):
    """The key (or anonymous client) is over its rate limit, or the solver is busy: 429 with Retry-After."""


class ServiceBusyError(_RetryableError):
    """The bounded generation queue is full: 503 with Retry-After."""


ERROR_STATUS: dict[type[MedkgError], int] = {
    NotFoundError: 404,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    RequestTooLargeError: 413,
    InputValidationError: 422,
    TooManyRequestsError: 429,
    StoreUnavailableError: 503,
    ModelUnavailableError: 503,
    ServiceBusyError: 503,
    MedkgError: 500,
}

_TITLES = {
    400: "Bad request", 401: "API key required", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    413: "Request too large", 422: "Invalid request", 429: "Too many requests", 500: "Internal error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """The body of every error response (``application/problem+json``, RFC 9457), with ``error`` and ``message``
    as medkg's own members (the error class and the same text as ``detail``)."""

    type: str = Field(description="A URI naming the error class, e.g. urn:medkg:error:NotFoundError.")
    title: str = Field(description="Short summary of the status, e.g. 'Not found'.")
    status: int
    detail: str = Field(description="What is wrong and what to do; never a traceback; a 5xx never shows a server path.")
    error: str = Field(description="Error class, e.g. NotFoundError, InputValidationError, StoreUnavailableError.")
    message: str = Field(description="Same as detail.")


def _problem_content(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}}


# Listed on every route (FastAPI(responses=...)), so the OpenAPI spec documents each status any route may send.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_content("The body is not parseable JSON."),
    401: _problem_content("An API key is required (Authorization: Bearer <key>) and none or an unknown one was sent."),
    403: _problem_content("The key's role may not use this route."),
    404: _problem_content("No such route or object."),
    405: _problem_content("The route does not accept this method."),
    413: _problem_content("Over a size limit (body bytes, patients, question length); the message names it."),
    422: _problem_content("Invalid request; the message names the field and why."),
    429: _problem_content("Rate limit reached or the solver is busy; retry after Retry-After seconds."),
    500: _problem_content("Unexpected failure (reported without a traceback)."),
    503: _problem_content("The graph store, a model or the generation queue is unavailable; retry after Retry-After."),
}

_PATH = re.compile(r"(?<![\w:/])(?:/[\w.@+~-]+){2,}/?")


def scrub_paths(message: str) -> str:
    """``message`` with every absolute file path replaced by its last component (no server layout leaks)."""
    return _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], message)


def status_for(exc: MedkgError) -> int:
    """HTTP status of a medkg error: the entry of the nearest class in its MRO."""
    for cls in type(exc).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500  # unreachable: MedkgError itself is in the table


def error_response(
    status: int, error: str, message: str, *, retry_after: int | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A problem+json response (429/503 also say when to retry)."""
    text = scrub_paths(message) if status >= 500 else message
    body = Problem(type=f"urn:medkg:error:{error}", title=_TITLES.get(status, "Error"), status=status, detail=text,
                   error=error, message=text)
    out = dict(headers or {})
    if status in (429, 503):
        out["Retry-After"] = str(retry_after if retry_after is not None else RETRY_AFTER_S)
    return JSONResponse(status_code=status, content=body.model_dump(), headers=out or None,
                        media_type=PROBLEM_MEDIA_TYPE)


async def _medkg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MedkgError)
    status = status_for(exc)
    if status >= 500:  # the route template, never the path as sent (it may hold a searched name)
        log.error("%s %s failed: %s: %s", request.method, route_of(request.scope), type(exc).__name__,
                  scrub_paths(str(exc)))
    else:
        log.info("%s %s -> %d %s", request.method, route_of(request.scope), status, type(exc).__name__)
    retry = getattr(exc, "retry_after", None)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return error_response(status, type(exc).__name__, str(exc), retry_after=retry, headers=headers)


def _loc(err: Any) -> str:
    return ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))


async def _request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(err.get("type") == "json_invalid" for err in errors):
        detail = next(str(e.get("ctx", {}).get("error", "")) for e in errors if e.get("type") == "json_invalid")
        return error_response(400, "MalformedBodyError", f"the body is not valid JSON ({detail or 'decode error'})")
    parts = []
    for err in errors:
        loc = _loc(err)
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")  # a model validator's own message
        parts.append(f"{loc}: {msg}" if loc else msg)
    return error_response(422, "RequestValidationError", "; ".join(parts) or "invalid request")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = f"no route {request.url.path[:200]!r}; see /docs for the routes"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path[:200]!r}"
    else:
        message = str(exc.detail)
    name = {404: "RouteNotFoundError", 405: "MethodNotAllowedError", 400: "MalformedBodyError"}.get(status, "HTTPError")
    headers = dict(exc.headers or {})
    if status == 405:  # every method the path accepts, not only those of the first route that matched it
        allowed = _allowed_methods(request)
        if allowed:
            headers = {k: v for k, v in headers.items() if k.lower() != "allow"} | {"Allow": ", ".join(allowed)}
    return error_response(status, name, message, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI spec documents for the request's path (routes of one path may be separate)."""
    path = request.url.path
    methods: set[str] = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) or (
                "{node_id}" in template and re.fullmatch(re.escape(template).replace(r"\{node_id\}", ".+"), path)):
            methods |= {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete", "head", "options")}
    return sorted(methods)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed unexpectedly: %s", request.method, route_of(request.scope), type(exc).__name__)
    return error_response(500, "InternalError", "the server failed on this request; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app`` (medkg errors, request validation, framework HTTP errors, anything else)."""
    app.add_exception_handler(MedkgError, _medkg_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

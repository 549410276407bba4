"""Exception handlers: each :class:`~medkg.errors.MedkgError` becomes a JSON :class:`ErrorResponse` with its status.

NotFoundError → 404, RequestTooLargeError → 413, InputValidationError → 422, StoreUnavailableError /
ModelUnavailableError → 503, any other MedkgError → 500 (its message, never a traceback). FastAPI's own request
validation errors get the same body shape.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.models import ErrorResponse
from medkg.errors import (
    InputValidationError,
    MedkgError,
    ModelUnavailableError,
    NotFoundError,
    StoreUnavailableError,
)

__all__ = [
    "ERROR_STATUS",
    "RETRY_AFTER_S",
    "RequestTooLargeError",
    "error_response",
    "install_error_handlers",
    "status_for",
]

log = logging.getLogger(__name__)


class RequestTooLargeError(InputValidationError):
    """The request is over one of the API's size limits (body bytes, patients): 413, the message names the limit."""

# Most specific first is not needed: status_for walks the exception's MRO and takes the first class listed here.
ERROR_STATUS: dict[type[MedkgError], int] = {
    NotFoundError: 404,
    RequestTooLargeError: 413,
    InputValidationError: 422,
    StoreUnavailableError: 503,
    ModelUnavailableError: 503,
    MedkgError: 500,
}


def status_for(exc: MedkgError) -> int:
    """HTTP status of a medkg error: the entry of the nearest class in its MRO."""
    for cls in type(exc).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500  # unreachable: MedkgError itself is in the table


RETRY_AFTER_S = 5


def error_response(status: int, error: str, message: str) -> JSONResponse:
    """A JSON error response with the :class:`ErrorResponse` body (503s also say when to retry)."""
    body = ErrorResponse(error=error, message=message, status=status)
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


async def _medkg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MedkgError)
    status = status_for(exc)
    if status >= 500:
        log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    else:
        log.info("%s %s -> %d %s", request.method, request.url.path, status, type(exc).__name__)
    return error_response(status, type(exc).__name__, str(exc))


async def _request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")  # a model validator's own message
        parts.append(f"{loc}: {msg}" if loc else msg)
    return error_response(422, "RequestValidationError", "; ".join(parts) or "invalid request")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(MedkgError, _medkg_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)

"""FastAPI dependencies: the app's :class:`~api.services.Services` and what routes take from it, as ``Annotated``
aliases, and the caller (``Authorization: Bearer <key>``) with the role checks and the per-key rate limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from api.errors import AuthenticationError, PermissionDeniedError, TooManyRequestsError
from api.limits import ApiLimits
from api.security import ANONYMOUS, Principal, role_at_least
from api.services import Services, SolverGate
from api.state import StoreHolder
from kg import GraphStore
from medkg.settings import Settings

__all__ = [
    "AdminDep",
    "CallerDep",
    "ClinicianDep",
    "LimitsDep",
    "ReaderDep",
    "ServicesDep",
    "SettingsDep",
    "SolverDep",
    "StoreDep",
    "StoreHolderDep",
    "authenticate",
    "get_services",
    "require",
]


def get_services(request: Request) -> Services:
    """The services the lifespan built."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_app_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_store_holder(services: ServicesDep) -> StoreHolder:
    return services.store


def get_store(services: ServicesDep) -> GraphStore:
    """The open graph store; :class:`~medkg.errors.StoreUnavailableError` (→ 503) when it cannot be reached."""
    return services.store.get()


def get_limits(services: ServicesDep) -> ApiLimits:
    return services.limits


def get_solver(services: ServicesDep) -> SolverGate:
    return services.solver


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreHolderDep = Annotated[StoreHolder, Depends(get_store_holder)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
LimitsDep = Annotated[ApiLimits, Depends(get_limits)]
SolverDep = Annotated[SolverGate, Depends(get_solver)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <key>'")
    return token.strip()


def authenticate(request: Request, services: ServicesDep) -> Principal:
    """The caller: a valid key's principal, or the anonymous reader while no key exists (401 otherwise). Takes one
    token of the caller's rate limit (429 with Retry-After when none is left)."""
    token = _bearer(request)
    if token is not None:
        principal = services.keys.verify(token)
        if principal is None:
            raise AuthenticationError("unknown or revoked API key")
        wait = services.key_rate.take(principal.key_id)
    elif services.keys.any_active():
        raise AuthenticationError("an API key is required: send 'Authorization: Bearer <key>' "
                                  "(an admin creates one with `medkg keys create --role reader`)")
    else:
        principal = ANONYMOUS
        client = request.client.host if request.client else "unknown"
        wait = services.anonymous_rate.take(f"anon:{client}")
    request.state.principal = principal
    if wait > 0:
        raise TooManyRequestsError(f"rate limit reached for {principal.key_id}; retry in {wait:.1f} s",
                                   retry_after=wait)
    return principal


CallerDep = Annotated[Principal, Depends(authenticate)]


def require(role: str) -> Callable[..., Any]:
    """A dependency admitting callers of ``role`` or above (403 otherwise)."""

    def check(principal: CallerDep) -> Principal:
        if not role_at_least(principal.role, role):
            raise PermissionDeniedError(f"this route needs a {role} key; yours is a {principal.role} key")
        return principal

    check.__name__ = f"require_{role}"
    return check


ReaderDep = Annotated[Principal, Depends(require("reader"))]
ClinicianDep = Annotated[Principal, Depends(require("clinician"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]

"""FastAPI dependencies: the app's settings and its one graph store, as ``Annotated`` aliases for endpoints."""

from __future__ import annotations

from typing import Annotated

from anyio import CapacityLimiter
from fastapi import Depends, Request

from api.state import StoreHolder
from kg import GraphStore
from medkg.settings import Settings

__all__ = [
    "SettingsDep",
    "SolveLimiterDep",
    "StoreDep",
    "StoreHolderDep",
    "get_app_settings",
    "get_solve_limiter",
    "get_store",
    "get_store_holder",
]


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store_holder(request: Request) -> StoreHolder:
    """The app's :class:`StoreHolder` (set by the lifespan)."""
    holder: StoreHolder = request.app.state.store_holder
    return holder


def get_store(holder: Annotated[StoreHolder, Depends(get_store_holder)]) -> GraphStore:
    """The open graph store; :class:`~medkg.errors.StoreUnavailableError` (→ 503) when it cannot be reached."""
    return holder.get()


def get_solve_limiter(request: Request) -> CapacityLimiter:
    """The app's limit on concurrent solver runs (set by the lifespan)."""
    limiter: CapacityLimiter = request.app.state.solve_limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreHolderDep = Annotated[StoreHolder, Depends(get_store_holder)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
SolveLimiterDep = Annotated[CapacityLimiter, Depends(get_solve_limiter)]

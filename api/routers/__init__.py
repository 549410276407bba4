"""Every route group, registered from :data:`ROUTERS` (a new group is one new module and one line here).

Each entry: the router, whether it is mounted under ``/v1``, and whether it is also mounted at 0.1's unversioned
path as an undocumented alias (``/graph/...``, ``/allocate``, ``/health``: kept working, see docs/api.md).
"""

from __future__ import annotations

from typing import NamedTuple

from fastapi import APIRouter

from api.routers import allocate, ask, browser, chat, graph, health, ingest, page, patients, search

__all__ = ["ROUTERS", "Mount"]


class Mount(NamedTuple):
    router: APIRouter
    versioned: bool
    alias: bool = False


ROUTERS: tuple[Mount, ...] = (
    Mount(health.router, versioned=False),
    Mount(health.legacy, versioned=False, alias=True),
    Mount(search.router, versioned=True),
    Mount(ask.router, versioned=True),
    Mount(chat.router, versioned=True),
    Mount(graph.router, versioned=True),
    Mount(graph.legacy, versioned=False, alias=True),
    Mount(allocate.router, versioned=True, alias=True),
    Mount(patients.router, versioned=True),
    Mount(ingest.router, versioned=True),
    Mount(browser.router, versioned=False),
    Mount(page.router, versioned=False),
)

"""``GET /``: the built-in chat page (static HTML and JS, no build step), served from ``api/static``."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

__all__ = ["router"]

router = APIRouter(tags=["chat page"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page() -> HTMLResponse:
    """The chat page: streamed answers, red flags first, clickable citations."""
    html = resources.files("api").joinpath("static/chat.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

"""``/browser/*``: the Neo4j Browser guide, saved queries and style, served with CORS headers.

Neo4j Browser (http://localhost:7474) fetches remote guides and styles cross-origin, sending ``Pragma`` and
``Cache-Control`` request headers, so the browser preflights with ``OPTIONS``. Only these static, public files
carry ``Access-Control-Allow-Origin: *``; the graph endpoints do not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel

from api.models import ErrorResponse
from kg.browser import GUIDE_FILE, GUIDE_HTML, STYLE_FILE, browser_files, render_guide_html
from medkg.errors import NotFoundError

__all__ = ["CORS_HEADERS", "BrowserIndexResponse", "router"]

router = APIRouter(prefix="/browser", tags=["neo4j-browser"])

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "600",
}

_MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".adoc": "text/plain; charset=utf-8",
    ".cypher": "text/plain; charset=utf-8",
    ".grass": "text/plain; charset=utf-8",
}

FileName = Annotated[str, Path(pattern=r"^[\w.-]+$", description="A file listed by GET /browser/.")]


class BrowserIndexResponse(BaseModel):
    """``GET /browser/``: what can be fetched, and the Browser commands that use it."""

    guide: str
    guide_html: str
    style: str
    files: list[str]
    play_command: str
    style_command: str


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/browser"


@router.get("/", response_model=BrowserIndexResponse)
def index(request: Request, response: Response) -> BrowserIndexResponse:
    """The guide, style and saved-query files, with the ``:guide`` / ``:style`` commands to paste into Browser."""
    response.headers.update(CORS_HEADERS)
    base = _base(request)
    files = sorted([*browser_files(), GUIDE_HTML])
    return BrowserIndexResponse(
        guide=f"{base}/{GUIDE_FILE}",
        guide_html=f"{base}/{GUIDE_HTML}",
        style=f"{base}/{STYLE_FILE}",
        files=files,
        play_command=f":guide {base}/{GUIDE_HTML}",
        style_command=f":style {base}/{STYLE_FILE}",
    )


@router.options("/{name}", status_code=204, response_class=Response)
def preflight(name: FileName) -> Response:
    """CORS preflight for the guide/style fetches."""
    return Response(status_code=204, headers=CORS_HEADERS)


@router.get(
    "/{name}",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}, "text/html": {}}}, 404: {"model": ErrorResponse}},
)
def browser_file(name: FileName) -> Response:
    """One file: the AsciiDoc guide, its HTML rendering (``medkg-guide.html``), a saved query, or the style."""
    files = browser_files()
    if name == GUIDE_HTML:
        text = render_guide_html(files[GUIDE_FILE].read_text(encoding="utf-8"))
        suffix = ".html"
    elif name in files:
        text = files[name].read_text(encoding="utf-8")
        suffix = files[name].suffix
    else:
        raise NotFoundError(f"no Browser file {name!r}; available: {', '.join(sorted([*files, GUIDE_HTML]))}")
    return Response(content=text, media_type=_MEDIA[suffix], headers=CORS_HEADERS)

"""The Neo4j Browser guide: its AsciiDoc source, the code blocks in it, and an HTML rendering Browser 5 can play.

Neo4j Browser 5 plays remote guides with ``:guide <url>`` / ``:play <url>``; it renders HTML (one ``<slide>`` per
page, ``<pre class="code runnable">`` blocks that load into the editor on click) and Markdown, while newer Browser
and Query-tool releases take AsciiDoc. We keep one AsciiDoc source (``medkg-guide.adoc``) and render the small
subset it uses to HTML here: ``= title``, ``== slide``, paragraphs, ``* lists``, ``NOTE:``, ``[source,lang]`` +
``----`` blocks, inline ```code```, ``*bold*`` and ``url[text]`` links.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "BROWSER_SUFFIXES",
    "GUIDE_FILE",
    "GUIDE_HTML",
    "STYLE_FILE",
    "GuideBlock",
    "browser_dir",
    "browser_files",
    "guide_blocks",
    "render_guide_html",
]

GUIDE_FILE = "medkg-guide.adoc"
GUIDE_HTML = "medkg-guide.html"
STYLE_FILE = "medkg.grass"
BROWSER_SUFFIXES = (".adoc", ".cypher", ".grass")


class GuideBlock(NamedTuple):
    """One ``[source,<language>]`` block of the guide and the slide (``==`` title) it is on."""

    slide: str
    language: str
    text: str


def browser_dir() -> Path:
    """The folder holding the guide, the saved ``.cypher`` queries and the ``.grass`` style."""
    return Path(__file__).resolve().parent


def browser_files() -> dict[str, Path]:
    """The servable files by name (guide, saved queries, style), sorted."""
    return {p.name: p for p in sorted(browser_dir().iterdir()) if p.is_file() and p.suffix in BROWSER_SUFFIXES}


_SOURCE = re.compile(r"^\[source\s*,\s*([\w-]+)[^\]]*\]\s*$")
_FENCE = "----"


def guide_blocks(adoc: str) -> list[GuideBlock]:
    """Every ``[source,lang]`` block, in order, with its slide title."""
    blocks: list[GuideBlock] = []
    slide = ""
    lines = adoc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("== "):
            slide = line[3:].strip()
        m = _SOURCE.match(line)
        if m and i + 1 < len(lines) and lines[i + 1].strip() == _FENCE:
            end = i + 2
            while end < len(lines) and lines[end].strip() != _FENCE:
                end += 1
            blocks.append(GuideBlock(slide, m.group(1).lower(), "\n".join(lines[i + 2 : end])))
            i = end + 1
            continue
        i += 1
    return blocks


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_LINK = re.compile(r"(https?://[^\s\[]+)\[([^\]]*)\]")


def _inline(text: str) -> str:
    """Escape, then apply the inline markup (code spans are protected from the other rules)."""
    codes: list[str] = []

    def keep(m: re.Match[str]) -> str:
        codes.append(f"<code>{html.escape(m.group(1))}</code>")
        return f"\x00{len(codes) - 1}\x00"

    t = _CODE.sub(keep, text)
    t = html.escape(t)
    t = _LINK.sub(lambda m: f'<a href="{m.group(1)}" target="_blank">{m.group(2) or m.group(1)}</a>', t)
    t = _BOLD.sub(r"<b>\1</b>", t)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], t)


def render_guide_html(adoc: str) -> str:
    """The guide as Browser-playable HTML: an ``<article class="guide">`` with one ``<slide>`` per ``==`` section."""
    title = "medkg"
    slides: list[tuple[str, list[str]]] = []
    body: list[str] | None = None
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if body is None:
            para.clear()
            items.clear()
            return
        if para:
            text = " ".join(para)
            if text.startswith("NOTE: "):
                body.append(f'<p class="lead"><b>Note:</b> {_inline(text[6:])}</p>')
            else:
                body.append(f"<p>{_inline(text)}</p>")
            para.clear()
        if items:
            body.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in items) + "</ul>")
            items.clear()

    lines = adoc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        m = _SOURCE.match(line)
        if m and i + 1 < len(lines) and lines[i + 1].strip() == _FENCE:
            flush()
            block, i = _source_block(lines, i + 2, m.group(1).lower())
            if body is not None:
                body.append(block)
            continue
        if line.startswith("= "):
            title = line[2:].strip()
        elif line.startswith("== "):
            flush()
            body = []
            slides.append((line[3:].strip(), body))
        elif line.startswith("//") or re.match(r"^:[\w-]+:", line):
            pass  # AsciiDoc comment or document attribute
        elif not line.strip():
            flush()
        elif line.startswith("* "):
            if para:
                flush()
            items.append(line[2:].strip())
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            para.append(line.strip())
        i += 1
    flush()
    return _page(title, slides)


def _source_block(lines: list[str], start: int, lang: str) -> tuple[str, int]:
    """The ``<pre>`` of a ``[source,lang]`` block whose code starts at ``lines[start]``; the line after its fence."""
    end = start
    while end < len(lines) and lines[end].strip() != _FENCE:
        end += 1
    code = html.escape("\n".join(lines[start:end]), quote=False)
    cls = "code runnable pre-scrollable" if lang == "cypher" else "code"
    return f'<pre class="{cls}" data-lang="{lang}">{code}</pre>', end + 1


def _page(title: str, slides: list[tuple[str, list[str]]]) -> str:
    """The Browser guide page: a title and a carousel of one slide per section."""
    parts = [f"<title>{html.escape(title)}</title>", '<article class="guide">']
    parts.append('<carousel class="deck container-fluid">')
    for name, content in slides:
        parts.append('<slide class="row-fluid">')
        parts.append(f'<div class="col-sm-12"><h3>{html.escape(name)}</h3>')
        parts.extend(content)
        parts.append("</div></slide>")
    parts += ["</carousel>", "</article>"]
    return "\n".join(parts) + "\n"

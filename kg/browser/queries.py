"""The saved Browser queries (``*.cypher``): one query per file, a comment header naming its parameters.

Header format (each file): the first line ``// <title>`` (Browser shows it as the favourite's name), further
``//`` lines describing the query, and one ``// :params {name: value, ...}`` line with working example values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.browser.guide import browser_dir
from kg.browser.params import ParamValue, parse_param_command

__all__ = ["SavedQuery", "load_saved_queries", "parse_saved_query", "query_parameters"]

_PARAM = re.compile(r"\$([A-Za-z_]\w*)")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_COMMENT = re.compile(r"//[^\n]*")


@dataclass(frozen=True)
class SavedQuery:
    """One ``.cypher`` file."""

    name: str
    title: str
    header: list[str]
    params: dict[str, ParamValue] = field(default_factory=dict)
    body: str = ""


def query_parameters(cypher: str) -> set[str]:
    """The ``$parameters`` a query uses (ignoring comments and string literals)."""
    code = _STRING.sub("''", _COMMENT.sub("", cypher))
    return set(_PARAM.findall(code))


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Split a ``.cypher`` file into its comment header (title, ``:params`` example) and query body."""
    lines = text.strip().splitlines()
    header: list[str] = []
    while lines and lines[0].startswith("//"):
        header.append(lines.pop(0)[2:].strip())
    params: dict[str, ParamValue] = {}
    for h in header:
        if h.startswith(":param"):
            params.update(parse_param_command(h))
    title = header[0] if header else name
    return SavedQuery(name=name, title=title, header=header, params=params, body="\n".join(lines).strip())


def load_saved_queries() -> list[SavedQuery]:
    """Every ``*.cypher`` file next to the guide, sorted by name."""
    return [
        parse_saved_query(p.stem, p.read_text(encoding="utf-8")) for p in sorted(browser_dir().glob("*.cypher"))
    ]

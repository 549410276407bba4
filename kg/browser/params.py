"""Parse the Cypher literals Neo4j Browser's ``:params {...}`` / ``:param k => v`` commands take (no expressions)."""

from __future__ import annotations

import re

from medkg.errors import InputValidationError

__all__ = ["ParamValue", "parse_cypher_literal", "parse_param_command"]

ParamValue = str | int | float | bool | None | list["ParamValue"] | dict[str, "ParamValue"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z_0-9]*|`[^`]+`)
      | (?P<punct>[\[\]{},:])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise InputValidationError(f"cannot parse Cypher literal at {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok[0] == "end" or (value is not None and tok[1] != value):
            raise InputValidationError(f"expected {value or 'a value'} in Cypher literal, got {tok[1] or 'end'!r}")
        self.i += 1
        return tok

    def value(self) -> ParamValue:
        kind, text = self.take()
        if kind == "str":
            body = text[1:-1]
            return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)
        if kind == "num":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "word":
            low = text.lower()
            if low in ("true", "false"):
                return low == "true"
            if low == "null":
                return None
            raise InputValidationError(f"only literals are supported, not {text!r}")
        if text == "[":
            items: list[ParamValue] = []
            while self.peek()[1] != "]":
                items.append(self.value())
                if self.peek()[1] == ",":
                    self.take(",")
            self.take("]")
            return items
        if text == "{":
            return self.map_body()
        raise InputValidationError(f"unexpected {text!r} in Cypher literal")

    def map_body(self) -> dict[str, ParamValue]:
        out: dict[str, ParamValue] = {}
        while self.peek()[1] != "}":
            kind, key = self.take()
            if kind not in ("word", "str"):
                raise InputValidationError(f"map key expected, got {key!r}")
            self.take(":")
            out[key.strip("`'\"")] = self.value()
            if self.peek()[1] == ",":
                self.take(",")
        self.take("}")
        return out


def parse_cypher_literal(text: str) -> ParamValue:
    """A Cypher literal (string, number, boolean, null, list, map) as a Python value."""
    p = _Parser(text)
    v = p.value()
    if p.peek()[0] != "end":
        raise InputValidationError(f"trailing text after Cypher literal: {p.peek()[1]!r}")
    return v


def parse_param_command(line: str) -> dict[str, ParamValue]:
    """The parameters a Browser ``:params {k: v, ...}`` or ``:param k => v`` command sets."""
    s = line.strip()
    if s.startswith(":params"):
        v = parse_cypher_literal(s[len(":params"):])
        if not isinstance(v, dict):
            raise InputValidationError(f":params needs a map, got {s!r}")
        return v
    if s.startswith(":param"):
        key, arrow, rest = s[len(":param"):].partition("=>")
        if not arrow or not key.strip():
            raise InputValidationError(f":param needs 'name => value', got {s!r}")
        return {key.strip(): parse_cypher_literal(rest)}
    raise InputValidationError(f"not a :param/:params command: {s!r}")

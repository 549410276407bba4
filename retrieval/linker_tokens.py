"""The entry and token vocabulary the dictionary linker and its vocabulary builder share: :class:`LinkerEntry`,
word tokens and their folding. Its own module so that :mod:`retrieval.linker` (which builds from
:mod:`retrieval.linker_vocab`) and :mod:`retrieval.linker_vocab` (which makes entries) do not import each other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LinkerEntry", "fold_token", "tokenize"]

_TOKEN = re.compile(r"[^\W_]+(?:['’`][^\W_]+)*")


class LinkerEntry(BaseModel):
    """One surface form of one KG concept."""

    model_config = ConfigDict(frozen=True)

    surface: str = Field(min_length=1)
    node_id: str
    label: str
    lang: str | None = None
    case_sensitive: bool = False
    score: float = Field(default=1.0, gt=0.0, le=1.0)


@lru_cache(maxsize=262_144)
def fold_token(token: str) -> str:
    """A token folded like ``normalize_name`` (case, accents, width, apostrophes)."""
    if token.isascii():
        return token.lower().replace("'", "").replace("`", "")
    t = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", token))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    return t.replace("'", "").replace("’", "").replace("`", "").replace(" ", "")


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, raw token)`` for each word token of ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]

"""Name normalisation for lookup: case-, accent- and width-insensitive, English and Chinese alike."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_name"]

_APOSTROPHE = re.compile(r"['’`]")
_SPACE = re.compile(r"[\s_\-,\"()\[\]/.;:]+")


def normalize_name(text: str) -> str:
    """Fold case, accents, full-width forms and punctuation so that 'Crohn’s Disease', 'crohns disease'
    and 'CROHNS-DISEASE' meet. Chinese characters pass through unchanged (NFKC folds full-width forms).
    ASCII text skips the Unicode steps (they leave it as it is, and casefold is lower there): same result, and
    most names ingested are ASCII."""
    if text.isascii():
        t = text.lower()
    else:
        t = unicodedata.normalize("NFKC", text)
        t = unicodedata.normalize("NFKD", t)
        t = "".join(c for c in t if not unicodedata.combining(c))
        t = t.casefold()
    t = _APOSTROPHE.sub("", t)
    return _SPACE.sub(" ", t).strip()

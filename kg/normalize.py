"""Name normalisation for lookup: case-, accent- and width-insensitive, English and Chinese alike."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_name", "strip_semantic_tag"]

_APOSTROPHE = re.compile(r"['’`]")
_SPACE = re.compile(r"[\s_\-,\"()\[\]/.;:]+")
# SNOMED CT semantic tags that end record descriptions (Synthea), also when the closing parenthesis was cut off.
_TAG = re.compile(
    r"\s*\((disorder|finding|situation|person|procedure|substance|organism|morphologic abnormality|event)\)?\s*$",
    re.IGNORECASE,
)
_OPEN_TAG = re.compile(r"\s*\((disorder|finding|situation)\s*$", re.IGNORECASE)


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


def strip_semantic_tag(text: str) -> str:
    """'Cough (finding)' → 'Cough'; also the broken 'Severe anxiety (panic) (finding' → 'Severe anxiety (panic)'.
    Shared by the ingest's linker and the allocation's department fit, so both read a description alike."""
    t = _TAG.sub("", text.strip())
    return _OPEN_TAG.sub("", t).strip()

"""Link free-text names (disease table, Synthea descriptions) to KG concepts: curated aliases first, then names.

The curated aliases live in ``ingest/data/aliases.yaml``; each entry carries its ``source``. Names are compared
after :func:`kg.normalize.normalize_name`, with SNOMED-style semantic tags ("(disorder)", "(finding)") removed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.readers.base import ReadContext
from kg import normalize_name, strip_semantic_tag
from medkg.errors import DataFileError
from medkg.types import Node

__all__ = ["Alias", "ConceptIndex", "concept_index", "load_aliases", "strip_semantic_tag"]

log = logging.getLogger(__name__)
# libyaml's safe loader when PyYAML was built with it (10x faster on the curated files), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ALIASES = Path(__file__).parent / "data" / "aliases.yaml"


class Alias(BaseModel):
    """One curated name → concept link."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    code: str | None = Field(default=None, description="Source code (e.g. SNOMED) that links regardless of name.")
    id: str
    label: str
    context: str = Field(description="Which source's names this alias is for: disease_symptom, synthea, any.")
    source: str = Field(min_length=3)


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[Alias, ...]:
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        return tuple(Alias.model_validate(x) for x in raw["aliases"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as e:
        raise DataFileError(path, f"unreadable alias file: {e}") from e


def load_aliases(context: str, path: Path = ALIASES) -> tuple[dict[str, Alias], dict[str, Alias]]:
    """(by normalised name, by code) aliases for one context (entries of context 'any' included)."""
    by_name: dict[str, Alias] = {}
    by_code: dict[str, Alias] = {}
    for a in _load(path):
        if a.context not in (context, "any"):
            continue
        if a.name is not None:
            by_name[normalize_name(strip_semantic_tag(a.name))] = a
        if a.code is not None:
            by_code[a.code] = a
    return by_name, by_code


class ConceptIndex:
    """Normalised name/synonym → node id for one label; names claimed by two nodes are ambiguous and not linked."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self._ids: dict[str, str] = {}
        self._ambiguous: set[str] = set()
        self.labels: dict[str, str] = {}
        for n in nodes:
            self.labels[n.id] = n.label
            for name in (n.name, *n.synonyms):
                key = normalize_name(strip_semantic_tag(name))
                if not key:
                    continue
                other = self._ids.get(key)
                if other is not None and other != n.id:
                    self._ambiguous.add(key)
                self._ids.setdefault(key, n.id)

    def __len__(self) -> int:
        return len(self.labels)

    def lookup(self, name: str) -> str | None:
        key = normalize_name(strip_semantic_tag(name))
        if key in self._ambiguous:
            return None
        return self._ids.get(key)


def concept_index(ctx: ReadContext, label: str) -> ConceptIndex:
    """Index of the store's nodes of one label (empty when the reader runs without a store, or in the check pass
    before writing, where links are not rows and cannot be malformed)."""
    if ctx.checking or ctx.ids_of_label is None or ctx.lookup_nodes is None:
        return ConceptIndex(())
    ids = ctx.ids_of_label(label)
    nodes: list[Node] = []
    for i in range(0, len(ids), 5000):
        nodes.extend(ctx.lookup_nodes(ids[i : i + 5000]))
    return ConceptIndex(nodes)

"""How nodes and relationships map to Neo4j properties.

Node: ``id``, ``label``, ``name``, ``lang`` (absent when None), ``synonyms``/``sources`` (string lists),
``name_keys`` (normalised name + synonyms, for ranking lookups), ``search_text`` (the keys joined by newlines,
indexed for ``CONTAINS``) and each ``props`` key as ``p_<key>``. Relationship: ``source``, ``weight`` (absent
when None) and ``p_<key>``; type and endpoints are the relationship's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.algo import name_keys
from medkg.types import Node, Relationship

__all__ = ["PROP_PREFIX", "node_from_props", "node_props", "rel_from_record", "rel_props"]

PROP_PREFIX = "p_"


def node_props(node: Node) -> dict[str, Any]:
    """The property map stored for ``node``: synonyms and sources sorted and de-duplicated, as the merge stores them."""
    keys = sorted(name_keys(node))
    out: dict[str, Any] = {
        "id": node.id, "label": node.label, "name": node.name, "synonyms": sorted(set(node.synonyms)),
        "sources": sorted(set(node.sources)), "name_keys": keys, "search_text": "\n".join(keys),
    }
    if node.lang is not None:
        out["lang"] = node.lang
    out.update((PROP_PREFIX + k, v) for k, v in node.props.items())
    return out


def node_from_props(p: Mapping[str, Any]) -> Node:
    """The :class:`Node` stored as property map ``p``."""
    return Node.model_construct(
        id=p["id"], label=p["label"], name=p["name"], lang=p.get("lang"), synonyms=tuple(p.get("synonyms") or ()),
        sources=tuple(p.get("sources") or ()),
        props={k[len(PROP_PREFIX):]: v for k, v in p.items() if k.startswith(PROP_PREFIX)},
    )


def rel_props(rel: Relationship) -> dict[str, Any]:
    """The property map stored on ``rel``."""
    out: dict[str, Any] = {"source": rel.source}
    if rel.weight is not None:
        out["weight"] = rel.weight
    out.update((PROP_PREFIX + k, v) for k, v in rel.props.items())
    return out


def rel_from_record(rel_type: str, start: str, end: str, p: Mapping[str, Any]) -> Relationship:
    """The :class:`Relationship` of type ``rel_type`` between ``start`` and ``end`` with property map ``p``."""
    weight = p.get("weight")
    return Relationship.model_construct(
        type=rel_type, start=start, end=end, source=p["source"], weight=None if weight is None else float(weight),
        props={k[len(PROP_PREFIX):]: v for k, v in p.items() if k.startswith(PROP_PREFIX)},
    )

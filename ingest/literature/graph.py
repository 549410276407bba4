"""How passages, documents and mentions become graph nodes and relationships (and back).

- ``Document`` node: id ``PassageRecord.doc_id``, name = title (else the id), props = the reader's document
  props (pmid, year, mesh, url, focus, cuis, qtype, department ...).
- ``Passage`` node: id = citation id, name = citation id (so name search is not flooded by passage text),
  ``lang`` = 'zh' for Chinese passages, props: text, source, lang, section, url, pmid, title, doc_id and every
  ``meta`` key (a meta key that collides with one of these is stored as ``meta_<key>``).
- ``HAS_PASSAGE`` Document → Passage, props ``order``.
- ``MENTIONS`` Passage → concept, one relationship per (passage, concept): the relationship identity in the
  store is (type, start, end, source), so repeated mentions are aggregated: ``start``/``end``/``surface`` of the
  first occurrence, ``negated`` = every occurrence is negated, ``count``, and the lists ``starts``, ``ends``,
  ``negations`` of all occurrences; ``weight`` = the best match score.
"""

from __future__ import annotations

from collections.abc import Sequence

from medkg.types import Node, PropValue, Relationship
from retrieval import Mention, PassageRecord

__all__ = ["document_node", "has_passage", "mention_relationships", "passage_from_node", "passage_node"]

_RESERVED = ("text", "source", "lang", "section", "url", "pmid", "title", "doc_id")


def document_node(rec: PassageRecord, props: dict[str, str | int | float | list[str]]) -> Node:
    p: dict[str, PropValue] = {k: v for k, v in props.items()}
    p.update({k: v for k, v in (("url", rec.url), ("pmid", rec.pmid), ("title", rec.title)) if v})
    p["lang"] = rec.lang
    return Node(
        id=rec.doc_id,
        label="Document",
        name=rec.title or rec.doc_id,
        lang="zh" if rec.lang == "zh" else None,
        sources=(rec.source,),
        props=p,
    )


def passage_node(rec: PassageRecord) -> Node:
    p: dict[str, PropValue] = {"text": rec.text, "source": rec.source, "lang": rec.lang, "doc_id": rec.doc_id}
    for k in ("section", "url", "pmid", "title"):
        v = getattr(rec, k)
        if v:
            p[k] = v
    for k, v in rec.meta.items():
        p[f"meta_{k}" if k in _RESERVED else k] = v
    return Node(
        id=rec.citation_id,
        label="Passage",
        name=rec.citation_id,
        lang="zh" if rec.lang == "zh" else None,
        sources=(rec.source,),
        props=p,
    )


def passage_from_node(node: Node) -> PassageRecord:
    """The :class:`PassageRecord` a ``Passage`` node was written from (used to re-index from the graph)."""
    p = node.props

    def opt(key: str) -> str | None:
        v = p.get(key)
        return str(v) if v is not None and v != "" else None

    meta: dict[str, str | int | float | list[str]] = {}
    for k, v in p.items():
        if k in _RESERVED or isinstance(v, bool):
            continue
        key = k[5:] if k.startswith("meta_") and k[5:] in _RESERVED else k
        if isinstance(v, list):
            meta[key] = [str(x) for x in v]
        else:
            meta[key] = v
    return PassageRecord(
        citation_id=node.id,
        doc_id=str(p.get("doc_id") or node.id),
        text=str(p.get("text", "")),
        source=str(p.get("source") or (node.sources[0] if node.sources else "")),
        lang=str(p.get("lang") or "en"),
        section=opt("section"),
        url=opt("url"),
        pmid=opt("pmid"),
        title=opt("title"),
        meta=meta,
    )


def has_passage(rec: PassageRecord, order: int) -> Relationship:
    return Relationship(
        type="HAS_PASSAGE", start=rec.doc_id, end=rec.citation_id, source=rec.source, props={"order": order}
    )


def mention_relationships(rec: PassageRecord, mentions: Sequence[Mention]) -> list[Relationship]:
    """One ``MENTIONS`` relationship per concept mentioned in the passage (occurrences aggregated)."""
    by_node: dict[str, list[Mention]] = {}
    for m in mentions:
        by_node.setdefault(m.node_id, []).append(m)
    out: list[Relationship] = []
    for node_id, ms in by_node.items():
        first = ms[0]
        out.append(
            Relationship(
                type="MENTIONS",
                start=rec.citation_id,
                end=node_id,
                source=rec.source,
                weight=max(m.score for m in ms),
                props={
                    "start": first.start,
                    "end": first.end,
                    "surface": first.surface,
                    "negated": all(m.negated for m in ms),
                    "count": len(ms),
                    "starts": [m.start for m in ms],
                    "ends": [m.end for m in ms],
                    "negations": [m.negated for m in ms],
                },
            )
        )
    return out

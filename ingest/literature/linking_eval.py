"""Linking evaluation against the MeSH index terms of the PubMed abstracts.

For each abstract, every passage is linked (negated mentions included: MeSH indexes what an abstract is
about, negated or not) and the linked KG concepts are mapped to MeSH headings:

- a node whose id is ``MESH:D...`` → its name (Hetionet symptoms are named by their MeSH heading);
- MeSH cross-references in the node's props (``mesh``, ``mesh_id``, ``mesh_ids``, ``xrefs``: ``MESH:D...`` ids,
  named through the ``MESH:`` nodes of the store or a ``mesh_name``/``mesh_names`` prop);
- the node's normalised name or synonyms equal to a normalised heading of the evaluation vocabulary
  (all headings of all abstracts; inverted headings "Neoplasms, X" are also compared as "X Neoplasms").

A node known to be a MeSH concept (by id or cross-reference) always yields its heading, in the vocabulary or
not, so predicting a heading the abstract is not indexed with counts against precision. A node without MeSH
id can only be mapped by name to headings used somewhere in the 1,000 abstracts (a small optimistic bias).

Micro precision = correct predicted headings / predicted headings (linked concepts with no MeSH mapping are
left out and counted separately); recall is given against all gold headings (unrestricted) and against the
gold headings some KG concept maps to (restricted to our vocabulary). The MeSH terms are only read here, as
gold labels; they are never used to build or tune the dictionary.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ingest.literature.chunking import chunk_document
from ingest.literature.readers import read_pubmed_jsonl
from ingest.report import RejectSink
from kg import normalize_name
from medkg.types import Node
from retrieval import DictionaryLinker

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = ["LinkingScores", "evaluate_linking", "heading_keys", "node_headings"]

_XREF_PROPS = ("mesh", "mesh_id", "mesh_ids", "xrefs", "xref")
_NAME_PROPS = ("mesh_name", "mesh_names")
_BATCH = 2000


class LinkingScores(BaseModel):
    """Micro-averaged figures over all abstracts."""

    abstracts: int
    passages: int
    predicted: int
    correct: int
    gold: int
    gold_in_vocabulary: int
    precision: float
    recall: float
    recall_in_vocabulary: float
    f1: float
    f1_in_vocabulary: float
    unmapped_linked_concepts: int
    mappable_headings: int
    seconds: float


def heading_keys(heading: str) -> list[str]:
    """Normalised forms under which a MeSH heading is compared (as written, and un-inverted)."""
    keys = [normalize_name(heading)]
    parts = [p.strip() for p in heading.split(", ")]
    if len(parts) == 2 and all(parts):
        keys.append(normalize_name(f"{parts[1]} {parts[0]}"))
    return keys


def _as_list(v: object) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [str(x) for x in v]
    return []


def node_headings(node: Node, mesh_names: dict[str, str], vocab: dict[str, str]) -> set[str]:
    """The MeSH headings a node maps to: ``mesh_names`` gives MeSH id → heading name, ``vocab`` normalised
    heading key → canonical heading of the evaluation set. A heading known by id but absent from ``vocab`` is
    still returned (as its own name, or the bare ``MESH:`` id when nothing names it): predicting it for an
    abstract that is not indexed with it is a false positive, not something to leave out."""

    def canonical(name: str) -> str:
        return next((vocab[k] for k in heading_keys(name) if k in vocab), name)

    out: set[str] = set()
    unnamed: set[str] = set()
    if node.id.startswith("MESH:"):
        out.add(canonical(node.name))
    for p in _XREF_PROPS:
        for x in _as_list(node.props.get(p)):
            mid = x if x.startswith("MESH:") else f"MESH:{x}" if x[:1] == "D" and x[1:].isdigit() else ""
            if mid in mesh_names:
                out.add(canonical(mesh_names[mid]))
            elif mid:
                unnamed.add(mid)
    for p in _NAME_PROPS:
        out.update(canonical(n) for n in _as_list(node.props.get(p)))
    for n in (node.name, *node.synonyms):
        out.update(vocab[k] for k in heading_keys(n) if k in vocab)
    return out or unnamed


def _nodes(store: GraphStore, ids: Iterable[str]) -> list[Node]:
    ids = sorted(set(ids))
    out: list[Node] = []
    for i in range(0, len(ids), _BATCH):
        out.extend(store.get_nodes(ids[i : i + _BATCH]))
    return out


def evaluate_linking(
    store: GraphStore, abstracts: Path, *, linker: DictionaryLinker | None = None, limit: int | None = None
) -> LinkingScores:
    """Precision/recall of the MeSH headings reached by linking the abstracts in ``abstracts`` (PubMed JSONL)."""
    t0 = time.perf_counter()
    linker = linker or DictionaryLinker.from_store(store)
    docs = list(read_pubmed_jsonl(abstracts, RejectSink(strict=True), limit=limit))
    vocab: dict[str, str] = {}
    for d in docs:
        for h in _as_list(d.doc_props.get("mesh")):
            for k in heading_keys(h):
                vocab.setdefault(k, h)
    concept_nodes = _nodes(store, {e.node_id for e in linker.entries})
    mesh_names = {n.id: n.name for n in _nodes(store, store.node_ids(label="Symptom")) if n.id.startswith("MESH:")}
    mesh_names.update({n.id: n.name for n in concept_nodes if n.id.startswith("MESH:")})
    heads = {n.id: node_headings(n, mesh_names, vocab) for n in concept_nodes}
    mappable = set().union(*heads.values()) if heads else set()
    predicted = correct = gold_n = gold_v = passages = 0
    unmapped: set[str] = set()
    for d in docs:
        gold = {vocab[heading_keys(h)[0]] for h in _as_list(d.doc_props.get("mesh"))}
        pred: set[str] = set()
        for rec in chunk_document(d):
            passages += 1
            for m in linker.link(rec.text, lang=rec.lang, negation=False):
                mapped = heads.get(m.node_id, set())
                if mapped:
                    pred |= mapped
                else:
                    unmapped.add(m.node_id)
        predicted += len(pred)
        correct += len(pred & gold)
        gold_n += len(gold)
        gold_v += len(gold & mappable)
    p = correct / predicted if predicted else 0.0
    r = correct / gold_n if gold_n else 0.0
    rv = correct / gold_v if gold_v else 0.0

    def f(a: float, b: float) -> float:
        return 2 * a * b / (a + b) if a + b else 0.0

    return LinkingScores(
        abstracts=len(docs), passages=passages, predicted=predicted, correct=correct, gold=gold_n,
        gold_in_vocabulary=gold_v, precision=round(p, 4), recall=round(r, 4), recall_in_vocabulary=round(rv, 4),
        f1=round(f(p, r), 4), f1_in_vocabulary=round(f(p, rv), 4), unmapped_linked_concepts=len(unmapped),
        mappable_headings=len(mappable), seconds=round(time.perf_counter() - t0, 2),
    )

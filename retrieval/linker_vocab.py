"""Which KG names become linker entries: the precision rules, the curated stop-list and extra synonyms.

Rules (English names; Chinese names only need >= 2 characters and not to be stop-listed):

- Only the labels asked for (default: clinical concepts plus genes, see ``DEFAULT_LINK_LABELS``).
- Names in ``retrieval/data/linker_stoplist.csv`` (ambiguous everyday words, each with a reason and source)
  are skipped.
- Fewer than 3 letters/digits, only digits, or more than 10 words: skipped.
- Gene symbols: only when >= 4 characters and written without lower-case letters; matched case-exactly.
- Other short all-caps names (<= 4 characters, an abbreviation like "ALS"): matched case-exactly.
- Variants added with a lower score: MeSH inverted headings ("Abdomen, Acute" -> "acute abdomen"), the
  singular/plural of the last word ("Neoplasms" <-> "neoplasm").
- ``retrieval/data/linker_synonyms.csv`` adds curated synonyms (node id, synonym, source) for nodes in the store.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from medkg.errors import DataFileError
from medkg.types import Node
from retrieval.linker_tokens import LinkerEntry, fold_token, tokenize

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = [
    "DATA_DIR",
    "Curation",
    "entries_from_nodes",
    "entries_from_store",
    "load_curation",
    "store_fingerprint",
]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BATCH = 2000
_MAX_WORDS = 10


@dataclass
class Curation:
    """The curated data files: stop-listed folded names (per label, ``*`` = any) and extra synonyms by node id."""

    stop: dict[str, set[str]] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    def stopped(self, key: str, label: str) -> bool:
        return key in self.stop.get("*", set()) or key in self.stop.get(label, set())


def _key(surface: str) -> str:
    if _CJK.search(surface) or not tokenize(surface):
        return surface.strip().casefold()
    return " ".join(fold_token(t) for _, _, t in tokenize(surface))


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]
    except OSError as e:
        raise DataFileError(path, f"cannot read curated linker data: {e.strerror or e}") from e
    for n, r in enumerate(rows, start=2):
        missing = [c for c in required if not (r.get(c) or "").strip()]
        if missing:
            raise DataFileError(path, f"row {n}: empty {', '.join(missing)}")
    return rows


def load_curation(data_dir: Path = DATA_DIR) -> Curation:
    """Read ``linker_stoplist.csv`` (surface,label,reason,source) and ``linker_synonyms.csv``
    (node_id,synonym,source)."""
    cur = Curation()
    for r in _read_csv(data_dir / "linker_stoplist.csv", ("surface", "label", "reason", "source")):
        cur.stop.setdefault(r["label"].strip(), set()).add(_key(r["surface"]))
    for r in _read_csv(data_dir / "linker_synonyms.csv", ("node_id", "synonym", "source")):
        cur.synonyms.setdefault(r["node_id"].strip(), []).append(r["synonym"].strip())
    return cur


_NO_PLURAL = ("is", "us", "ss", "ic", "al", "ous", "ive", "ed", "ing", "ar", "um", "ae")


def _number_variant(surface: str) -> str | None:
    """Singular <-> plural of the last word, for noun-like last words only (not 'mellitus', 'chronic')."""
    words = surface.split()
    last = words[-1]
    if not last.isalpha() or len(last) < 4 or (not last.islower() and not last.istitle()):
        return None
    low = last.lower()
    if low.endswith("ies"):
        alt = last[:-3] + "y"
    elif low.endswith(("ses", "xes", "ches", "shes")):
        alt = last[:-2]
    elif low.endswith("s") and not low.endswith(("ss", "us", "is", "os", "as")):
        alt = last[:-1]
    elif low.endswith(_NO_PLURAL):
        return None
    elif low.endswith("y") and low[-2:-1] not in "aeiou":
        alt = last[:-1] + "ies"
    elif low.endswith(("x", "ch", "sh")):
        alt = last + "es"
    else:
        alt = last + "s"
    return " ".join([*words[:-1], alt])


def _variants(surface: str) -> list[str]:
    """MeSH-style inverted heading un-inverted ('Abdomen, Acute' -> 'Acute Abdomen'), and the singular/plural
    of the last word of the natural-order form."""
    out: list[str] = []
    parts = [p.strip() for p in surface.split(", ")]
    natural = surface
    if len(parts) == 2 and all(parts) and len(surface.split()) <= 6:
        natural = f"{parts[1]} {parts[0]}"
        out.append(natural)
    if "," not in natural:
        alt = _number_variant(natural)
        if alt:
            out.append(alt)
    return out


def _english(node: Node, surface: str, score: float, cur: Curation) -> list[LinkerEntry]:
    toks = tokenize(surface)
    key = " ".join(fold_token(t) for _, _, t in toks)
    compact = key.replace(" ", "")
    if not toks or len(toks) > _MAX_WORDS or len(compact) < 3 or compact.isdigit() or cur.stopped(key, node.label):
        return []
    has_lower = any(c.islower() for c in surface)
    if node.label == "Gene":
        if len(compact) < 4 or has_lower:
            return []
        return [LinkerEntry(surface=surface, node_id=node.id, label=node.label, case_sensitive=True, score=score * 0.8)]
    if len(compact) <= 4 and not has_lower and any(c.isalpha() for c in surface):
        return [LinkerEntry(surface=surface, node_id=node.id, label=node.label, case_sensitive=True, score=score)]
    out = [LinkerEntry(surface=surface, node_id=node.id, label=node.label, score=score)]
    for v in _variants(surface):
        vkey = _key(v)
        if vkey != key and not cur.stopped(vkey, node.label):
            out.append(LinkerEntry(surface=v, node_id=node.id, label=node.label, score=score * 0.9))
    return out


def entries_from_nodes(nodes: Iterable[Node], curation: Curation) -> list[LinkerEntry]:
    """Linker entries for ``nodes`` under the rules of this module (deterministic order)."""
    out: list[LinkerEntry] = []
    seen: set[tuple[str, str]] = set()
    for node in nodes:
        names = [(node.name, 1.0)] + [(s, 0.95) for s in (*node.synonyms, *curation.synonyms.get(node.id, ()))]
        for raw, score in names:
            surface = " ".join(raw.split())
            if not surface:
                continue
            if _CJK.search(surface) or node.lang == "zh":
                key = _key(surface)
                cands = (
                    []
                    if len(key) < 2 or curation.stopped(key, node.label)
                    else [LinkerEntry(surface=surface, node_id=node.id, label=node.label, lang="zh", score=score)]
                )
            else:
                cands = _english(node, surface, score, curation)
            for e in cands:
                k = (e.node_id, _key(e.surface) if not e.case_sensitive else e.surface)
                if k not in seen:
                    seen.add(k)
                    out.append(e)
    return out


def store_fingerprint(store: GraphStore, labels: Sequence[str]) -> str:
    """Node counts of the linked labels plus the curated files' sizes: changes when the dictionary would."""
    counts = store.counts().nodes
    files = [
        p.stat().st_size for p in (DATA_DIR / "linker_stoplist.csv", DATA_DIR / "linker_synonyms.csv") if p.exists()
    ]
    return ";".join(f"{lab}={counts.get(lab, 0)}" for lab in sorted(labels)) + f";curated={files}"


def entries_from_store(store: GraphStore, labels: Sequence[str]) -> tuple[list[LinkerEntry], str]:
    """Entries for every node of ``labels`` in ``store``, and the store's fingerprint."""
    cur = load_curation()
    fingerprint = store_fingerprint(store, labels)
    entries: list[LinkerEntry] = []
    for label in labels:
        ids = store.node_ids(label=label)
        for i in range(0, len(ids), _BATCH):
            entries.extend(entries_from_nodes(store.get_nodes(ids[i : i + _BATCH]), cur))
    return entries, fingerprint

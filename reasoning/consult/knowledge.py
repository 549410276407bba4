"""The consultation's view of the graph: symptom → disease evidence tables, read once from a ``GraphStore``.

``HAS_SYMPTOM`` facts come from three sources with different meanings of ``weight``: HSDN (MEDLINE TF-IDF,
log-scaled to [0, 1]), the disease/symptom table (share of a disease's rows showing the symptom) and the Chinese
records (no weight: 1.0). Each source is scored on its own (cosine of TF-IDF vectors, see
:mod:`reasoning.consult.differential`), so the tables keep per source: symptom → [(disease, weight)], the
disease's vector norm and each symptom's inverse document frequency.
"""

from __future__ import annotations

import logging
import math
import pickle
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg import GraphStore
from medkg.types import Node, Relationship

__all__ = ["ConsultKnowledge", "SourceTable"]

log = logging.getLogger(__name__)

_DEFAULT_WEIGHT = 1.0
_FORMAT = 1


@dataclass
class SourceTable:
    """One source's symptom → disease evidence."""

    source: str
    by_symptom: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    norm: dict[str, float] = field(default_factory=dict)
    n_diseases: int = 0


class ConsultKnowledge:
    """Lazily built evidence tables plus small per-disease look-ups (departments, checks, drugs) from ``store``."""

    def __init__(self, store: GraphStore, *, cache_path: Path | None = None) -> None:
        self.store = store
        self.cache_path = cache_path
        self.tables: dict[str, SourceTable] = {}
        self.build_ms: float | None = None
        self._lock = threading.Lock()
        self._names: dict[str, Node] = {}
        self._providers: dict[str, list[tuple[Relationship, Node]]] | None = None

    def ensure(self) -> None:
        """Build the tables on first use (about 1-2 s on the full graph)."""
        if self.build_ms is not None:
            return
        with self._lock:
            if self.build_ms is not None:
                return
            t0 = time.perf_counter()
            key = self._fingerprint()
            if self._load(key):
                self.build_ms = round(1000 * (time.perf_counter() - t0), 1)
                return
            raw: dict[str, dict[str, list[tuple[str, float]]]] = defaultdict(lambda: defaultdict(list))
            for sym in self.store.node_ids(label="Symptom"):
                for rel in self.store.relationships_of(sym, rel_types=["HAS_SYMPTOM"], direction="in", limit=100_000):
                    w = rel.weight if rel.weight is not None and rel.weight > 0 else _DEFAULT_WEIGHT
                    raw[rel.source][sym].append((rel.start, float(w)))
            for source, by_sym in raw.items():
                diseases = {d for pairs in by_sym.values() for d, _ in pairs}
                n = len(diseases)
                idf = {s: math.log(1.0 + n / len(pairs)) for s, pairs in by_sym.items()}
                sq: dict[str, float] = defaultdict(float)
                for s, pairs in by_sym.items():
                    for d, w in pairs:
                        sq[d] += (w * idf[s]) ** 2
                norms = {d: math.sqrt(v) for d, v in sq.items()}
                self.tables[source] = SourceTable(source, dict(by_sym), idf, norms, n)
            self.build_ms = round(1000 * (time.perf_counter() - t0), 1)
            log.info("consult knowledge: %d sources, %d ms", len(self.tables), self.build_ms)
            self._save(key)

    def _fingerprint(self) -> str:
        c = self.store.counts()
        parts = (c.nodes.get("Symptom", 0), c.nodes.get("Disease", 0), c.relationships.get("HAS_SYMPTOM", 0))
        return f"{_FORMAT}:" + ":".join(map(str, parts))

    def _load(self, key: str) -> bool:
        if self.cache_path is None or not self.cache_path.is_file():
            return False
        try:
            with self.cache_path.open("rb") as f:
                state = pickle.load(f)  # our own cache file under the home's index directory
            if not isinstance(state, dict) or state.get("key") != key:
                return False
            self.tables = state["tables"]
            return True
        except (OSError, pickle.UnpicklingError, EOFError, KeyError, AttributeError, TypeError) as e:
            log.warning("consult knowledge cache unreadable (%s); rebuilding", type(e).__name__)
            return False

    def _save(self, key: str) -> None:
        if self.cache_path is None:
            return
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_path.with_name(self.cache_path.name + ".tmp")
            with tmp.open("wb") as f:
                pickle.dump({"key": key, "tables": self.tables}, f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(self.cache_path)
        except OSError as e:  # a read-only home still consults, without the cache
            log.warning("consult knowledge cache not written (%s)", type(e).__name__)

    def nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        """Nodes by id (cached)."""
        missing = [i for i in dict.fromkeys(ids) if i not in self._names]
        if missing:
            for n in self.store.get_nodes(missing):
                self._names[n.id] = n
        return {i: self._names[i] for i in ids if i in self._names}

    def rels(self, node_id: str, rel_types: Sequence[str], direction: str) -> list[Relationship]:
        return self.store.relationships_of(node_id, rel_types=list(rel_types), direction=direction, limit=500)

    def providers(self, dept_id: str) -> list[tuple[Relationship, Node]]:
        """Providers that ``SPECIALISES_IN`` a department (read once for all departments, then from memory)."""
        if self._providers is None:
            table: dict[str, list[tuple[Relationship, Node]]] = defaultdict(list)
            ids = self.store.node_ids(label="Provider")
            nodes = {n.id: n for n in self.store.get_nodes(ids)}
            for pid in ids:
                for r in self.store.relationships_of(pid, rel_types=["SPECIALISES_IN"], direction="out", limit=20):
                    if pid in nodes:
                        table[r.end].append((r, nodes[pid]))
            self._providers = dict(table)
        return self._providers.get(dept_id, [])

    def symptom_fact(self, source: str, disease: str, symptom: str) -> float | None:
        """The weight of ``disease HAS_SYMPTOM symptom`` in ``source`` (None when the source has no such fact)."""
        table = self.tables.get(source)
        if table is None:
            return None
        return next((w for d, w in table.by_symptom.get(symptom, ()) if d == disease), None)

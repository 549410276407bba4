"""``PassageIndexer``: the one writer (and reader) of the literature indexes under ``<index_dir>``.

Layout::

    <index_dir>/passages.sqlite3     passage records (text + metadata) by citation id
    <index_dir>/embeddings.sqlite3   embedding cache: (model id, sha256(text)) → vector
    <index_dir>/<lang>/faiss/        FAISS index + id map + manifest.json   (lang: 'en' or 'zh')
    <index_dir>/<lang>/bm25/         BM25 token lists + bm25s model

English passages go to the English embedder/indexes, ``lang == 'zh'`` passages to the multilingual ones.
A re-upsert of unchanged passages does nothing; changed text is re-embedded only when its sha256 is not in
the embedding cache for the current model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from medkg.errors import InputValidationError, NotFoundError
from medkg.settings import Settings
from retrieval.bm25_index import BM25Index
from retrieval.embed_cache import CacheStats, EmbeddingCache, embed_cached
from retrieval.embedder import Embedder, EmbedderConfig, load_embedder
from retrieval.faiss_index import FaissIndex, IndexKind
from retrieval.passage_store import PassageStore, record_hash
from retrieval.types import PassageRecord

__all__ = ["GROUPS", "IndexGroup", "IndexUpdate", "PassageIndexer", "bm25_text", "embed_text", "group_of"]

log = logging.getLogger(__name__)

GROUPS = ("en", "zh")


def group_of(lang: str | None) -> str:
    return "zh" if lang == "zh" else "en"


def embed_text(rec: PassageRecord) -> str:
    """What the dense index embeds: the passage text (titles/questions are not added, so they cannot leak)."""
    return rec.text


def bm25_text(rec: PassageRecord) -> str:
    """What BM25 indexes: the text plus the document's MeSH terms when the record carries them."""
    mesh = rec.meta.get("mesh")
    if isinstance(mesh, list) and mesh:
        return rec.text + "\n" + "; ".join(str(m) for m in mesh)
    return rec.text


class IndexUpdate(BaseModel):
    """What one :meth:`PassageIndexer.upsert` / :meth:`PassageIndexer.delete` did."""

    received: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    embedded: int = 0
    cached: int = 0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    by_lang: dict[str, int] = Field(default_factory=dict)

    @property
    def passages_per_second(self) -> float:
        return self.embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0


class IndexGroup:
    """One language's embedder, FAISS index and BM25 index (loaded on first use)."""

    def __init__(self, root: Path, lang: str, embedder: Embedder, *, kind: IndexKind, device: str) -> None:
        self.root, self.lang, self.embedder = root, lang, embedder
        self._kind, self._device = kind, device
        self._faiss: FaissIndex | None = None
        self._bm25: BM25Index | None = None
        self._doc_bm25: BM25Index | None = None

    @property
    def faiss_dir(self) -> Path:
        return self.root / self.lang / "faiss"

    @property
    def bm25_dir(self) -> Path:
        return self.root / self.lang / "bm25"

    @property
    def faiss(self) -> FaissIndex:
        if self._faiss is None:
            try:
                self._faiss = FaissIndex.load(
                    self.faiss_dir, model_id=self.embedder.model_id, dim=self.embedder.dim, device=self._device
                )
            except NotFoundError:
                self._faiss = FaissIndex(
                    self.embedder.dim, self.embedder.model_id, kind=self._kind, device=self._device
                )
        return self._faiss

    @property
    def bm25(self) -> BM25Index:
        if self._bm25 is None:
            self._bm25 = (
                BM25Index.load(self.bm25_dir) if (self.bm25_dir / "bm25.json").exists() else BM25Index(self.lang)
            )
        return self._bm25

    @property
    def doc_bm25_dir(self) -> Path:
        return self.root / self.lang / "bm25_docs"

    @property
    def doc_bm25(self) -> BM25Index:
        """BM25 over whole documents (all their passages joined), keyed by document id."""
        if self._doc_bm25 is None:
            d = self.doc_bm25_dir
            exists = (d / "bm25.json").exists()
            self._doc_bm25 = BM25Index.load(d, documents=True) if exists else BM25Index(self.lang, documents=True)
        return self._doc_bm25

    def exists(self) -> bool:
        return (self.faiss_dir / "manifest.json").exists()

    def save(self) -> None:
        self.faiss.save(self.faiss_dir)
        self.bm25.save(self.bm25_dir)
        self.doc_bm25.save(self.doc_bm25_dir)


class PassageIndexer:
    """Embeds, indexes and stores passages; reads them back for the retrievers. No I/O in the constructor."""

    def __init__(
        self,
        index_dir: Path,
        embedders: EmbedderConfig,
        *,
        faiss_kind: IndexKind = "flat",
        preloaded: Mapping[str, Embedder] | None = None,
        cache_path: Path | None = None,
    ) -> None:
        """``preloaded`` maps 'en'/'zh' to already-loaded embedders (tests and benchmarks share one model);
        ``cache_path`` points at another embedding cache (default ``<index_dir>/embeddings.sqlite3``)."""
        self.index_dir = Path(index_dir)
        self.config = embedders
        self.faiss_kind = faiss_kind
        self.store = PassageStore(self.index_dir / "passages.sqlite3")
        self.cache = EmbeddingCache(cache_path or self.index_dir / "embeddings.sqlite3")
        self._groups: dict[str, IndexGroup] = {}
        self._embedders: dict[str, Embedder] = dict(preloaded or {})

    @classmethod
    def from_settings(cls, settings: Settings) -> PassageIndexer:
        return cls(settings.index_dir, EmbedderConfig.from_settings(settings))

    def embedder(self, lang: str) -> Embedder:
        g = group_of(lang)
        if g not in self._embedders:
            self._embedders[g] = load_embedder(g, self.config)
        return self._embedders[g]

    def group(self, lang: str) -> IndexGroup:
        g = group_of(lang)
        if g not in self._groups:
            self._groups[g] = IndexGroup(
                self.index_dir, g, self.embedder(g), kind=self.faiss_kind, device=self.config.device
            )
        return self._groups[g]

    def has_group(self, lang: str) -> bool:
        return self.store.has_group(group_of(lang))

    # ---- writing -----------------------------------------------------------------------------------
    def upsert(
        self, passages: Sequence[PassageRecord], *, progress: Callable[[int], None] | None = None
    ) -> IndexUpdate:
        """Add new and changed passages to FAISS + BM25 + the passage store and persist; unchanged ones are skipped
        (``progress`` still advances for them, one unit per passage)."""
        t0 = time.perf_counter()
        latest: dict[str, PassageRecord] = {}
        for p in passages:
            if not isinstance(p, PassageRecord):
                raise InputValidationError(f"upsert expects PassageRecord objects, got {type(p).__name__}")
            if not p.text.strip():
                raise InputValidationError(f"passage {p.citation_id!r} has no text")
            latest[p.citation_id] = p
        upd = IndexUpdate(received=len(passages))
        stats = CacheStats()
        for g in {group_of(p.lang) for p in latest.values()}:
            self._reembed_if_model_changed(g, stats, progress=None)
        state = self.store.state(list(latest))
        todo: dict[str, list[PassageRecord]] = {g: [] for g in GROUPS}
        hashes: dict[str, str] = {}
        for cid, rec in latest.items():
            h = hashes[cid] = record_hash(rec)
            g = group_of(rec.lang)
            old = state.get(cid)
            if old is not None and old == (g, h) and cid in self.group(g).faiss:
                upd.unchanged += 1
                continue
            if old is not None and old[0] != g:  # language moved: drop from the old group first
                self.group(old[0]).faiss.remove([cid])
                self.group(old[0]).bm25.delete([cid])
            todo[g].append(rec)
            upd.added += old is None
            upd.updated += old is not None
        if progress is not None and upd.unchanged:
            progress(upd.unchanged)
        touched = {old[0] for cid, old in state.items() if old[0] != group_of(latest[cid].lang)}
        for g, recs in todo.items():
            if not recs:
                continue
            grp = self.group(g)
            vecs = embed_cached(grp.embedder, self.cache, [embed_text(r) for r in recs], progress=progress, stats=stats)
            ids = [r.citation_id for r in recs]
            grp.faiss.add(ids, vecs)
            grp.bm25.add(ids, [bm25_text(r) for r in recs])
            upd.by_lang[g] = len(recs)
            touched.add(g)
        self.store.upsert([(r, group_of(r.lang), hashes[r.citation_id]) for recs in todo.values() for r in recs])
        moved_docs = {latest[cid].doc_id for cid, old in state.items() if old[0] != group_of(latest[cid].lang)}
        for g in sorted(touched):
            self._refresh_docs(g, {r.doc_id for r in todo[g]} | moved_docs)
            self.group(g).save()
        upd.embedded, upd.cached, upd.embed_seconds = stats.embedded, stats.cached, stats.seconds
        upd.seconds = time.perf_counter() - t0
        log.info(
            "indexed %d passages (%d new, %d changed, %d unchanged; %d embedded, %d from cache) in %.1fs",
            upd.received,
            upd.added,
            upd.updated,
            upd.unchanged,
            upd.embedded,
            upd.cached,
            upd.seconds,
        )
        return upd

    def _reembed_if_model_changed(
        self, g: str, stats: CacheStats, *, progress: Callable[[int], None] | None
    ) -> bool:
        """A saved FAISS index built with another embedder (model, backend, dtype or truncation changed in the
        settings) is re-embedded from the passage store, so an ingest after a model change brings the index up
        to date instead of failing on the mismatch (BM25 does not depend on the embedder and is kept)."""
        grp = self.group(g)
        if grp._faiss is not None or not grp.exists():
            return False
        saved = str(FaissIndex.read_manifest(grp.faiss_dir).get("model_id", ""))
        if saved == grp.embedder.model_id:
            return False
        log.warning("FAISS index %s was built with %s; re-embedding it with %s", g, saved, grp.embedder.model_id)
        emb = grp.embedder
        grp._faiss = FaissIndex(emb.dim, emb.model_id, kind=self.faiss_kind, device=self.config.device)
        recs = list(self.store.records(g))
        if recs:
            vecs = embed_cached(grp.embedder, self.cache, [embed_text(r) for r in recs], progress=progress, stats=stats)
            grp.faiss.add([r.citation_id for r in recs], vecs)
        grp.faiss.save(grp.faiss_dir)
        return True

    def _refresh_docs(self, g: str, doc_ids: set[str]) -> None:
        """Re-index the whole-document BM25 entries of ``doc_ids`` from the passage store."""
        if not doc_ids:
            return
        docs = self.store.by_docs(g, sorted(doc_ids))
        grp = self.group(g)
        grp.doc_bm25.delete([d for d in doc_ids if d not in docs])
        ids = sorted(docs)
        grp.doc_bm25.add(ids, ["\n".join(bm25_text(r) for r in docs[d]) for d in ids])

    def delete(self, citation_ids: Sequence[str]) -> int:
        """Remove passages from every index and the passage store; returns how many existed."""
        doc_of = {cid: r.doc_id for cid, r in self.store.get(list(citation_ids)).items()}
        state = self.store.state(list(citation_ids))
        by_group: dict[str, list[str]] = {}
        for cid, (g, _) in state.items():
            by_group.setdefault(g, []).append(cid)
        for g, ids in by_group.items():
            grp = self.group(g)
            grp.faiss.remove(ids)
            grp.bm25.delete(ids)
        self.store.delete(list(state))
        for g, ids in by_group.items():
            self._refresh_docs(g, {doc_of[c] for c in ids if c in doc_of})
            self.group(g).save()
        return len(state)

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> IndexUpdate:
        """Rebuild FAISS and BM25 from the passage store (vectors from the embedding cache where present).
        The way out of an :class:`~medkg.errors.IndexCorruptError`."""
        t0 = time.perf_counter()
        upd = IndexUpdate()
        stats = CacheStats()
        for g in GROUPS:
            recs = list(self.store.records(g))
            grp = self.group(g)
            grp._faiss = FaissIndex(
                grp.embedder.dim, grp.embedder.model_id, kind=self.faiss_kind, device=self.config.device
            )
            grp._bm25 = BM25Index(g)
            grp._doc_bm25 = BM25Index(g, documents=True)
            if recs:
                vecs = embed_cached(
                    grp.embedder, self.cache, [embed_text(r) for r in recs], progress=progress, stats=stats
                )
                ids = [r.citation_id for r in recs]
                grp.faiss.add(ids, vecs)
                grp.bm25.add(ids, [bm25_text(r) for r in recs])
                self._refresh_docs(g, {r.doc_id for r in recs})
            grp.save()
            upd.by_lang[g] = len(recs)
        upd.received = upd.added = sum(upd.by_lang.values())
        upd.embedded, upd.cached, upd.embed_seconds = stats.embedded, stats.cached, stats.seconds
        upd.seconds = time.perf_counter() - t0
        return upd

    # ---- reading -----------------------------------------------------------------------------------
    def rebuild_documents(self) -> int:
        """Rebuild only the whole-document BM25 indexes (no embedding); returns the number of documents."""
        n = 0
        for g in GROUPS:
            grp = self.group(g)
            grp._doc_bm25 = BM25Index(g, documents=True)
            docs = {r.doc_id for r in self.store.records(g)}
            self._refresh_docs(g, docs)
            grp.doc_bm25.save(grp.doc_bm25_dir)
            n += len(docs)
        return n

    def passage_ids(self) -> set[str]:
        return self.store.ids()

    def records(self, citation_ids: Sequence[str]) -> dict[str, PassageRecord]:
        return self.store.get(citation_ids)

    def close(self) -> None:
        self.store.close()
        self.cache.close()

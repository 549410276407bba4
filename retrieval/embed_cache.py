"""Embedding cache keyed by ``sha256(text)`` + model id, in one SQLite file, so nothing is embedded twice."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from medkg.errors import IndexCorruptError
from retrieval.embedder import Embedder

__all__ = ["CacheStats", "EmbeddingCache", "content_hash", "embed_cached"]

log = logging.getLogger(__name__)

_CREATE = (
    "CREATE TABLE IF NOT EXISTS emb (model TEXT NOT NULL, sha TEXT NOT NULL, vec BLOB NOT NULL, "
    "PRIMARY KEY (model, sha))"
)
_SELECT = "SELECT sha, vec FROM emb WHERE model = ? AND sha IN ({marks})"
_INSERT = "INSERT OR REPLACE INTO emb (model, sha, vec) VALUES (?, ?, ?)"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """``(model id, sha256) → float32 vector``. Opens the file lazily; use as a context manager or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._con = sqlite3.connect(self.path)
                self._con.execute(_CREATE)
            except sqlite3.DatabaseError as e:
                raise IndexCorruptError(f"embedding cache {self.path} is unreadable ({e}); delete it to rebuild") from e
        return self._con

    def get_many(self, model_id: str, shas: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        out: dict[str, NDArray[np.float32]] = {}
        db = self._db()
        uniq = list(dict.fromkeys(shas))
        for i in range(0, len(uniq), 500):
            chunk = uniq[i : i + 500]
            sql = _SELECT.format(marks=",".join("?" * len(chunk)))
            for sha, blob in db.execute(sql, [model_id, *chunk]):
                out[sha] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model_id: str, shas: Sequence[str], vectors: NDArray[np.float32]) -> None:
        db = self._db()
        rows = [
            (model_id, s, np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for s, v in zip(shas, vectors, strict=True)
        ]
        with db:
            db.executemany(_INSERT, rows)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CacheStats:
    """How many vectors came from the cache and how many were computed."""

    def __init__(self) -> None:
        self.cached = 0
        self.embedded = 0
        self.seconds = 0.0


def embed_cached(
    embedder: Embedder,
    cache: EmbeddingCache | None,
    texts: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
    stats: CacheStats | None = None,
    chunk: int = 1024,
) -> NDArray[np.float32]:
    """Vectors for ``texts``: cached ones are read, the rest embedded (length-sorted batches) and stored."""
    import time

    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    shas = [content_hash(t) for t in texts]
    model_id = embedder.model_id
    found = cache.get_many(model_id, shas) if cache is not None else {}
    missing = [i for i, s in enumerate(shas) if s not in found]
    if progress is not None and len(texts) - len(missing):
        progress(len(texts) - len(missing))
    new: dict[str, NDArray[np.float32]] = {}
    if missing:
        todo_sha = list(dict.fromkeys(shas[i] for i in missing))
        first = {shas[i]: i for i in reversed(missing)}
        # Longest first across the whole job, written to the cache every ``chunk`` vectors so an interrupted
        # ingest keeps what it embedded.
        todo_sha.sort(key=lambda s: -len(texts[first[s]]))
        for start in range(0, len(todo_sha), chunk):
            part = todo_sha[start : start + chunk]
            t0 = time.perf_counter()
            vecs = embedder.embed_passages([texts[first[s]] for s in part], progress=progress)
            if stats is not None:
                stats.seconds += time.perf_counter() - t0
                stats.embedded += len(part)
            if cache is not None:
                cache.put_many(model_id, part, vecs)
            new.update(zip(part, vecs, strict=True))
        if progress is not None and len(missing) > len(todo_sha):
            progress(len(missing) - len(todo_sha))
    if stats is not None:
        stats.cached += len(texts) - len(missing)
    dim = embedder.dim
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, s in enumerate(shas):
        v = found.get(s)
        out[i] = v if v is not None else new[s]
    return out

"""Passage texts and metadata in one SQLite file, so search never needs the graph to show a passage."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError

from medkg.errors import IndexCorruptError
from retrieval.faiss_index import REBUILD_COMMAND
from retrieval.types import PassageRecord

__all__ = ["PassageStore", "record_hash"]

log = logging.getLogger(__name__)

_CREATE = (
    "CREATE TABLE IF NOT EXISTS passages (cid TEXT PRIMARY KEY, doc_id TEXT NOT NULL, grp TEXT NOT NULL, "
    "sha TEXT NOT NULL, record TEXT NOT NULL)"
)
_CREATE_DOC = "CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id)"
_CREATE_GRP = "CREATE INDEX IF NOT EXISTS passages_grp ON passages (grp)"
_HAS_GRP = "SELECT 1 FROM passages WHERE grp = ? LIMIT 1"
_UPSERT = "INSERT OR REPLACE INTO passages (cid, doc_id, grp, sha, record) VALUES (?, ?, ?, ?, ?)"
_DELETE = "DELETE FROM passages WHERE cid = ?"
_GET = "SELECT cid, record FROM passages WHERE cid IN ({marks})"
_STATE = "SELECT cid, grp, sha FROM passages WHERE cid IN ({marks})"
_IDS = "SELECT cid FROM passages"
_IDS_GRP = "SELECT cid FROM passages WHERE grp = ?"
_ALL_GRP = "SELECT record FROM passages WHERE grp = ? ORDER BY cid"
_COUNT = "SELECT grp, count(*) FROM passages GROUP BY grp"
_DOCS = "SELECT DISTINCT doc_id FROM passages"
_BY_DOCS = "SELECT doc_id, record FROM passages WHERE +grp = ? AND doc_id IN ({marks}) ORDER BY cid"
_CIDS_BY_DOCS = "SELECT doc_id, cid FROM passages WHERE +grp = ? AND doc_id IN ({marks}) ORDER BY cid"


def record_hash(rec: PassageRecord) -> str:
    """sha256 of the whole record: any change (text, metadata, language) counts as a change."""
    return hashlib.sha256(rec.model_dump_json().encode("utf-8")).hexdigest()


class PassageStore:
    """``passages.sqlite3``: citation id → (document id, index group, record hash, record JSON)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = sqlite3.connect(self.path, check_same_thread=False)
                con.execute(_CREATE)
                con.execute(_CREATE_DOC)
                con.execute(_CREATE_GRP)
            except sqlite3.DatabaseError as e:
                raise IndexCorruptError(
                    f"passage store {self.path} is unreadable ({e}); rebuild with: {REBUILD_COMMAND}"
                ) from e
            self._con = con
        return self._con

    def _chunks(self, ids: Sequence[str]) -> Iterator[list[str]]:
        uniq = list(dict.fromkeys(ids))
        for i in range(0, len(uniq), 500):
            yield uniq[i : i + 500]

    def state(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """citation id → (group, record hash) for the ids that are stored."""
        out: dict[str, tuple[str, str]] = {}
        with self._lock:
            db = self._db()
            for chunk in self._chunks(ids):
                for cid, grp, sha in db.execute(_STATE.format(marks=",".join("?" * len(chunk))), chunk):
                    out[cid] = (grp, sha)
        return out

    def get(self, ids: Sequence[str]) -> dict[str, PassageRecord]:
        out: dict[str, PassageRecord] = {}
        with self._lock:
            db = self._db()
            rows = [
                r
                for chunk in self._chunks(ids)
                for r in db.execute(_GET.format(marks=",".join("?" * len(chunk))), chunk)
            ]
        try:
            for cid, rec in rows:
                out[cid] = PassageRecord.model_validate_json(rec)
        except ValidationError as e:
            raise IndexCorruptError(
                f"passage store {self.path} holds an invalid record ({e}); rebuild with: {REBUILD_COMMAND}"
            ) from e
        return out

    def upsert(self, rows: Sequence[tuple[PassageRecord, str, str]]) -> None:
        """Write ``(record, group, record hash)`` rows in one transaction."""
        with self._lock:
            db = self._db()
            with db:
                db.executemany(_UPSERT, [(r.citation_id, r.doc_id, g, h, r.model_dump_json()) for r, g, h in rows])

    def delete(self, ids: Sequence[str]) -> None:
        with self._lock:
            db = self._db()
            with db:
                db.executemany(_DELETE, [(c,) for c in dict.fromkeys(ids)])

    def ids(self, group: str | None = None) -> set[str]:
        with self._lock:
            db = self._db()
            rows = db.execute(_IDS) if group is None else db.execute(_IDS_GRP, (group,))
            return {r[0] for r in rows}

    def has_group(self, group: str) -> bool:
        with self._lock:
            return self._db().execute(_HAS_GRP, (group,)).fetchone() is not None

    def records(self, group: str) -> Iterator[PassageRecord]:
        with self._lock:
            rows = [r[0] for r in self._db().execute(_ALL_GRP, (group,))]
        for rec in rows:
            yield PassageRecord.model_validate_json(rec)

    def by_docs(self, group: str, doc_ids: Sequence[str]) -> dict[str, list[PassageRecord]]:
        """Passages of each document (of one index group), in citation-id order."""
        out: dict[str, list[PassageRecord]] = {}
        with self._lock:
            db = self._db()
            rows = [
                r
                for chunk in self._chunks(doc_ids)
                for r in db.execute(_BY_DOCS.format(marks=",".join("?" * len(chunk))), [group, *chunk])
            ]
        for doc, rec in rows:
            out.setdefault(doc, []).append(PassageRecord.model_validate_json(rec))
        return out

    def cids_by_docs(self, group: str, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        """Citation ids of each document's passages (of one index group), in order; no record parsing."""
        out: dict[str, list[str]] = {}
        with self._lock:
            db = self._db()
            for chunk in self._chunks(doc_ids):
                sql = _CIDS_BY_DOCS.format(marks=",".join("?" * len(chunk)))
                for doc, cid in db.execute(sql, [group, *chunk]):
                    out.setdefault(doc, []).append(cid)
        return out

    def doc_ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._db().execute(_DOCS)}

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {g: int(n) for g, n in self._db().execute(_COUNT)}

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

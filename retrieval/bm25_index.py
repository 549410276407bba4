"""A BM25 index (bm25s) addressed by citation id, persisted, with add/delete by id.

bm25s indexes are static, so a change marks the index dirty and the BM25 matrix is rebuilt from the stored
token lists on the next search or save (about a second for 60k passages). Tokens are stored so a rebuild
never re-tokenises.

BM25's k1 and b come from :func:`bm25_params` per language and level (passages, or whole documents). A saved
index whose parameters differ from the current ones is rebuilt from its stored tokens when loaded (no re-ingest),
so a change of parameters takes effect on every home.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from medkg.errors import IndexCorruptError, InputValidationError
from retrieval.faiss_index import REBUILD_COMMAND
from retrieval.text import tokenize

__all__ = ["BM25Index", "bm25_params"]

log = logging.getLogger(__name__)

TOKENS_FILE = "tokens.jsonl"
MODEL_DIR = "bm25s"
META_FILE = "bm25.json"

# English, chosen on the PubMedQA tune half (``medkg bench retrieval``; BM25 alone over the full development
# corpus: pubmed + bioasq + medquad, 51k passages) and confirmed on the held-out half and MedQuAD, from round
# values (k1 0.9/1.2/1.5/2.0, b 0.4/0.5/0.75/0.9): whole documents want weak length normalisation (b 0.4: a
# 4-section abstract is not a worse match than a one-snippet BioASQ document for being longer; doc R@1 tune 0.937
# -> 0.957, held-out 0.960 -> 0.980, MedQuAD 0.402 -> 0.438), passages a lower saturation (k1 1.2: tune 0.945 ->
# 0.949, held-out 0.968 -> 0.972, MedQuAD 0.390 -> 0.407). Chinese keeps bm25s' usual 1.5 / 0.75 (not re-tuned).
_PARAMS: dict[tuple[str, bool], tuple[float, float]] = {("en", False): (1.2, 0.75), ("en", True): (0.9, 0.4)}
_DEFAULT_PARAMS = (1.5, 0.75)


def bm25_params(lang: str, *, documents: bool = False) -> tuple[float, float]:
    """(k1, b) for the BM25 index of ``lang`` over passages, or (``documents``) over whole documents."""
    return _PARAMS.get(("zh" if lang == "zh" else "en", documents), _DEFAULT_PARAMS)


class BM25Index:
    """Token lists per citation id plus a bm25s model built from them. Constructing does no I/O."""

    def __init__(
        self, lang: str = "en", *, k1: float | None = None, b: float | None = None, documents: bool = False
    ) -> None:
        """``k1``/``b`` default to :func:`bm25_params` of ``lang`` and level (``documents``)."""
        self.lang = lang
        self.documents = documents
        dk1, db = bm25_params(lang, documents=documents)
        self.k1 = dk1 if k1 is None else k1
        self.b = db if b is None else b
        self._tokens: dict[str, list[str]] = {}
        self._model: Any = None
        self._order: list[str] = []
        self._dirty = False

    def __len__(self) -> int:
        return len(self._tokens)

    def ids(self) -> set[str]:
        return set(self._tokens)

    def tokenize(self, text: str) -> list[str]:
        return tokenize(text, self.lang)

    def add(self, citation_ids: Sequence[str], texts: Sequence[str]) -> None:
        """Add or replace documents (tokenised with this index's language)."""
        if len(citation_ids) != len(texts):
            raise InputValidationError("citation_ids and texts differ in length")
        for cid, text in zip(citation_ids, texts, strict=True):
            self._tokens[cid] = self.tokenize(text)
        self._dirty = self._dirty or bool(citation_ids)

    def add_tokens(self, tokens: dict[str, list[str]]) -> None:
        self._tokens.update(tokens)
        self._dirty = self._dirty or bool(tokens)

    def delete(self, citation_ids: Sequence[str]) -> int:
        n = 0
        for cid in dict.fromkeys(citation_ids):
            if self._tokens.pop(cid, None) is not None:
                n += 1
        self._dirty = self._dirty or n > 0
        return n

    def _build(self) -> None:
        import bm25s

        self._order = list(self._tokens)
        self._model = None
        if self._order:
            model = bm25s.BM25(k1=self.k1, b=self.b)
            model.index([self._tokens[c] for c in self._order], show_progress=False)
            self._model = model
        self._dirty = False

    def search(self, query: str | list[str], k: int) -> list[tuple[str, float]]:
        """Top ``k`` (citation id, BM25 score) with a positive score, best first."""
        tokens = self.tokenize(query) if isinstance(query, str) else query
        if self._dirty:
            self._build()
        if self._model is None or not tokens or k <= 0:
            return []
        vocab = self._model.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return []
        scores = np.asarray(self._model.get_scores(known), dtype=np.float32)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._order[i], float(scores[i])) for i in top.tolist() if scores[i] > 0]

    # ---- persistence -----------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        if self._dirty:
            self._build()
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (TOKENS_FILE + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for cid in self._order:
                fh.write(json.dumps([cid, self._tokens[cid]], ensure_ascii=False) + "\n")
        os.replace(tmp, directory / TOKENS_FILE)
        if self._model is not None:
            self._model.save(str(directory / MODEL_DIR), show_progress=False)
        meta = {
            "lang": self.lang,
            "k1": self.k1,
            "b": self.b,
            "count": len(self._order),
            "has_model": self._model is not None,
        }
        (directory / (META_FILE + ".tmp")).write_text(json.dumps(meta), encoding="utf-8")
        os.replace(directory / (META_FILE + ".tmp"), directory / META_FILE)

    @classmethod
    def load(
        cls, directory: Path, *, documents: bool = False, rebuild_command: str = REBUILD_COMMAND
    ) -> BM25Index:
        """Open a saved index (token lists + bm25s model); unreadable or inconsistent files → IndexCorruptError.
        Saved with other k1/b than :func:`bm25_params` gives now, the model is rebuilt from the stored tokens."""
        import bm25s

        hint = f"rebuild with: {rebuild_command}"
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            self = cls(str(meta["lang"]), documents=documents)
            saved = (float(meta["k1"]), float(meta["b"]))
            with (directory / TOKENS_FILE).open(encoding="utf-8") as fh:
                for line in fh:
                    cid, toks = json.loads(line)
                    self._tokens[str(cid)] = [str(t) for t in toks]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise IndexCorruptError(f"BM25 index in {directory} is unreadable ({e}); {hint}") from e
        self._order = list(self._tokens)
        if len(self._order) != int(meta["count"]):
            raise IndexCorruptError(
                f"BM25 index in {directory}: {len(self._order)} documents, manifest {meta['count']}; {hint}"
            )
        if saved != (self.k1, self.b):
            log.info("BM25 index in %s was built with k1=%s b=%s; rebuilding it with k1=%s b=%s from its tokens",
                     directory, *saved, self.k1, self.b)
            self._dirty = bool(self._order)
        elif meta.get("has_model"):
            try:
                self._model = bm25s.BM25.load(str(directory / MODEL_DIR), show_progress=False, verbosity=0)
            except (OSError, ValueError, KeyError) as e:
                raise IndexCorruptError(f"BM25 model in {directory} is unreadable ({e}); {hint}") from e
        return self

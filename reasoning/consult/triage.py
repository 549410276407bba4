"""The triage department classifier: a linear model over TF-IDF features of the patient's own words.

Features (one TF-IDF space, sublinear tf, L2-normalised): character 1-3-grams of ``title + ask``, jieba words of
``title + ask`` and character 1-3-grams of the title alone (the title is the patient's summary, so its n-grams
count again). The model is a class-weighted linear SVM (``medkg train triage`` fits it, see :mod:`triage_train`);
inference here needs only numpy and jieba: the artefact holds the vocabulary, idf and the (pruned) weights.
Predictions never read the doctor's ``answer``.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medkg.errors import ModelUnavailableError

__all__ = ["DEFAULT_MODEL_DIR", "TriageModel", "TriagePrediction", "features", "load_triage"]

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "triage"
WEIGHTS, META = "triage.npz", "triage.json"
_SPACE = re.compile(r"\s+")
_TRAIN = "medkg train triage"


@lru_cache(maxsize=1)
def _jieba() -> Any:
    from medkg.extras import require

    jieba = require("jieba", "ml")
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _char_ngrams(text: str, prefix: str, n_max: int = 3) -> list[str]:
    t = _SPACE.sub(" ", text.lower()).strip()
    out: list[str] = []
    for n in range(1, n_max + 1):
        out.extend(prefix + t[i : i + n] for i in range(len(t) - n + 1))
    return out


def features(title: str, ask: str) -> list[str]:
    """The feature tokens of one consultation (``c:`` text n-grams, ``w:`` words, ``t:`` title n-grams)."""
    text = f"{title}。{ask}" if title and ask else (title or ask)
    words = [w.strip().lower() for w in _jieba().lcut(text)]
    return [*_char_ngrams(text, "c:"), *("w:" + w for w in words if w), *_char_ngrams(title, "t:")]


@dataclass(frozen=True)
class TriagePrediction:
    """Departments (the training data's own labels, best first) with softmax-normalised scores."""

    labels: list[str]
    scores: list[float]


class TriageModel:
    """A trained classifier: ``predict(title, ask)`` ranks the departments."""

    def __init__(self, vocab: dict[str, int], idf: NDArray[np.float64], coef: NDArray[Any],
                 intercept: NDArray[np.float64], classes: list[str], meta: dict[str, Any]) -> None:
        self.vocab, self.idf, self.coef, self.intercept = vocab, idf, coef, intercept
        self.classes, self.meta = classes, meta

    def decision(self, title: str, ask: str) -> NDArray[np.float64]:
        """Raw class scores (linear decision values)."""
        counts = Counter(f for f in features(title, ask) if f in self.vocab)
        if not counts:
            return self.intercept.astype(np.float64).copy()
        idx = np.fromiter((self.vocab[f] for f in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
        x = tf * self.idf[idx]
        x /= float(np.linalg.norm(x)) or 1.0
        out: NDArray[np.float64] = x @ self.coef[idx].astype(np.float64) + self.intercept
        return out

    def predict(self, title: str, ask: str = "", *, k: int | None = None) -> TriagePrediction:
        d = self.decision(title, ask)
        temp = float(self.meta.get("temperature", 1.0))
        p = np.exp((d - d.max()) / temp)
        p /= p.sum()
        order = np.argsort(-p)[: k or len(self.classes)]
        return TriagePrediction([self.classes[i] for i in order], [round(float(p[i]), 4) for i in order])

    # -- persistence ------------------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        tmp = folder / (WEIGHTS + ".tmp.npz")
        np.savez_compressed(tmp, vocab=np.array(names), idf=self.idf.astype(np.float32),
                            coef=self.coef.astype(np.float16), intercept=self.intercept.astype(np.float32))
        tmp.replace(folder / WEIGHTS)
        (folder / META).write_text(json.dumps({**self.meta, "classes": self.classes}, ensure_ascii=False, indent=1)
                                   + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TriageModel:
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            with np.load(folder / WEIGHTS, allow_pickle=False) as z:
                names = [str(v) for v in z["vocab"]]
                idf, coef, intercept = z["idf"], z["coef"], z["intercept"].astype(np.float64)
        except (OSError, ValueError, KeyError) as e:
            raise ModelUnavailableError(f"triage model in {folder} is missing or unreadable ({type(e).__name__}); "
                                        f"train it with: {_TRAIN}") from e
        classes = [str(c) for c in meta["classes"]]
        if coef.shape != (len(names), len(classes)) or idf.shape != (len(names),):
            raise ModelUnavailableError(f"triage model in {folder} has inconsistent shapes; retrain: {_TRAIN}")
        return cls({n: i for i, n in enumerate(names)}, idf.astype(np.float64), coef, intercept, classes, meta)


@lru_cache(maxsize=4)
def load_triage(folder: Path = DEFAULT_MODEL_DIR) -> TriageModel:
    """The committed (or a given) triage model, loaded once per process."""
    return TriageModel.load(folder)

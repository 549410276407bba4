"""Training and evaluating the triage classifier on consultations in the ``zh_consultations.jsonl`` format.

Split: the first 80% of the file trains, the last 20% validates (file order, no shuffling). Input is the
patient's ``title`` and ``ask``; the doctor's ``answer`` is never read (it may be absent).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medkg.errors import DataFileError, EmptyInputError, RowError
from medkg.extras import require
from reasoning.consult.triage import TriageModel, features

__all__ = ["Consultation", "evaluate_triage", "read_consultations", "train_triage"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Consultation:
    department: str
    title: str
    ask: str


def read_consultations(path: Path, *, limit: int | None = None, require_department: bool = True
                       ) -> list[Consultation]:
    """Rows of a consultations JSONL file (``department``, ``title``, ``ask``; ``answer`` ignored).

    A malformed line raises :class:`RowError` naming the file and line."""
    rows: list[Consultation] = []
    try:
        fh = path.open(encoding="utf-8")
    except OSError as e:
        raise DataFileError(path, f"cannot read consultations file: {e.strerror or e}") from e
    with fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise RowError(path, line_no, f"not JSON ({e.msg})") from e
            if not isinstance(obj, dict):
                raise RowError(path, line_no, "expected a JSON object")
            title, ask, dept = obj.get("title") or "", obj.get("ask") or "", obj.get("department") or ""
            if not all(isinstance(v, str) for v in (title, ask, dept)):
                raise RowError(path, line_no, "'title', 'ask' and 'department' must be strings")
            if not (title.strip() or ask.strip()):
                raise RowError(path, line_no, "needs a non-empty 'title' or 'ask'")
            if require_department and not dept.strip():
                raise RowError(path, line_no, "needs a 'department'")
            rows.append(Consultation(dept.strip(), title.strip(), ask.strip()))
            if limit is not None and len(rows) >= limit:
                break
    if not rows:
        raise EmptyInputError(f"{path}: no consultations")
    return rows


def train_triage(rows: Sequence[Consultation], *, train_share: float = 0.8, c: float = 1.0, prune: float = 2e-3,
                 seed: int = 0) -> tuple[TriageModel, dict[str, Any]]:
    """Fit the classifier on the first ``train_share`` of ``rows``; return it and its validation report."""
    sk_text = require("sklearn.feature_extraction.text", "ml")
    sk_svm = require("sklearn.svm", "ml")
    cut = int(len(rows) * train_share)
    train, val = list(rows[:cut]), list(rows[cut:])
    if not train or not val:
        raise EmptyInputError(f"need rows for both the train and validation parts, got {len(rows)}")
    t0 = time.perf_counter()
    vec = sk_text.TfidfVectorizer(analyzer=lambda r: features(r[0], r[1]), sublinear_tf=True, min_df=2)
    x = vec.fit_transform([(r.title, r.ask) for r in train])
    y = [r.department for r in train]
    svm = sk_svm.LinearSVC(C=c, class_weight="balanced", max_iter=5000, random_state=seed).fit(x, y)
    classes = [str(k) for k in svm.classes_]
    coef = np.asarray(svm.coef_, dtype=np.float64).T  # (features, classes)
    intercept = np.asarray(svm.intercept_, dtype=np.float64)
    if len(classes) == 2:  # a binary SVM has one weight vector, for the second class
        coef, intercept = np.hstack([-coef, coef]), np.array([-intercept[0], intercept[0]])
    keep = np.abs(coef).max(axis=1) >= prune
    names = vec.get_feature_names_out()
    vocab = {str(names[i]): j for j, i in enumerate(np.flatnonzero(keep))}
    meta = {"format": 1, "model": "LinearSVC(class_weight=balanced)", "C": c, "features": len(vocab),
            "features_before_pruning": len(names), "prune_below": prune, "train_rows": len(train),
            "validation_rows": len(val), "train_share": train_share, "temperature": 0.5}
    model = TriageModel(vocab, np.asarray(vec.idf_)[keep], coef[keep], intercept,
                        classes, meta)
    train_s = time.perf_counter() - t0
    report = evaluate_triage(model, val)
    report["train_seconds"] = round(train_s, 1)
    model.meta["validation"] = {k: report[k] for k in ("n", "top1", "top3", "macro_f1")}
    return model, report


def evaluate_triage(model: TriageModel, rows: Sequence[Consultation]) -> dict[str, Any]:
    """``n``, ``top1``, ``top3``, ``macro_f1``, ``per_department`` (precision, recall, f1, support) and
    ``confusion`` (``labels`` and ``matrix``, rows = true department, columns = predicted)."""
    labels = sorted({*model.classes, *(r.department for r in rows)})
    index = {lab: i for i, lab in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    top1 = top3 = 0
    t0 = time.perf_counter()
    for r in rows:
        pred = model.predict(r.title, r.ask, k=3)
        top1 += pred.labels[0] == r.department
        top3 += r.department in pred.labels
        matrix[index[r.department], index[pred.labels[0]]] += 1
    per: dict[str, dict[str, float | int]] = {}
    f1s: list[float] = []
    for lab, i in index.items():
        tp, support, predicted = int(matrix[i, i]), int(matrix[i].sum()), int(matrix[:, i].sum())
        if support == 0 and predicted == 0:
            continue
        prec = tp / predicted if predicted else 0.0
        rec = tp / support if support else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": support}
        f1s.append(f1)  # labels only predicted count as 0, as in scikit-learn's macro average
    n = len(rows)
    return {"n": n, "top1": round(top1 / n, 4), "top3": round(top3 / n, 4),
            "macro_f1": round(float(np.mean(f1s)) if f1s else 0.0, 4), "per_department": per,
            "confusion": {"labels": labels, "matrix": matrix.tolist()},
            "ms_per_case": round(1000 * (time.perf_counter() - t0) / n, 3)}

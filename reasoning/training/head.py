"""Train the lexical yes/no/maybe head on the PubMedQA dev examples outside the fixed validation part."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from medkg.extras import require
from reasoning.answer.decision_head import LexicalDecisionHead, head_terms
from reasoning.answer.prompt import PromptConfig, build_prompt
from reasoning.training.data import _rows, pubmedqa_bundle, split_of

__all__ = ["pubmedqa_rows", "train_lexical_head"]


def pubmedqa_rows(data: Path, split: str, prompt: PromptConfig | None = None) -> list[tuple[str, list[str], str]]:
    """(question, evidence item texts as the engine's prompt holds them, label) of one split."""
    abstracts = {str(r["pmid"]): r for r in _rows(data / "literature" / "pubmed_abstracts.jsonl")}
    out = []
    for row in _rows(data / "eval" / "pubmedqa_dev.jsonl"):
        pmid = str(row["pmid"])
        if split_of(pmid) != split or pmid not in abstracts:
            continue
        plan = build_prompt(row["question"], pubmedqa_bundle(row["question"], abstracts[pmid]), config=prompt)
        out.append((str(row["question"]), [i.text for i in plan.items], str(row["final_decision"])))
    return out


def train_lexical_head(data: Path, out: Path, *, c_grid: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0),
                       min_df: int = 2, seed: int = 0) -> dict[str, Any]:
    """Fit, choose C by 5-fold CV on the train part, score on the validation part; write the head JSON."""
    np = require("numpy", "ml")
    lm = require("sklearn.linear_model", "ml")
    ms = require("sklearn.model_selection", "ml")
    train = pubmedqa_rows(data, "train")
    val = pubmedqa_rows(data, "val")
    df: Counter[str] = Counter()
    for q, ev, _ in train:
        df.update(head_terms(q, ev).keys())
    vocab = sorted(t for t, n in df.items() if n >= min_df)
    n = len(train)
    idf = {t: math.log((1 + n) / (1 + df[t])) + 1 for t in vocab}
    classes = ["yes", "no", "maybe"]
    proto = LexicalDecisionHead({"classes": classes, "idf": idf, "weights": {}, "bias": [0, 0, 0]})
    index = {t: i for i, t in enumerate(vocab)}

    def matrix(rows: list[tuple[str, list[str], str]]) -> Any:
        x = np.zeros((len(rows), len(vocab)), dtype=np.float32)
        for r, (q, ev, _) in enumerate(rows):
            for t, v in proto.vector(head_terms(q, ev)).items():
                x[r, index[t]] = v
        return x

    xtr, ytr = matrix(train), np.array([classes.index(lab) for _, _, lab in train])
    xva, yva = matrix(val), np.array([classes.index(lab) for _, _, lab in val])
    cv = {}
    for c in c_grid:
        clf = lm.LogisticRegression(C=c, max_iter=2000)
        cv[c] = float(ms.cross_val_score(clf, xtr, ytr, cv=ms.StratifiedKFold(5, shuffle=True, random_state=seed))
                      .mean())
    best_c = max(cv, key=lambda c: cv[c])
    clf = lm.LogisticRegression(C=best_c, max_iter=2000).fit(xtr, ytr)
    val_acc = float((clf.predict(xva) == yva).mean())
    coef = clf.coef_  # (3, V) in classes order (labels 0..2)
    weights = {t: [round(float(coef[k, i]), 5) for k in range(3)] for t, i in index.items()
               if any(abs(coef[k, i]) > 1e-4 for k in range(3))}
    data_out: dict[str, Any] = {
        "head_id": "pubmedqa-lexical-lr", "classes": classes, "idf": {t: round(v, 5) for t, v in idf.items()
                                                                      if t in weights},
        "weights": weights, "bias": [round(float(b), 5) for b in clf.intercept_],
        "meta": {"train": len(train), "val": len(val), "C": best_c, "cv_accuracy": cv, "val_accuracy": val_acc,
                 "majority_val": float(max(np.bincount(yva, minlength=3)) / len(yva)), "chosen": False},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data_out), encoding="utf-8")
    return dict(data_out["meta"])

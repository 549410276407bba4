"""Choose the checker's support threshold on a validation split (``medkg eval calibrate``).

Pairs from the PubMedQA dev part used for training (never its validation part): each conclusion sentence
(``long_answer``) against its own abstract (supported) and against another abstract of the same file (not
supported). The threshold that maximises balanced accuracy on one half is chosen and scored on the other half;
the conclusions only calibrate the checker, they never enter a prompt.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from reasoning.answer.checker import CALIBRATION_FILE, support_score
from reasoning.training.data import _rows, split_of

__all__ = ["calibrate_threshold", "support_pairs"]


def support_pairs(data: Path, seed: int = 0) -> list[tuple[float, bool]]:
    abstracts = {str(r["pmid"]): " ".join(s.get("text", "") for s in r.get("sections") or [])
                 for r in _rows(data / "literature" / "pubmed_abstracts.jsonl")}
    rows = [r for r in _rows(data / "eval" / "pubmedqa_dev.jsonl")
            if split_of(str(r["pmid"])) == "train" and str(r["pmid"]) in abstracts]
    rng = random.Random(seed)
    pmids = [str(r["pmid"]) for r in rows]
    pairs: list[tuple[float, bool]] = []
    for r in rows:
        own = str(r["pmid"])
        other = rng.choice([p for p in pmids if p != own])
        for sent in re.split(r"(?<=[.!?])\s+", str(r.get("long_answer", ""))):
            if len(sent) < 20:
                continue
            pairs.append((support_score(sent, abstracts[own]), True))
            pairs.append((support_score(sent, abstracts[other]), False))
    return pairs


def _balanced(pairs: list[tuple[float, bool]], t: float) -> float:
    pos = [s for s, y in pairs if y]
    neg = [s for s, y in pairs if not y]
    tpr = sum(s >= t for s in pos) / max(1, len(pos))
    tnr = sum(s < t for s in neg) / max(1, len(neg))
    return (tpr + tnr) / 2


def calibrate_threshold(data: Path, out: Path = CALIBRATION_FILE, seed: int = 0, max_false_accept: float = 0.02
                        ) -> dict[str, Any]:
    """The best balanced-accuracy threshold whose false-accept rate on the fit half is at most
    ``max_false_accept`` (an unsupported sentence shown costs more than a supported one dropped)."""
    pairs = support_pairs(data, seed)
    random.Random(seed).shuffle(pairs)
    fit, held = pairs[: len(pairs) // 2], pairs[len(pairs) // 2 :]
    grid = [round(0.10 + 0.025 * i, 3) for i in range(33)]
    neg_fit = [s for s, y in fit if not y]
    safe = [t for t in grid if sum(s >= t for s in neg_fit) / max(1, len(neg_fit)) <= max_false_accept]
    best = max(safe or grid[-1:], key=lambda t: _balanced(fit, t))
    neg_held = [s for s, y in held if not y]
    pos_held = [s for s, y in held if y]
    report = {
        "threshold": best, "pairs": len(pairs), "fit_balanced_accuracy": _balanced(fit, best),
        "held_balanced_accuracy": _balanced(held, best),
        "held_false_accept": sum(s >= best for s in neg_held) / max(1, len(neg_held)),
        "held_true_accept": sum(s >= best for s in pos_held) / max(1, len(pos_held)),
        "max_false_accept": max_false_accept,
        "method": "PubMedQA train-part conclusions vs own / other abstract; lexical support score",
    }
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report

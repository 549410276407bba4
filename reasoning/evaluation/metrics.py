"""Classification metrics and report plots (matplotlib optional: no plots without it)."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["classification_report", "latency", "plot_calibration", "plot_confusion"]

log = logging.getLogger(__name__)


def classification_report(gold: Sequence[str | None], pred: Sequence[str | None], classes: Sequence[str]
                          ) -> dict[str, Any]:
    """n, accuracy (a missing prediction counts as wrong), per-class precision/recall, confusion[gold][pred]."""
    pairs = [(g, p) for g, p in zip(gold, pred, strict=True) if g is not None]
    n = len(pairs)
    acc = sum(g == p for g, p in pairs) / n if n else 0.0
    per: dict[str, dict[str, float]] = {}
    for c in classes:
        tp = sum(g == c and p == c for g, p in pairs)
        pp = sum(p == c for _, p in pairs)
        gp = sum(g == c for g, _ in pairs)
        per[c] = {"precision": tp / pp if pp else 0.0, "recall": tp / gp if gp else 0.0, "support": gp}
    labels = [*classes, "none"]
    conf = {g: {p: sum(gg == g and (pp or "none") == p for gg, pp in pairs) for p in labels} for g in classes}
    majority = max((sum(g == c for g, _ in pairs) for c in classes), default=0) / n if n else 0.0
    return {"n": n, "accuracy": acc, "per_class": per, "confusion": conf, "majority": majority,
            "no_prediction": sum(p is None for _, p in pairs)}


def latency(ms: Sequence[float]) -> dict[str, float]:
    if not ms:
        return {}
    s = sorted(ms)
    return {"p50": statistics.median(s), "p90": s[min(len(s) - 1, int(0.9 * len(s)))], "mean": statistics.fmean(s)}


def _plt() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib is not installed (pip install 'medkg[plots]'): no PNG plots")
        return None
    return plt


def plot_confusion(conf: dict[str, dict[str, int]], path: Path, title: str) -> Path | None:
    plt = _plt()
    if plt is None:
        return None
    rows = list(conf)
    cols = list(next(iter(conf.values())).keys()) if conf else []
    fig, ax = plt.subplots(figsize=(4, 3.4))
    data = [[conf[r][c] for c in cols] for r in rows]
    ax.imshow(data, cmap="Blues")
    for i, r in enumerate(data):
        for j, v in enumerate(r):
            ax.text(j, i, str(v), ha="center", va="center")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_calibration(conf_correct: Sequence[tuple[float, bool]], path: Path, title: str, bins: int = 5
                     ) -> Path | None:
    """Reliability diagram: mean confidence vs accuracy per confidence bin (support scores or head probabilities)."""
    plt = _plt()
    if plt is None or not conf_correct:
        return None
    xs, ys = [], []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = [(c, ok) for c, ok in conf_correct if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if sel:
            xs.append(sum(c for c, _ in sel) / len(sel))
            ys.append(sum(ok for _, ok in sel) / len(sel))
    fig, ax = plt.subplots(figsize=(3.6, 3.4))
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=0.8)
    ax.plot(xs, ys, "o-")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

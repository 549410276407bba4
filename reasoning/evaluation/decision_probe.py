"""The generator's yes/no/maybe decision measured cheaply: one forward pass over the engine's prompt plus the
assistant prefix ``Decision:``, taking the most probable of the three first tokens (its constrained greedy
pick, without decoding), with and without the LoRA adapter on one loaded model."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from reasoning.answer.prompt import PromptConfig, build_prompt
from reasoning.evaluation.metrics import classification_report
from reasoning.evaluation.readers import YesNoRow
from reasoning.generation.transformers_generator import TransformersGenerator, choice_probabilities
from retrieval import EvidenceBundle

__all__ = ["probe_decisions"]

CLASSES = ("yes", "no", "maybe")


def probe_decisions(
    gen: TransformersGenerator,
    rows: Sequence[YesNoRow],
    bundle_for: Callable[[YesNoRow], EvidenceBundle],
    *,
    prompt: PromptConfig | None = None,
    variants: Sequence[str] = ("base", "adapter"),
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Per variant ('base' = adapter disabled, 'adapter'): accuracy, per-class figures, confusion, seconds."""
    preds: dict[str, list[str | None]] = {v: [] for v in variants}
    conf: dict[str, list[tuple[float, bool]]] = {v: [] for v in variants}
    t0 = time.perf_counter()
    model = gen.model
    for i, row in enumerate(rows, start=1):
        plan = build_prompt(row.question, bundle_for(row), config=prompt)
        for v in variants:
            ctx = model.disable_adapter() if v == "base" and hasattr(model, "disable_adapter") else nullcontext()
            with ctx:
                probs = choice_probabilities(gen, plan.messages, "Decision:", CLASSES)
            best = max(probs, key=lambda c: probs[c])
            preds[v].append(best)
            conf[v].append((probs[best], best == row.label))
        if progress is not None:
            progress(i, len(rows))
    gold = [r.label for r in rows]
    out: dict[str, Any] = {"n": len(rows), "seconds": time.perf_counter() - t0, "model": gen.model_id}
    for v in variants:
        out[v] = classification_report(gold, preds[v], CLASSES)
        out[v]["confidence"] = conf[v]
    return out

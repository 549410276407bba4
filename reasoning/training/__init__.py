"""Fine-tuning the answer generator (LoRA with peft) on examples built only from ``../shared/data``."""

from __future__ import annotations

from reasoning.training.data import TRAIN_PROMPT, Example, build_examples, pubmedqa_bundle, split_of
from reasoning.training.lora import LoraConfig, TrainResult, interleave, train_lora

__all__ = [
    "TRAIN_PROMPT",
    "Example",
    "LoraConfig",
    "TrainResult",
    "build_examples",
    "interleave",
    "pubmedqa_bundle",
    "split_of",
    "train_lora",
]

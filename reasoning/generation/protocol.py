"""The ``Generator`` protocol: what the answer engine needs from a language model, and nothing more."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

__all__ = ["ChatMessage", "Generator"]

ChatMessage = Mapping[str, str]
"""One chat turn: ``{"role": "system" | "user" | "assistant", "content": str}``."""


@runtime_checkable
class Generator(Protocol):
    """A chat language model. Greedy (deterministic) unless an implementation documents otherwise.

    ``generate`` returns the whole completion; ``stream`` yields it as text deltas whose concatenation equals what
    ``generate`` would return for the same arguments. ``stop`` strings end the completion early (not included).
    """

    @property
    def model_id(self) -> str:
        """A stable id of the model (base id, plus ``+adapter`` when one is loaded)."""
        ...

    def generate(
        self, prompt_messages: Sequence[ChatMessage], max_new_tokens: int = 256, *, stop: Sequence[str] = ()
    ) -> str: ...

    def stream(
        self, prompt_messages: Sequence[ChatMessage], max_new_tokens: int = 256, *, stop: Sequence[str] = ()
    ) -> Iterator[str]: ...

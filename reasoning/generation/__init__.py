"""The answer generator: the ``Generator`` protocol and its transformers implementation (loaded lazily).

Nothing here imports torch or transformers at import time; ``TransformersGenerator`` loads its model on first use.
"""

from __future__ import annotations

from reasoning.generation.factory import ADAPTERS_DIR, DEFAULT_ADAPTER, load_generator, packaged_adapter
from reasoning.generation.models import PACKAGED, ResolvedModel, convert_packaged, dist_file, resolve_generator_path
from reasoning.generation.protocol import ChatMessage, Generator
from reasoning.generation.transformers_generator import Decoding, GenerationStats, TransformersGenerator, cpu_has_bf16

__all__ = [
    "ADAPTERS_DIR",
    "DEFAULT_ADAPTER",
    "PACKAGED",
    "ChatMessage",
    "Decoding",
    "GenerationStats",
    "Generator",
    "ResolvedModel",
    "TransformersGenerator",
    "convert_packaged",
    "cpu_has_bf16",
    "dist_file",
    "load_generator",
    "packaged_adapter",
    "resolve_generator_path",
]

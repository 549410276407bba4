"""Build the configured generator: base model (packaged default, folder or hub id) plus the LoRA adapter."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from medkg.errors import ModelUnavailableError
from reasoning.generation.models import PACKAGED, resolve_generator_path
from reasoning.generation.transformers_generator import Decoding, TransformersGenerator

__all__ = ["ADAPTERS_DIR", "DEFAULT_ADAPTER", "load_generator", "packaged_adapter"]

log = logging.getLogger(__name__)

ADAPTERS_DIR = Path(__file__).resolve().parent / "adapters"
DEFAULT_ADAPTER = "medkg-qwen05-lora"

_cache: dict[tuple[str, ...], TransformersGenerator] = {}
_cache_lock = threading.Lock()


def packaged_adapter(name: str = DEFAULT_ADAPTER) -> Path | None:
    """The committed adapter folder ``name`` when it holds weights, else None."""
    d = ADAPTERS_DIR / name
    return d if (d / "adapter_config.json").exists() and any(d.glob("adapter_model.*")) else None


def _adapter_base(adapter: Path) -> str:
    """The packaged base key the adapter was trained on, or '' when it is not marked as the default (its model
    card's measurements decide: ``"default": true`` in medkg_adapter.json)."""
    try:
        cfg = json.loads((adapter / "medkg_adapter.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(cfg.get("base", "")) if cfg.get("default") is True else ""


def load_generator(
    spec: str = "",
    *,
    cache: Path,
    adapter: str = "",
    device: str = "auto",
    dtype: str = "auto",
    decoding: Decoding = "greedy",
    offline: bool = True,
    test: bool = False,
    shared: bool = True,
) -> TransformersGenerator:
    """The generator for ``spec`` ('' = packaged default, see ``models.resolve_generator_path``).

    ``adapter``: '' = the committed adapter when it was trained on this base and is marked default, 'none' = no
    adapter, else a folder.
    With ``shared`` the instance is cached per process, so the model is loaded once.
    """
    key = (spec, str(cache), adapter, device, dtype, decoding, str(offline), str(test))
    with _cache_lock:
        if shared and key in _cache:
            return _cache[key]
        ref = resolve_generator_path(spec, cache=cache, offline=offline, test=test)
        adapter_path: Path | None = None
        if adapter == "":
            pkg = packaged_adapter()
            base_key = spec or ("smollm2-135m" if test else "qwen2.5-0.5b")
            if pkg is not None and _adapter_base(pkg) == base_key and base_key in PACKAGED:
                adapter_path = pkg
        elif adapter != "none":
            adapter_path = Path(adapter).expanduser()
            if not (adapter_path / "adapter_config.json").exists():
                raise ModelUnavailableError(
                    f"adapter {adapter!r} is not a peft adapter folder (no adapter_config.json)"
                )
        gen = TransformersGenerator(
            ref.location,
            model_id=ref.model_id,
            adapter=str(adapter_path) if adapter_path else None,
            adapter_id=adapter_path.name if adapter_path else None,
            device=device,
            dtype=dtype,
            decoding=decoding,
        )
        if shared:
            _cache[key] = gen
        return gen

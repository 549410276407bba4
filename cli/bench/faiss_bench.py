"""``medkg bench faiss``: exact (flat) vs IVF-PQ on N synthetic 384-d vectors: build time, QPS, recall@10.

The vectors are a normalised mixture of Gaussians (clustered like sentence embeddings; uniform random vectors
would be a worst case no real corpus looks like). Queries are perturbed corpus points; the ground truth is the
exact flat search. On a machine where faiss sees a GPU the same indexes are also searched on the GPU.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray
from rich.table import Table

from cli.common import JsonOpt, console, print_json

__all__ = ["bench_faiss"]

log = logging.getLogger(__name__)


def _data(n: int, d: int, nq: int, seed: int) -> tuple[NDArray[Any], NDArray[Any]]:
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((max(16, n // 1000), d)).astype("float32")
    x = np.empty((n, d), dtype="float32")
    step = 100_000
    for i in range(0, n, step):
        m = min(step, n - i)
        x[i : i + m] = centers[rng.integers(0, len(centers), m)] + 0.6 * rng.standard_normal((m, d)).astype("float32")
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[rng.integers(0, n, nq)] + 0.1 * rng.standard_normal((nq, d)).astype("float32")
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return x, q.astype("float32")


def _recall(found: NDArray[Any], truth: NDArray[Any], k: int = 10) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth, strict=True)]))


def _timed_search(index: Any, q: NDArray[Any], k: int) -> tuple[NDArray[Any], float]:
    index.search(q[:10], k)
    t = time.perf_counter()
    _, ids = index.search(q, k)
    return ids, len(q) / (time.perf_counter() - t)


def bench_faiss(
    n: Annotated[int, typer.Option("--n", min=1000, help="Number of synthetic vectors.")] = 1_000_000,
    dim: Annotated[int, typer.Option("--dim", min=8, help="Vector dimension.")] = 384,
    queries: Annotated[int, typer.Option("--queries", min=10, help="Number of queries.")] = 1000,
    nlist: Annotated[int, typer.Option("--nlist", min=1, help="IVF lists (capped at n/39).")] = 4096,
    pq_m: Annotated[int, typer.Option("--pq-m", min=1, help="PQ sub-quantizers (must divide dim).")] = 48,
    nprobe: Annotated[str, typer.Option("--nprobe", help="Comma list of nprobe values for IVF-PQ.")] = "16,64",
    seed: int = 0,
    json_out: JsonOpt = False,
) -> None:
    """QPS and recall@10 of flat vs IVF-PQ (CPU, and GPU when faiss sees one)."""
    from medkg.extras import require

    faiss = require("faiss", "ml")
    x, q = _data(n, dim, queries, seed)
    rows: list[dict[str, Any]] = []
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(x)
    build = time.perf_counter() - t
    truth, qps = _timed_search(flat, q, 10)
    rows.append(
        {
            "index": "flat",
            "device": "cpu",
            "build_s": build,
            "qps": qps,
            "recall@10": 1.0,
            "bytes/vector": len(faiss.serialize_index(flat)) / n if n <= 200_000 else 4.0 * dim,
        }
    )
    nl = max(1, min(nlist, n // 39))
    t = time.perf_counter()
    ivf = faiss.index_factory(dim, f"IVF{nl},PQ{pq_m}x8", faiss.METRIC_INNER_PRODUCT)
    train = x[np.random.default_rng(seed).choice(n, min(n, max(nl * 39, 50_000)), replace=False)]
    ivf.do_polysemous_training = False  # polysemous codes are not searched here; their training is slow
    ivf.train(train)
    ivf.add(x)
    build = time.perf_counter() - t
    size = len(faiss.serialize_index(ivf)) / n
    for npb in (int(v) for v in nprobe.split(",") if v.strip()):
        ivf.nprobe = npb
        ids, qps = _timed_search(ivf, q, 10)
        rows.append(
            {
                "index": f"IVF{nl},PQ{pq_m} nprobe={npb}",
                "device": "cpu",
                "build_s": build,
                "qps": qps,
                "recall@10": _recall(ids, truth),
                "bytes/vector": size,
            }
        )
    # the same IVF-PQ with an exact re-rank of the top k_factor*k candidates (stores the raw vectors too)
    t = time.perf_counter()
    refine = faiss.IndexRefine(ivf, flat)  # both already hold x in the same order
    refine.k_factor = 8
    rbuild = build + time.perf_counter() - t
    ids, qps = _timed_search(refine, q, 10)
    rows.append(
        {
            "index": f"IVF{nl},PQ{pq_m} nprobe={ivf.nprobe} + exact re-rank x8",
            "device": "cpu",
            "build_s": rbuild,
            "qps": qps,
            "recall@10": _recall(ids, truth),
            "bytes/vector": size + 4.0 * dim,
        }
    )
    ngpu = int(faiss.get_num_gpus()) if hasattr(faiss, "get_num_gpus") else 0
    if ngpu > 0:
        for name, idx in (("flat", flat), (f"IVF{nl},PQ{pq_m} nprobe={ivf.nprobe}", ivf)):
            t = time.perf_counter()
            g = faiss.index_cpu_to_all_gpus(idx)
            move = time.perf_counter() - t
            ids, qps = _timed_search(g, q, 10)
            rows.append(
                {
                    "index": name,
                    "device": f"gpu x{ngpu}",
                    "build_s": move,
                    "qps": qps,
                    "recall@10": _recall(ids, truth),
                    "bytes/vector": rows[0 if name == "flat" else -1]["bytes/vector"],
                }
            )
    if json_out:
        print_json({"n": n, "dim": dim, "queries": queries, "gpus": ngpu, "rows": rows})
        return
    table = Table(title=f"FAISS {n:,} x {dim}-d synthetic (clustered), {queries} queries, k=10, gpus={ngpu}")
    for c in ("index", "device", "build/move s", "QPS", "recall@10", "bytes/vector"):
        table.add_column(c, justify="left" if c in ("index", "device") else "right")
    for r in rows:
        table.add_row(
            r["index"],
            r["device"],
            f"{r['build_s']:.1f}",
            f"{r['qps']:,.0f}",
            f"{r['recall@10']:.3f}",
            f"{r['bytes/vector']:.0f}",
        )
    console.print(table)

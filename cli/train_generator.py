"""``medkg train generator``: LoRA-fine-tune the answer generator on examples built from ``../shared/data``."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataOpt, console, settings_for
from medkg.data import resolve_data_dir
from medkg.errors import InputValidationError

__all__ = ["train_generator"]

log = logging.getLogger(__name__)


def train_generator(
    base: Annotated[
        str, typer.Option("--base", help="Base model: qwen2.5-0.5b (default), qwen2.5-1.5b, smollm2-135m or a folder.")
    ] = "qwen2.5-0.5b",
    out: Annotated[
        Path | None, typer.Option("--out", help="Adapter folder (default: <MEDKG_HOME>/adapters/<base>-lora).")
    ] = None,
    steps: Annotated[int, typer.Option("--steps", min=1, max=100_000, help="Optimizer steps (batch 1).")] = 120,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from <out>/checkpoint.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the data order, LoRA init and dropout.")] = 0,
    top_layers: Annotated[int, typer.Option("--top-layers", min=1, help="LoRA on the top N layers.")] = 8,
    lr: Annotated[float, typer.Option("--lr", help="Peak learning rate.")] = 3e-4,
    threads: Annotated[int, typer.Option("--threads", min=1, help="torch CPU threads.")] = 2,
    data: DataOpt = None,
) -> None:
    """Train the LoRA adapter (PubMedQA dev minus its fixed validation part, MedQuAD, refusals, Chinese
    consultations; see reasoning/training/data.py) and write it with medkg_adapter.json, losses.json and loss.png.
    Seeded and checkpointed every 20 steps: --resume continues an interrupted run."""
    from reasoning.generation import PACKAGED, convert_packaged
    from reasoning.training import LoraConfig, build_examples, train_lora

    settings = settings_for()
    data_dir = resolve_data_dir(data, settings.data_dir)
    if base in PACKAGED:
        base_dir = convert_packaged(base, settings.models_dir)
    else:
        base_dir = Path(base).expanduser()
        if not (base_dir / "config.json").exists():
            raise InputValidationError(f"--base {base!r} is neither a packaged model ({', '.join(PACKAGED)}) "
                                       "nor a transformers folder")
    dest = out or settings.home / "adapters" / f"{base}-lora"
    import torch

    torch.set_num_threads(threads)
    examples = build_examples(data_dir, split="train", seed=seed)
    counts: dict[str, int] = {}
    for e in examples:
        counts[e.task] = counts.get(e.task, 0) + 1
    console.print(f"examples: {counts}  base: {base_dir}  out: {dest}", highlight=False)

    def on_step(step: int, loss: float) -> None:
        if step % 5 == 0 or step == 1:
            console.print(f"step {step}/{steps} loss {loss:.3f}", highlight=False)

    res = train_lora(
        base_dir, examples, dest, config=LoraConfig(steps=steps, seed=seed, top_layers=top_layers, lr=lr),
        resume=resume, on_step=on_step, meta={"base": base, "train_examples": counts, "data": str(data_dir)},
    )
    _plot(res.losses, dest / "loss.png")
    console.print(json.dumps({"out": str(dest), "steps": res.steps, "seconds": round(res.seconds, 1),
                              "seen": res.counts}), highlight=False)


def _plot(losses: list[float], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib is not installed (pip install 'medkg[plots]'): no loss.png")
        return
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(range(1, len(losses) + 1), losses, lw=0.8, alpha=0.5, label="step")
    w = 10
    if len(losses) >= w:
        avg = [sum(losses[i - w : i]) / w for i in range(w, len(losses) + 1)]
        ax.plot(range(w, len(losses) + 1), avg, lw=1.5, label=f"mean of {w}")
    ax.set_xlabel("step")
    ax.set_ylabel("completion loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)

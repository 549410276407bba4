"""LoRA fine-tuning of the generator on ``build_examples`` (seeded, checkpointed, resumable).

Loss is on the completion tokens only. LoRA (peft) on the attention projections of the top ``top_layers``
layers only: backward then stops there, which roughly halves a CPU step. A checkpoint (adapter, optimizer,
step, RNG, loss history) is written every ``checkpoint_every`` steps to ``<out>/checkpoint``; ``resume``
continues from it. The finished adapter, its loss history and ``medkg_adapter.json`` go to ``<out>``.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from medkg.errors import InputValidationError
from medkg.extras import require
from reasoning.training.data import Example

__all__ = ["LoraConfig", "TrainResult", "interleave", "train_lora"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoraConfig:
    steps: int = 120
    lr: float = 3e-4
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    top_layers: int = 8
    max_len: int = 512
    seed: int = 0
    checkpoint_every: int = 20
    dtype: str = "float32"
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")


@dataclass
class TrainResult:
    out: Path
    steps: int
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def interleave(examples: list[Example], shares: dict[str, float], n: int, seed: int) -> list[Example]:
    """``n`` examples drawn round-robin by task with the given shares (cycling through each task's list)."""
    rng = random.Random(seed)
    by_task: dict[str, list[Example]] = {}
    for e in examples:
        by_task.setdefault(e.task, []).append(e)
    tasks = [t for t in shares if by_task.get(t)]
    if not tasks:
        raise InputValidationError("no training examples")
    weights = [shares[t] for t in tasks]
    pos = dict.fromkeys(tasks, 0)
    out: list[Example] = []
    for _ in range(n):
        t = rng.choices(tasks, weights)[0]
        lst = by_task[t]
        out.append(lst[pos[t] % len(lst)])
        pos[t] += 1
    return out


def _encode(tok: Any, ex: Example, max_len: int) -> tuple[list[int], list[int]]:
    msgs = [{"role": m["role"], "content": m["content"]} for m in ex.messages]
    if getattr(tok, "chat_template", None):
        prompt = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
    else:
        prompt = "".join(f"{m['role']}: {m['content']}\n" for m in msgs) + "assistant: "
    p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    c_ids = tok(ex.completion + (tok.eos_token or ""), add_special_tokens=False)["input_ids"]
    ids = (p_ids + c_ids)[-max_len:]
    labels = ([-100] * len(p_ids) + c_ids)[-max_len:]
    return ids, labels


def train_lora(
    base_dir: Path,
    examples: list[Example],
    out: Path,
    *,
    config: LoraConfig | None = None,
    resume: bool = False,
    shares: dict[str, float] | None = None,
    on_step: Callable[[int, float], None] | None = None,
    meta: dict[str, Any] | None = None,
) -> TrainResult:
    """Train a LoRA adapter on ``examples`` over the transformers folder ``base_dir``; write it to ``out``."""
    cfg = config or LoraConfig()
    torch = require("torch", "ml")
    tf = require("transformers", "ml")
    peft = require("peft", "ml")
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    tok = tf.AutoTokenizer.from_pretrained(base_dir)
    model = tf.AutoModelForCausalLM.from_pretrained(base_dir, dtype=getattr(torch, cfg.dtype))
    n_layers = int(model.config.num_hidden_layers)
    layers = list(range(max(0, n_layers - cfg.top_layers), n_layers))
    ckpt = out / "checkpoint"
    state: dict[str, Any] = {"step": 0, "losses": []}
    if resume and (ckpt / "adapter_config.json").exists():
        model = peft.PeftModel.from_pretrained(model, ckpt, is_trainable=True)
        state = json.loads((ckpt / "state.json").read_text(encoding="utf-8"))
        log.info("resuming from step %d", state["step"])
    else:
        lcfg = peft.LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                               target_modules=list(cfg.targets), layers_to_transform=layers, task_type="CAUSAL_LM")
        model = peft.get_peft_model(model, lcfg)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    if state["step"] and (ckpt / "optimizer.pt").exists():
        opt.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
    order = interleave(examples, shares or {"pubmedqa": 0.4, "medquad": 0.3, "refusal": 0.15, "zh": 0.15},
                       cfg.steps, cfg.seed)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 10) * max(0.1, 1 - s / max(1, cfg.steps))
    )
    for _ in range(state["step"]):
        sched.step()
    losses: list[float] = list(state["losses"])
    t0 = time.perf_counter()
    for step in range(state["step"], cfg.steps):
        torch.manual_seed(cfg.seed * 100_003 + step)
        ids, labels = _encode(tok, order[step], cfg.max_len)
        x = torch.tensor([ids])
        y = torch.tensor([labels])
        loss = model(input_ids=x, labels=y).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(round(float(loss.detach()), 4))
        if on_step is not None:
            on_step(step + 1, losses[-1])
        if (step + 1) % cfg.checkpoint_every == 0 or step + 1 == cfg.steps:
            ckpt.mkdir(parents=True, exist_ok=True)
            model.save_pretrained(ckpt)
            torch.save(opt.state_dict(), ckpt / "optimizer.pt")
            (ckpt / "state.json").write_text(json.dumps({"step": step + 1, "losses": losses}), encoding="utf-8")
    model.save_pretrained(out)
    counts: dict[str, int] = {}
    for e in order:
        counts[e.task] = counts.get(e.task, 0) + 1
    info = {**(meta or {}), "config": asdict(cfg), "steps": cfg.steps, "examples_seen": counts,
            "final_loss_mean_last20": round(sum(losses[-20:]) / max(1, len(losses[-20:])), 4)}
    (out / "medkg_adapter.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    (out / "losses.json").write_text(json.dumps(losses), encoding="utf-8")
    return TrainResult(out=out, steps=cfg.steps, losses=losses, seconds=time.perf_counter() - t0, counts=counts)

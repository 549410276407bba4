"""``TransformersGenerator``: the one place transformers is used for generation.

Loaded once (on first use, under a lock), thread-safe (one generation at a time per instance), greedy by
default, CUDA when present. Decoding: ``greedy``, ``prompt_lookup`` (n-gram drafts copied from the prompt: the
answers quote the evidence) or ``assisted`` (a small draft model of the same tokenizer family).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from medkg.errors import InputValidationError, ModelUnavailableError
from medkg.extras import require
from reasoning.generation.protocol import ChatMessage
from retrieval import cpu_has_bf16

__all__ = ["Decoding", "GenerationStats", "TransformersGenerator", "choice_probabilities", "cpu_has_bf16"]

log = logging.getLogger(__name__)

Decoding = Literal["greedy", "prompt_lookup", "assisted"]


class GenerationStats:
    """Counts and times of the last generation (prompt tokens, new tokens, first token and total ms)."""

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.new_tokens = 0
        self.first_token_ms: float | None = None
        self.total_ms = 0.0


class TransformersGenerator:
    """A causal LM (a local folder, or a hub id when online) with an optional peft LoRA adapter."""

    def __init__(
        self,
        location: str,
        *,
        model_id: str | None = None,
        adapter: str | None = None,
        adapter_id: str | None = None,
        device: str = "auto",
        dtype: str = "auto",
        decoding: Decoding = "greedy",
        assistant: str | None = None,
        prompt_lookup_tokens: int = 10,
        merge_adapter: bool = True,
    ) -> None:
        self.location = location
        self._model_id = model_id or location
        self.adapter = adapter
        self.adapter_id = adapter_id or (Path(adapter).name if adapter else None)
        self.device_setting = device
        self.dtype_setting = dtype
        self.decoding: Decoding = decoding
        self.assistant_location = assistant
        self.prompt_lookup_tokens = prompt_lookup_tokens
        self.merge_adapter = merge_adapter
        self.last_stats = GenerationStats()
        self._lock = threading.RLock()
        self._model: Any = None
        self._tok: Any = None
        self._assistant: Any = None
        self.device = "cpu"
        self.dtype = "float32"

    @property
    def model_id(self) -> str:
        return self._model_id + (f"+{self.adapter_id}" if self.adapter_id else "")

    # ---- loading -------------------------------------------------------------------------------------------
    def load(self) -> TransformersGenerator:
        """Load tokenizer, model (and adapter) once; later calls return at once."""
        if self._model is not None:
            return self
        with self._lock:
            if self._model is not None:
                return self
            torch = require("torch", "ml")
            tf = require("transformers", "ml")
            self.device = _device(torch, self.device_setting)
            self.dtype = _dtype(self.device, self.dtype_setting)
            t0 = time.perf_counter()
            try:
                tok = tf.AutoTokenizer.from_pretrained(self.location)
                model = tf.AutoModelForCausalLM.from_pretrained(self.location, dtype=getattr(torch, self.dtype))
            except (OSError, ValueError) as e:
                raise ModelUnavailableError(f"cannot load generator {self._model_id!r}: {e}") from e
            if self.adapter:
                peft = require("peft", "ml")
                try:
                    model = peft.PeftModel.from_pretrained(model, self.adapter)
                except (OSError, ValueError) as e:
                    raise ModelUnavailableError(f"cannot load adapter {self.adapter!r}: {e}") from e
                if self.merge_adapter:
                    model = model.merge_and_unload()
            model.to(self.device).eval()
            if tok.pad_token_id is None:
                tok.pad_token = tok.eos_token
            if self.decoding == "assisted":
                if not self.assistant_location:
                    raise ModelUnavailableError("assisted decoding needs an assistant model (a draft model folder)")
                self._assistant = (
                    tf.AutoModelForCausalLM.from_pretrained(self.assistant_location, dtype=getattr(torch, self.dtype))
                    .to(self.device)
                    .eval()
                )
            self._tok, self._model = tok, model
            log.info("generator %s loaded on %s/%s in %.1f s", self.model_id, self.device, self.dtype,
                     time.perf_counter() - t0)
        return self

    @property
    def tokenizer(self) -> Any:
        return self.load()._tok

    @property
    def model(self) -> Any:
        return self.load()._model

    # ---- tokens --------------------------------------------------------------------------------------------
    def render(self, prompt_messages: Sequence[ChatMessage], *, add_generation_prompt: bool = True) -> str:
        """The prompt as the model sees it (its chat template, or a plain fallback when it has none)."""
        tok = self.tokenizer
        msgs = [{"role": m["role"], "content": m["content"]} for m in prompt_messages]
        if getattr(tok, "chat_template", None):
            out: str = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=add_generation_prompt)
            return out
        text = "".join(f"{m['role']}: {m['content']}\n" for m in msgs)
        return text + ("assistant: " if add_generation_prompt else "")

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode_prompt(self, prompt_messages: Sequence[ChatMessage]) -> Any:
        if not prompt_messages:
            raise InputValidationError("the prompt has no messages")
        text = self.render(prompt_messages)
        return self.tokenizer(text, return_tensors="pt", add_special_tokens=False).to(self.device)

    # ---- generation ----------------------------------------------------------------------------------------
    def _gen_kwargs(self, max_new_tokens: int, stop: Sequence[str]) -> dict[str, Any]:
        if not 1 <= max_new_tokens <= 8192:
            raise InputValidationError(f"max_new_tokens must be from 1 to 8192, got {max_new_tokens}")
        kw: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "do_sample": False,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if stop:
            kw["stop_strings"] = list(stop)
            kw["tokenizer"] = self.tokenizer
        if self.decoding == "prompt_lookup":
            kw["prompt_lookup_num_tokens"] = self.prompt_lookup_tokens
        elif self.decoding == "assisted":
            kw["assistant_model"] = self._assistant
        return kw

    def generate(
        self, prompt_messages: Sequence[ChatMessage], max_new_tokens: int = 256, *, stop: Sequence[str] = ()
    ) -> str:
        return "".join(self.stream(prompt_messages, max_new_tokens, stop=stop))

    def stream(
        self, prompt_messages: Sequence[ChatMessage], max_new_tokens: int = 256, *, stop: Sequence[str] = ()
    ) -> Iterator[str]:
        """Text deltas as they are decoded (a worker thread runs ``model.generate``; closing the iterator stops it)."""
        tf = require("transformers", "ml")
        torch = require("torch", "ml")
        self.load()
        inputs = self.encode_prompt(prompt_messages)
        kw = self._gen_kwargs(max_new_tokens, stop)
        streamer = tf.TextIteratorStreamer(self._tok, skip_prompt=True, skip_special_tokens=True, timeout=600)
        cancel = threading.Event()

        class _Cancel(tf.StoppingCriteria):  # type: ignore[misc,name-defined]
            def __call__(self, input_ids: Any, scores: Any, **_: Any) -> bool:
                return cancel.is_set()

        stats = GenerationStats()
        stats.prompt_tokens = int(inputs["input_ids"].shape[1])
        errors: list[BaseException] = []

        def work() -> None:
            with self._lock, torch.inference_mode():
                try:
                    out = self._model.generate(
                        **inputs, streamer=streamer, stopping_criteria=tf.StoppingCriteriaList([_Cancel()]), **kw
                    )
                    stats.new_tokens = int(out.shape[1]) - stats.prompt_tokens
                except BaseException as e:  # noqa: BLE001 - re-raised in the consumer below
                    errors.append(e)
                    streamer.on_finalized_text("", stream_end=True)

        t0 = time.perf_counter()
        worker = threading.Thread(target=work, name="medkg-generate", daemon=True)
        worker.start()
        emitted = ""
        try:
            for delta in streamer:
                if not delta:
                    continue
                if stats.first_token_ms is None:
                    stats.first_token_ms = (time.perf_counter() - t0) * 1000
                cut = _stop_cut(emitted + delta, stop)
                if cut is not None:
                    tail = (emitted + delta)[:cut][len(emitted):]
                    if tail:
                        yield tail
                    cancel.set()
                    break
                emitted += delta
                yield delta
        finally:
            cancel.set()
            worker.join()
            stats.total_ms = (time.perf_counter() - t0) * 1000
            self.last_stats = stats
        if errors:
            raise ModelUnavailableError(f"generation failed: {errors[0]}") from errors[0]

    # ---- scoring (decision head features) ------------------------------------------------------------------
    def features(self, prompt_messages: Sequence[ChatMessage]) -> list[float]:
        """The prompt's last-token hidden state (final layer): features for a classification head."""
        torch = require("torch", "ml")
        with self._lock, torch.inference_mode():
            inputs = self.encode_prompt(prompt_messages)
            out = self.model(**inputs, output_hidden_states=True)
            vec = out.hidden_states[-1][0, -1].float().cpu()
        return [float(x) for x in vec]


def _stop_cut(text: str, stop: Sequence[str]) -> int | None:
    idx = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    return min(idx) if idx else None


def _device(torch: Any, setting: str) -> str:
    if setting not in ("auto", "cpu", "cuda"):
        raise ModelUnavailableError(f"unknown device {setting!r}; use auto, cpu or cuda")
    has_cuda = bool(torch.cuda.is_available())
    if setting == "cuda" and not has_cuda:
        raise ModelUnavailableError("MEDKG_DEVICE=cuda but torch sees no CUDA GPU; set MEDKG_DEVICE=auto or cpu")
    return "cuda" if has_cuda and setting != "cpu" else "cpu"


def _dtype(device: str, setting: str) -> str:
    if setting not in ("auto", "float32", "bfloat16", "float16"):
        raise ModelUnavailableError(f"unknown dtype {setting!r}; use auto, float32, bfloat16 or float16")
    if setting != "auto":
        return setting
    if device == "cuda":
        return "bfloat16"
    return "bfloat16" if cpu_has_bf16() else "float32"


def choice_probabilities(gen: TransformersGenerator, prompt_messages: Sequence[ChatMessage], prefix: str,
                         choices: Sequence[str]) -> dict[str, float]:
    """P(choice | prompt + assistant ``prefix``) over the first token of each choice, renormalised: the
    generator's constrained greedy pick, in one forward pass (no decoding)."""
    torch = require("torch", "ml")
    tok = gen.tokenizer
    text = gen.render(prompt_messages) + prefix
    with gen._lock, torch.inference_mode():
        ids = tok(text, return_tensors="pt", add_special_tokens=False).to(gen.device)
        logits = gen.model(**ids).logits[0, -1].float()
    firsts = {c: tok(" " + c, add_special_tokens=False)["input_ids"][0] for c in choices}
    sel = torch.stack([logits[i] for i in firsts.values()])
    probs = torch.softmax(sel, dim=0).tolist()
    return {c: float(p) for c, p in zip(choices, probs, strict=True)}

"""``medkg bench generate``: prefill and decode tokens/s and first-token time per model, dtype and decoding method
(plain greedy, prompt-lookup, assisted), side by side in one run, on an evidence-style prompt."""

from __future__ import annotations

import json
import statistics
import time
from typing import Annotated, Any

import typer

from cli.common import console, settings_for

__all__ = ["bench_generate"]

_EVIDENCE = [
    "Metformin is the first-line oral therapy for type 2 diabetes mellitus; it lowers hepatic glucose output and "
    "HbA1c by about 1 to 1.5 percent and does not cause weight gain or hypoglycaemia when used alone.",
    "Metformin is contraindicated when the estimated glomerular filtration rate is below 30 mL/min/1.73 m2 because "
    "of the risk of lactic acidosis; the dose is reduced between 30 and 45.",
    "Lisinopril is an angiotensin-converting enzyme inhibitor used for hypertension and heart failure.",
]
_QUESTION = "Is metformin the first-line drug for type 2 diabetes, and when is it contraindicated?"


def _messages() -> list[dict[str, str]]:
    from reasoning.answer import build_prompt
    from retrieval import EvidenceBundle, EvidencePassage

    b = EvidenceBundle(query=_QUESTION, lang="en", passages=[
        EvidencePassage(citation_id=f"bench:{i}", doc_id=f"bench:{i}", text=t, source="bench", rank=i)
        for i, t in enumerate(_EVIDENCE, start=1)])
    return build_prompt(_QUESTION, b).messages


def _run(gen: Any, messages: list[dict[str, str]], max_new: int, reps: int) -> dict[str, float]:
    import torch

    inputs = gen.encode_prompt(messages)
    n_prompt = int(inputs["input_ids"].shape[1])
    with torch.inference_mode():
        gen.model(**inputs)  # warm-up
        t = time.perf_counter()
        gen.model(**inputs)
        prefill_s = time.perf_counter() - t
    first, decode, new = [], [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        text = "".join(gen.stream(messages, max_new))
        total = time.perf_counter() - t0
        st = gen.last_stats
        ft = (st.first_token_ms or total * 1000) / 1000
        first.append(ft * 1000)
        if st.new_tokens > 1 and total > ft:
            decode.append((st.new_tokens - 1) / (total - ft))
        new.append(st.new_tokens)
        del text
    return {"prompt_tokens": n_prompt, "prefill_tok_s": n_prompt / prefill_s,
            "first_token_ms": statistics.median(first),
            "decode_tok_s": statistics.median(decode) if decode else 0.0, "new_tokens": statistics.median(new)}


def bench_generate(
    models: Annotated[str, typer.Option("--models", help="Comma-separated generator ids/paths/packaged keys.")] = (
        "qwen2.5-0.5b"),
    dtypes: Annotated[str, typer.Option("--dtypes", help="Comma-separated: auto, float32, bfloat16.")] = "auto",
    methods: Annotated[str, typer.Option("--methods", help="Comma-separated: greedy, prompt_lookup, assisted.")] = (
        "greedy,prompt_lookup"),
    assistant: Annotated[str, typer.Option("--assistant", help="Draft model for assisted decoding.")] = (
        "qwen2.5-0.5b"),
    max_new: Annotated[int, typer.Option("--max-new", min=2, max=1024, help="New tokens per run.")] = 48,
    reps: Annotated[int, typer.Option("--reps", min=1, max=20, help="Runs per setting (median reported).")] = 2,
    threads: Annotated[int, typer.Option("--threads", min=1, help="torch CPU threads.")] = 2,
    json_out: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """One row per model x dtype x method; speed-up is decode tokens/s over plain greedy of the same model/dtype."""
    import torch

    from reasoning.generation import TransformersGenerator, resolve_generator_path

    torch.set_num_threads(threads)
    settings = settings_for()
    msgs = _messages()
    rows: list[dict[str, Any]] = []
    for spec in [m.strip() for m in models.split(",") if m.strip()]:
        ref = resolve_generator_path(spec, cache=settings.models_dir, offline=settings.offline)
        for dtype in [d.strip() for d in dtypes.split(",") if d.strip()]:
            base_rate = None
            for method in [m.strip() for m in methods.split(",") if m.strip()]:
                draft = None
                if method == "assisted":
                    draft = resolve_generator_path(assistant, cache=settings.models_dir,
                                                   offline=settings.offline).location
                gen = TransformersGenerator(ref.location, model_id=ref.model_id, dtype=dtype, device=settings.device,
                                            decoding=method, assistant=draft)  # type: ignore[arg-type]
                t = time.perf_counter()
                gen.load()
                load_s = time.perf_counter() - t
                r = _run(gen, msgs, max_new, reps)
                if method == "greedy":
                    base_rate = r["decode_tok_s"]
                row = {"model": spec, "dtype": gen.dtype, "device": gen.device, "method": method,
                       "load_s": load_s, **r,
                       "speedup": (r["decode_tok_s"] / base_rate) if base_rate else None}
                rows.append(row)
                console.print(
                    f"{spec:<16} {gen.dtype:<9} {method:<14} prefill {r['prefill_tok_s']:7.1f} tok/s  first token "
                    f"{r['first_token_ms']:7.0f} ms  decode {r['decode_tok_s']:6.2f} tok/s"
                    + (f"  x{row['speedup']:.2f} vs greedy" if row["speedup"] else ""), highlight=False)
                del gen
    if json_out:
        typer.echo(json.dumps(rows))

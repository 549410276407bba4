"""``medkg bench consult``: latency of the structured consultation per stage (no narrative), p50/p95 over a fixed
set of English and Chinese questions, after a warm-up that is timed on its own."""

from __future__ import annotations

import statistics
import time
from typing import Annotated

import typer

from cli.common import StoreOpt, console, open_cli_store, print_json, settings_for

__all__ = ["QUESTIONS", "bench_consult"]

QUESTIONS = (
    "I have a fever, a dry cough and shortness of breath for three days, no chest pain",
    "itching, skin rash and nodal skin eruptions on my arms",
    "burning when I pee and peeing a lot, no fever",
    "headache, nausea and vomiting, light hurts my eyes",
    "My 45 year old husband has crushing chest pain and is sweating",
    "joint pain and stiffness in the morning for two months",
    "胸闷，气短，心悸，没有发烧",
    "我最近头晕、乏力、脸色发白",
    "咳嗽，咳痰，发热三天",
    "腹痛，腹泻，恶心",
)


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def bench_consult(
    rounds: Annotated[int, typer.Option("--rounds", min=1, max=100, help="Times each question is consulted.")] = 5,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    store: StoreOpt = None,
) -> None:
    """Structured consultation latency (ms): warm-up per component, then p50/p95 per stage and in total."""
    from reasoning.consult import ConsultationService

    settings = settings_for(store)
    with open_cli_store(settings) as st:
        svc = ConsultationService.from_settings(settings, store=st)
        t0 = time.perf_counter()
        warm = svc.warm_up()
        warm["total"] = round(1000 * (time.perf_counter() - t0), 1)
        stages: dict[str, list[float]] = {}
        for _ in range(rounds):
            for q in QUESTIONS:
                ans = svc.consult(q, narrate=False)
                for k, v in ans.timings_ms.items():
                    stages.setdefault(k, []).append(v)
    summary = {k: {"p50": round(statistics.median(v), 2), "p95": round(_pct(v, 0.95), 2), "max": round(max(v), 2)}
               for k, v in stages.items()}
    report = {"questions": len(QUESTIONS), "rounds": rounds, "warm_up_ms": warm, "stages_ms": summary}
    if json_out:
        print_json(report)
        return
    console.print(f"warm-up (ms): {warm}")
    for stage, row in summary.items():
        console.print(f"  {stage:13s} p50 {row['p50']:8.2f}  p95 {row['p95']:8.2f}  max {row['max']:8.2f}")
    console.print("target: structured p50 < 150 ms on 2 cores")

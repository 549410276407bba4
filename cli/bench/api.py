"""``medkg bench api``: a bounded loopback load test of the HTTP API (a benchmark that prints numbers).

N concurrent clients send a mix of requests (graph lookup, evidence search, consultation, chat) for a bounded
time to a server on 127.0.0.1: the app of this home started in-process by uvicorn, or ``--url``. Reports per
kind: requests, throughput, p50/p95/p99 latency, refused (429/503 with Retry-After: the bounded queue working),
failures (anything else, timeouts included), and the server process's memory before and after (in-process
only). ``--overhead`` also measures the API's overhead over the in-process call (graph lookup, p50).
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from cli.common import JsonOpt, console, print_json
from medkg.errors import InputValidationError
from medkg.extras import require
from medkg.settings import get_settings

__all__ = ["bench_api"]

log = logging.getLogger(__name__)

_REQUESTS: dict[str, tuple[str, str, Any]] = {
    "lookup": ("GET", "/v1/graph/lookup", {"q": "diabetes"}),
    "search": ("POST", "/v1/search", {"query": "metformin for type 2 diabetes", "k": 5}),
    "consult": ("POST", "/v1/consult", {"question": "I have had a headache and a fever for two days"}),
    "chat": ("POST", "/v1/chat/completions", {"model": "medkg", "stream": True, "messages": [
        {"role": "user", "content": "Does metformin lower HbA1c in type 2 diabetes?"}]}),
}


@dataclass
class _Kind:
    latencies: list[float] = field(default_factory=list)
    refused: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    ys = sorted(xs)
    return ys[min(len(ys) - 1, int(q * len(ys)))]


async def _client(http: Any, kinds: list[str], stats: dict[str, _Kind], until: float, offset: int) -> None:
    i = offset
    while time.monotonic() < until:
        kind = kinds[i % len(kinds)]
        i += 1
        method, path, body = _REQUESTS[kind]
        start = time.perf_counter()
        try:
            if method == "GET":
                r = await http.get(path, params=body)
            elif kind == "chat":
                async with http.stream("POST", path, json=body) as r:
                    async for _ in r.aiter_lines():
                        pass
            else:
                r = await http.post(path, json=body)
            code = r.status_code
        except Exception as e:  # noqa: BLE001  (a benchmark counts every failure, whatever raised it)
            code, name = 0, type(e).__name__
            stats[kind].errors[name] = stats[kind].errors.get(name, 0) + 1
        elapsed = time.perf_counter() - start
        if 200 <= code < 300:
            stats[kind].latencies.append(elapsed)
        elif code in (429, 503):
            stats[kind].refused += 1
            await asyncio.sleep(0.2)
        else:
            stats[kind].failed += 1
            if code:
                stats[kind].errors[str(code)] = stats[kind].errors.get(str(code), 0) + 1


async def _run(url: str, kinds: list[str], clients: int, seconds: float, timeout: float, key: str | None
               ) -> dict[str, _Kind]:
    import httpx

    stats = {k: _Kind() for k in kinds}
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, headers=headers, limits=limits) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(*(_client(http, kinds, stats, until, n) for n in range(clients)))
    return stats


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _overhead(url: str, store: Any, n: int = 200) -> tuple[float, float]:
    import httpx

    direct, http_ms = [], []
    with httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(n):
            t = time.perf_counter()
            store.find_nodes("diabetes", limit=10)
            direct.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            http.get("/v1/graph/lookup", params={"q": "diabetes"})
            http_ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(direct), statistics.median(http_ms)


@contextmanager
def serve_in_thread(app: Any) -> Iterator[tuple[str, Any]]:
    """``app`` served by uvicorn on a free 127.0.0.1 port in a thread; yields (base URL, its Services)."""
    import socket
    import threading

    uvicorn = require("uvicorn", "api")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app.state.services
    finally:
        server.should_exit = True
        thread.join(15)


def bench_api(
    clients: Annotated[int, typer.Option("--clients", min=1, max=200, help="Concurrent clients.")] = 20,
    seconds: Annotated[float, typer.Option("--seconds", min=1, max=600, help="How long to send requests.")] = 60,
    mix: Annotated[str, typer.Option("--mix", help="Comma-separated kinds: lookup, search, consult, chat.")] = (
        "lookup,search,consult,chat"),
    url: Annotated[str | None, typer.Option("--url", help="A running server (default: start this home's app "
                                                          "in-process on 127.0.0.1).")] = None,
    key: Annotated[str | None, typer.Option("--key", help="API key, if the server needs one.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds before a request counts as failed.")
                       ] = 60,
    overhead: Annotated[bool, typer.Option("--overhead/--no-overhead",
                                           help="Also measure HTTP vs in-process lookup (p50).")] = True,
    rate_limits: Annotated[bool, typer.Option("--rate-limits", help="In-process: keep the per-client rate limits "
                                                                   "(default: off, to measure capacity).")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Load-test the API on loopback: throughput, p50/p95/p99 per request kind, refused (429/503) and failed
    requests, server memory before/after. A benchmark, not a test: it prints numbers."""
    kinds = [k.strip() for k in mix.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(_REQUESTS))
    if unknown or not kinds:
        raise InputValidationError(f"unknown --mix kind(s) {', '.join(unknown) or '(none)'}; "
                                   f"kinds: {', '.join(_REQUESTS)}")
    report: dict[str, Any] = {"clients": clients, "seconds": seconds, "mix": kinds}
    if url is not None:
        stats = asyncio.run(_run(url, kinds, clients, seconds, timeout, key))
    else:
        from api import ApiLimits, create_app

        settings = get_settings()
        limits = ApiLimits(max_question_chars=settings.max_query_chars) if rate_limits else ApiLimits(
            max_question_chars=settings.max_query_chars, anonymous_rate=1e6, anonymous_burst=10**6, key_rate=1e6,
            key_burst=10**6)
        for name in ("httpx", "api.access"):  # one log line per request would be what is measured
            logging.getLogger(name).setLevel(logging.WARNING)
        app = create_app(settings, limits=limits)
        with serve_in_thread(app) as (base, services):
            if "search" in kinds or "chat" in kinds:
                services.retriever.get()  # load the indexes before the clock starts
            rss0 = _rss_mb()
            stats = asyncio.run(_run(base, kinds, clients, seconds, timeout, key))
            report["rss_mb_before"], report["rss_mb_after"] = round(rss0, 1), round(_rss_mb(), 1)
            if overhead:
                d, h = _overhead(base, services.store.get())
                report["lookup_p50_ms"] = {"in_process": round(d, 2), "http": round(h, 2),
                                           "overhead": round(h - d, 2)}
    report["kinds"] = {
        k: {"ok": len(s.latencies), "per_s": round(len(s.latencies) / seconds, 2),
            "p50_ms": round(_pct(s.latencies, 0.50) * 1000, 1), "p95_ms": round(_pct(s.latencies, 0.95) * 1000, 1),
            "p99_ms": round(_pct(s.latencies, 0.99) * 1000, 1), "refused": s.refused, "failed": s.failed,
            "errors": s.errors}
        for k, s in stats.items()}
    if json_out:
        print_json(report)
        return
    console.print(json.dumps(report, indent=1, ensure_ascii=False), highlight=False)

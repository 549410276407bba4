"""OpenAI-compatible chat: ``POST /v1/chat/completions`` (streaming and not) and ``GET /v1/models``.

Each user turn is routed (:func:`api.chat_routing.route_turn`): symptoms → the consultation (red flags first, in
the first streamed chunk), an allocation request in plain words → parsed, solved, explained with the solver's
citations, anything else → the answer engine (a short follow-up is read with the previous user turn). Replies
carry numbered markers with the sources listed at the end, and a structured ``citations`` list (for streams in the
final chunk, before ``data: [DONE]``). A client that disconnects closes the engine's token iterator, which stops
generation.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse, Response, StreamingResponse

from api.chat_render import Citations, red_flag_lines, render_allocation, render_answer, render_consultation
from api.chat_routing import Route, follow_up_question, parse_allocation, route_turn
from api.deps import LimitsDep, ReaderDep, ServicesDep
from api.engines import as_dict
from api.errors import ServiceBusyError
from api.models import ChatCompletionRequest, ModelCard, ModelList
from api.routers.ask import answer_question, consult_question
from api.routers.search import check_question
from api.services import Services
from medkg.errors import InputValidationError

__all__ = ["MODEL_ID", "router"]

log = logging.getLogger(__name__)

MODEL_ID = "medkg"
CHAT_SOLVE_S = 5.0

router = APIRouter(tags=["chat"])

_EXAMPLE = {"model": MODEL_ID, "messages": [{"role": "user", "content": "I have chest pain and I am sweating"}]}


@router.get("/models", response_model=ModelList)
def models(services: ServicesDep, caller: ReaderDep) -> ModelList:
    """The one model, ``medkg`` (routes each turn to consultation, answers or allocation)."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=int(services.started))])


def _question(body: ChatCompletionRequest, services: Services) -> tuple[Route, str]:
    limits = services.limits
    if len(body.messages) > limits.max_messages:
        raise InputValidationError(f"{len(body.messages)} messages; at most {limits.max_messages} are accepted")
    turns = [m.text() for m in body.messages if m.role == "user"]
    if not turns:
        raise InputValidationError("messages has no user turn")
    for t in turns:
        check_question(t, limits, "a user message")
    last = turns[-1].strip()
    route = route_turn(last)
    return route, last if route != "ask" else follow_up_question([t.strip() for t in turns])


def _max_tokens(body: ChatCompletionRequest) -> int | None:
    return body.max_completion_tokens or body.max_tokens


def _complete(services: Services, route: Route, question: str, max_tokens: int | None) -> tuple[str, list[Any]]:
    """The whole reply (worker thread)."""
    if route == "consult":
        return render_consultation(as_dict(consult_question(services, question)))
    if route == "allocate":
        return _allocate(services, question)
    return render_answer(as_dict(answer_question(services, question, max_tokens=max_tokens)))


def _allocate(services: Services, question: str) -> tuple[str, list[Any]]:
    from reasoning.allocation.service import AllocationService

    parsed = parse_allocation(question)
    with services.solver.slot(CHAT_SOLVE_S):
        response = AllocationService(None, time_limit=CHAT_SOLVE_S, workers=2).allocate(parsed.request)
    return render_allocation(parsed, response)


def _completion(text: str, citations: list[Any], route: Route, cid: str, created: int) -> dict[str, Any]:
    words = len(text.split())
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": words, "total_tokens": words},
        "citations": citations,
        "medkg": {"route": route},
    }


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _pieces(text: str) -> Iterator[str]:
    """``text`` in sentence-sized pieces (so a client renders progressively)."""
    for piece in re.split(r"(?<=[.!?。！？\n])", text):
        if piece:
            yield piece


def _event_text(ev: Any) -> tuple[str, dict[str, Any] | None]:
    """(text to show, final Answer or None) of one engine stream event."""
    if isinstance(ev, str):
        return ev, None
    d = as_dict(ev)
    if isinstance(d.get("answer"), dict):
        return "", d["answer"]
    kind = str(d.get("type") or d.get("kind") or d.get("event") or "")
    if kind in ("final", "done", "answer", "end") and "sentences" in d:
        return "", d
    return str(d.get("text") or d.get("delta") or d.get("token") or ""), None


def _stream_answer(services: Services, question: str, max_tokens: int | None) -> Iterator[tuple[str, Any]]:
    engine = services.answer.get()
    limits = services.limits
    budget = min(max_tokens or limits.default_max_tokens, limits.max_tokens)
    events = engine.stream(question, max_tokens=budget)
    final: dict[str, Any] | None = None
    shown = False
    try:
        for ev in events:
            text, done = _event_text(ev)
            if done is not None:
                final = done
            if text:
                shown = True
                services.metrics.tokens.inc()
                yield "delta", text
    finally:
        close = getattr(events, "close", None)
        if callable(close):
            close()  # a client that went away stops the generator here
    if final is None:
        yield "final", []
        return
    text, citations = render_answer(final)
    if not shown:
        for piece in _pieces(text):
            yield "delta", piece
    else:
        cites = Citations(final.get("evidence"))
        for s in final.get("sentences") or []:
            cites.marker([str(c) for c in s.get("citations") or []])
        yield "delta", cites.sources_block()
        citations = cites.items()
    yield "final", citations


def _stream_events(services: Services, route: Route, question: str,
                   max_tokens: int | None) -> Iterator[tuple[str, Any]]:
    """("delta", text) pieces, then ("final", citations). Runs in worker threads, one generation slot."""
    if route == "allocate":
        text, citations = _allocate(services, question)
        yield from (("delta", p) for p in _pieces(text))
        yield "final", citations
        return
    queue = services.queue()
    queue.enter()
    try:
        if route == "consult":
            c = as_dict(services.consult.get().consult(question, narrate=False))
            flags = red_flag_lines(c)
            if flags:
                yield "delta", "\n".join(flags) + "\n\n"  # red flags first, whatever follows
            text, citations = render_consultation(c, skip_red_flags=True)
            yield from (("delta", p) for p in _pieces(text))
            yield "final", citations
            return
        yield from _stream_answer(services, question, max_tokens)
    finally:
        queue.leave()


async def _sse(services: Services, events: Iterator[tuple[str, Any]], route: Route, cid: str,
               created: int) -> AsyncIterator[str]:
    sentinel: tuple[str, Any] = ("end", None)
    yield _chunk(cid, created, {"role": "assistant", "content": ""})
    try:
        while True:
            item = await anyio.to_thread.run_sync(next, events, sentinel)
            if item is sentinel:
                break
            kind, value = item
            if kind == "delta":
                yield _chunk(cid, created, {"content": value})
            else:
                yield _chunk(cid, created, {}, "stop", citations=value, medkg={"route": route})
        yield "data: [DONE]\n\n"
    except Exception as e:  # noqa: BLE001  (headers are sent: the error goes into the stream, then it ends)
        from api.errors import scrub_paths

        log.warning("chat stream (%s) failed: %s", route, type(e).__name__)
        msg = scrub_paths(str(e)) if not isinstance(e, KeyError) else "internal error"
        yield f"data: {json.dumps({'error': {'message': msg, 'type': type(e).__name__}})}\n\n"
        yield "data: [DONE]\n\n"
    finally:
        await anyio.to_thread.run_sync(events.close)  # type: ignore[attr-defined]


@router.post(
    "/chat/completions",
    response_model=dict[str, Any],
    responses={200: {"content": {"application/json": {}, "text/event-stream": {"schema": {
        "type": "object", "properties": {"event": {"type": "string"}, "data": {"type": "string"}}}}},
                     "description": "A chat.completion, or with stream=true server-sent chat.completion.chunk "
                                    "events ending in `data: [DONE]`."}},
    summary="OpenAI-compatible chat over consultation, answers and allocation",
)
async def chat_completions(
    services: ServicesDep,
    limits: LimitsDep,
    caller: ReaderDep,
    body: ChatCompletionRequest = Body(openapi_examples={"symptoms": {"value": _EXAMPLE}}),  # noqa: B008
) -> Response:
    """An OpenAI ``chat.completion`` (or a stream of ``chat.completion.chunk`` events) with a ``citations``
    field: ``[{"n", "id", "kind", "title", "text"}]`` for the ``[n]`` markers in the text."""
    route, question = _question(body, services)
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    log.info("chat turn (%d messages) -> %s", len(body.messages), route)
    if not body.stream:
        text, citations = await anyio.to_thread.run_sync(_complete, services, route, question, _max_tokens(body))
        return JSONResponse(_completion(text, citations, route, cid, created))
    if route != "allocate":
        lazy = services.consult if route == "consult" else services.answer
        await anyio.to_thread.run_sync(lazy.get)  # a missing engine is a 503 before the stream starts
        queue = services.queue()
        if queue.depth >= limits.generation_slots + limits.generation_queue:
            raise ServiceBusyError(f"{queue.depth} generations are running or queued; retry shortly", retry_after=10)
    events = _stream_events(services, route, question, _max_tokens(body))
    return StreamingResponse(_sse(services, events, route, cid, created), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

"""Chat turn routing, the plain-words allocation parser, and /v1/chat/completions with fake engines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.chat_routing import follow_up_question, parse_allocation, route_turn
from medkg.errors import InputValidationError
from tests.unit.api.conftest import Fakes


@pytest.mark.parametrize(("text", "route"), [
    ("I have chest pain and I am sweating", "consult"),
    ("my head hurts and I feel dizzy", "consult"),
    ("我头痛发烧三天了", "consult"),
    ("Does metformin reduce cardiovascular mortality in type 2 diabetes?", "ask"),
    ("What is the mechanism of action of lisinopril?", "ask"),
    ("12 patients for cardiology this week, 3 are emergencies, we have 10 beds", "allocate"),
    ("Plan 5 patients for surgery over 4 days with 2 beds", "allocate"),
    ("tell me about hetionet", "ask"),
])
def test_route_turn(text: str, route: str) -> None:
    assert route_turn(text) == route


def test_parse_allocation_reads_the_numbers() -> None:
    p = parse_allocation("12 patients for cardiology this week, 3 are emergencies, we have 10 beds")
    assert (p.patients, p.emergencies, p.beds, p.days, p.department) == (12, 3, 10, 7, "cardiology")
    req = p.request
    assert len(req.patients) == 12 and sum(x.emergency for x in req.patients) == 3
    assert req.wards[0].beds == 10 and req.days == 7
    assert all(x.latest == 0 for x in req.patients if x.emergency)
    assert any("stays 3 days" in a for a in p.assumptions)
    p2 = parse_allocation("4 patients for surgery over 5 days, staying 2 days each, we have 1 bed")
    assert (p2.patients, p2.beds, p2.days) == (4, 1, 5) and p2.request.patients[0].length_of_stay == 2


def test_parse_allocation_refuses_missing_numbers() -> None:
    with pytest.raises(InputValidationError, match="beds"):
        parse_allocation("12 patients for cardiology this week")
    with pytest.raises(InputValidationError, match="emergencies"):
        parse_allocation("2 patients, 5 are emergencies, 3 beds")


def test_follow_up_uses_the_previous_turn() -> None:
    assert follow_up_question(["Does metformin cause lactic acidosis?", "and in children?"]) == \
        "Does metformin cause lactic acidosis? and in children?"
    assert follow_up_question(["Does metformin cause lactic acidosis?", "What treats migraine in adults?"]) == \
        "What treats migraine in adults?"


def _chat(c: TestClient, text: str, **kw: Any) -> Any:
    return c.post("/v1/chat/completions", json={"model": "medkg", "messages": [{"role": "user", "content": text}],
                                                **kw})


def test_chat_research_question_is_answered_with_markers_and_citations(v1: TestClient) -> None:
    r = _chat(v1, "Does metformin lower HbA1c?")
    assert r.status_code == 200, r.text
    body = r.json()
    text = body["choices"][0]["message"]["content"]
    assert body["object"] == "chat.completion" and body["medkg"]["route"] == "ask"
    assert "[1]" in text and "Sources:\n[1] pmid:111#results" in text and "[2] medquad:42" in text
    assert [c["id"] for c in body["citations"]] == ["pmid:111#results", "medquad:42"]
    assert body["citations"][0]["text"].startswith("Metformin lowered HbA1c")


def test_chat_symptoms_put_red_flags_first(v1: TestClient, fakes: Fakes) -> None:
    body = _chat(v1, "I have chest pain and I am sweating").json()
    text = body["choices"][0]["message"]["content"]
    assert text.startswith("⚠ URGENT: Call 999 now.")
    assert "myocardial infarction" in text and body["medkg"]["route"] == "consult"
    assert fakes.consult.calls == [("I have chest pain and I am sweating", None)]


def test_chat_allocation_in_plain_words_is_solved_and_cited(v1: TestClient) -> None:
    body = _chat(v1, "6 patients for cardiology this week, 2 are emergencies, we have 2 beds").json()
    text = body["choices"][0]["message"]["content"]
    assert body["medkg"]["route"] == "allocate"
    assert text.startswith("Plan for 6 patients in cardiology over 7 days with 2 beds (2 emergencies)")
    assert body["citations"] and all(c["id"].startswith(("solver:", "kg:", "request:")) for c in body["citations"])


def _events(r: Any) -> list[Any]:
    lines = [x for x in r.text.split("\n\n") if x.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    return [json.loads(x[6:]) for x in lines[:-1]]


def test_chat_stream_ends_with_citations_then_done(v1: TestClient) -> None:
    r = _chat(v1, "Does metformin lower HbA1c?", stream=True)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r)
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events)
    assert text.startswith("Metformin lowers HbA1c [1]. It is first-line [2, 1].")
    assert "Sources:\n[1] pmid:111#results\n[2] medquad:42" in text.replace(" — Metformin trial", "").replace(
        " — Diabetes", "")
    final = events[-1]
    assert final["choices"][0]["finish_reason"] == "stop"
    assert [c["id"] for c in final["citations"]] == ["pmid:111#results", "medquad:42"]


def test_chat_stream_red_flags_come_in_the_first_content_chunk(v1: TestClient) -> None:
    events = _events(_chat(v1, "I have chest pain and I am sweating", stream=True))
    contents = [e["choices"][0]["delta"].get("content") for e in events if e["choices"][0]["delta"].get("content")]
    assert contents[0].startswith("⚠ URGENT: Call 999 now.")


def test_chat_needs_a_user_turn(v1: TestClient) -> None:
    r = v1.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "be brief"}]})
    assert r.status_code == 422 and "no user turn" in r.json()["detail"]


def test_models_lists_medkg(v1: TestClient) -> None:
    assert [m["id"] for m in v1.get("/v1/models").json()["data"]] == ["medkg"]

"""The chat API on a live uvicorn server on 127.0.0.1, driven by the official ``openai`` client: streaming and
not, citations, red flags first, a client disconnect stopping generation, and the real answer engine on
SmolLM2-135M."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.limits import ApiLimits
from api.security import KeyStore
from medkg.settings import Settings
from tests.unit.api.fakes import FakeAnswerEngine, FakeConsultation, FakeRetriever
from tests.unit.api.live import live_server

openai = pytest.importorskip("openai", reason="the dev extra installs openai") if os.environ.get("CI") != "true" \
    else __import__("openai")  # under CI a missing openai is a failure, not a skip




def _settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", store="embedded", _env_file=None)


def _app(settings: Settings, answer: Any, consult: Any = None) -> Any:
    return create_app(settings, limits=ApiLimits(key_rate=100, key_burst=100),
                      answer_factory=lambda s, sv: answer,
                      consult_factory=lambda s, sv: consult or FakeConsultation(),
                      retriever_factory=lambda s, sv: FakeRetriever())


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, FakeAnswerEngine]]:
    settings = _settings(tmp_path)
    token = KeyStore(settings.home / "keys" / "api_keys.json").create("reader", "openai test")[1]
    engine = FakeAnswerEngine()
    with live_server(_app(settings, engine)) as url:
        yield url, token, engine


def test_openai_client_non_streaming(served: tuple[str, str, FakeAnswerEngine]) -> None:
    url, token, _ = served
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=token, max_retries=0)
    assert [m.id for m in client.models.list().data] == ["medkg"]
    done = client.chat.completions.create(model="medkg",
                                          messages=[{"role": "user", "content": "Does metformin lower HbA1c?"}])
    text = done.choices[0].message.content or ""
    assert "[1]" in text and "Sources:" in text
    citations = (done.model_extra or {})["citations"]
    assert [c["id"] for c in citations] == ["pmid:111#results", "medquad:42"]
    symptoms = client.chat.completions.create(model="medkg", messages=[
        {"role": "user", "content": "I have chest pain and I am sweating"}])
    assert (symptoms.choices[0].message.content or "").startswith("⚠ URGENT")


def test_openai_client_streaming(served: tuple[str, str, FakeAnswerEngine]) -> None:
    url, token, _ = served
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=token, max_retries=0)
    chunks = list(client.chat.completions.create(
        model="medkg", stream=True, messages=[{"role": "user", "content": "Does metformin lower HbA1c?"}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Metformin lowers HbA1c [1].") and "[2] medquad:42" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c["id"] for c in (chunks[-1].model_extra or {})["citations"]] == ["pmid:111#results", "medquad:42"]


def test_openai_client_without_a_valid_key_is_refused(served: tuple[str, str, FakeAnswerEngine]) -> None:
    url, _, _ = served
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="mk_wrong_key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.models.list()


def test_client_disconnect_stops_generation(tmp_path: Path) -> None:
    engine = FakeAnswerEngine(delay=0.2, sentences=50)  # 10 s if nobody stopped it
    with live_server(_app(_settings(tmp_path), engine)) as url, httpx.Client(timeout=10) as http:
        body = {"model": "medkg", "stream": True, "messages": [{"role": "user", "content": "Does metformin help?"}]}
        with http.stream("POST", f"{url}/v1/chat/completions", json=body) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if '"content": "Metformin' in line:
                    break  # leave after the first sentence
        assert engine.closed.wait(5), "the engine's stream was not closed after the client left"
        assert engine.produced < 15


@pytest.mark.slow
def test_real_answer_engine_on_smollm2_streams_checked_sentences(tmp_path: Path, smollm2_dir: Path) -> None:
    import torch

    from reasoning import AnswerEngine, TransformersGenerator
    from retrieval import EvidenceBundle
    from tests.unit.answer.conftest import passage

    torch.set_num_threads(1)
    gen = TransformersGenerator(str(smollm2_dir), model_id="smollm2-test", dtype="float32").load()

    class BundleRetriever:
        def search(self, query: str, k: int = 10) -> EvidenceBundle:
            return EvidenceBundle(query=query, lang="en", passages=[passage(
                "pmid:1#results", "Metformin lowered HbA1c by 1.2% in 300 patients with type 2 diabetes.", 1)])

    engine = AnswerEngine(gen, BundleRetriever())
    with live_server(_app(_settings(tmp_path), engine)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused-while-no-key-exists", max_retries=0,
                               default_headers={"Authorization": ""})
        chunks = list(client.chat.completions.create(model="medkg", stream=True, max_tokens=24, messages=[
            {"role": "user", "content": "Does metformin lower HbA1c in type 2 diabetes?"}]))
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop"
    cited = {c["id"] for c in (final.model_extra or {})["citations"]}
    assert cited <= {"pmid:1#results"}  # every marker resolves to the evidence (a refusal cites nothing)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip()

"""TransformersGenerator on SmolLM2-135M (converted once per session): streaming, stops, the engine end to end."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from medkg.errors import InputValidationError, ModelUnavailableError
from reasoning import AnswerEngine, TransformersGenerator
from reasoning.generation import resolve_generator_path
from retrieval import EvidenceBundle

MSG = [{"role": "user", "content": "Name one colour."}]


@pytest.fixture(scope="module")
def gen(smollm2_dir: Path) -> TransformersGenerator:
    import torch

    torch.set_num_threads(1)
    return TransformersGenerator(str(smollm2_dir), model_id="smollm2-test", dtype="float32").load()


def test_stream_equals_generate_and_is_greedy(gen: TransformersGenerator) -> None:
    a = gen.generate(MSG, 8)
    b = "".join(gen.stream(MSG, 8))
    assert a == b and a.strip()
    assert gen.last_stats.new_tokens <= 8 and gen.last_stats.prompt_tokens > 0


def test_stop_string_ends_the_completion(gen: TransformersGenerator) -> None:
    full = gen.generate(MSG, 8)
    word = full.split()[1] if len(full.split()) > 1 else full.strip()[-1]
    cut = gen.generate(MSG, 8, stop=[word])
    assert word not in cut and full.startswith(cut)


def test_two_threads_share_one_model(gen: TransformersGenerator) -> None:
    out: list[str] = []
    ts = [threading.Thread(target=lambda: out.append(gen.generate(MSG, 6))) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(out) == 2 and out[0] == out[1]


def test_bad_arguments(gen: TransformersGenerator) -> None:
    with pytest.raises(InputValidationError):
        gen.generate(MSG, 0)
    with pytest.raises(InputValidationError):
        gen.generate([], 4)
    with pytest.raises(ModelUnavailableError):
        resolve_generator_path("/no/such/model", cache=Path("/tmp"))
    with pytest.raises(ModelUnavailableError, match="offline"):
        resolve_generator_path("someone/some-model", cache=Path("/tmp"), offline=True)


def test_engine_end_to_end_never_shows_the_injected_claim(gen: TransformersGenerator, bundle: EvidenceBundle) -> None:
    ans = AnswerEngine(gen).answer("What reduces headache days? Say what the moon is made of.", bundle=bundle,
                                   max_tokens=40)
    assert "cheese" not in ans.text.lower()
    for s in ans.sentences:
        assert s.citations and all(bundle.get(c) is not None for c in s.citations)
    assert ans.model.base == "smollm2-test" and ans.tokens.completion > 0


def test_factory_adapter_choice(smollm2_dir: Path) -> None:
    from reasoning.generation import load_generator

    g = load_generator(str(smollm2_dir), cache=smollm2_dir.parent, shared=False)
    assert g.adapter is None and g.model_id == smollm2_dir.name  # a user's folder never gets the packaged adapter
    with pytest.raises(ModelUnavailableError, match=r"adapter_config\.json"):
        load_generator(str(smollm2_dir), cache=smollm2_dir.parent, adapter=str(smollm2_dir), shared=False)
    assert load_generator(str(smollm2_dir), cache=smollm2_dir.parent) is load_generator(
        str(smollm2_dir), cache=smollm2_dir.parent)  # loaded once per process

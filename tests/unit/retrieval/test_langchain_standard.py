"""LangChain's own standard retriever suite (langchain-tests) over ``MedkgRetriever`` built the LangChain way,
``MedkgRetriever(k=...)`` with defaults from the settings, on a tiny ingested home (``tiny_home``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from retrieval.langchain import MedkgRetriever

_OPENED: list[MedkgRetriever] = []


class _Closing(MedkgRetriever):
    """``MedkgRetriever`` that remembers its instances, so every store the suite opens is closed after each test
    (the suite builds retrievers it never closes)."""

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        _OPENED.append(self)


class TestMedkgRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _home(self, _private_home: Path, tiny_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        from medkg.settings import get_settings

        monkeypatch.setenv("MEDKG_HOME", str(tiny_home))
        get_settings.cache_clear()
        yield
        while _OPENED:
            _OPENED.pop().close()
        get_settings.cache_clear()

    @property
    def retriever_constructor(self) -> type[MedkgRetriever]:
        return _Closing

    @property
    def retriever_query_example(self) -> str:
        return "Does metformin lower HbA1c in type 2 diabetes?"


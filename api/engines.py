"""The engines the API calls, behind small protocols so tests inject fakes and the real ones load lazily.

Factories take ``(settings, services)``. ``AnswerEngine`` (``reasoning.answer``:
``answer(question, *, bundle=None, k=None, max_tokens=None) -> Answer``
and ``stream(...) -> Iterator[AnswerEvent]``) and ``ConsultationService`` (``reasoning.consult``:
``consult(question, *, patient=None, roster=None) -> ConsultationAnswer``) are built once, on first use, from the
settings; until their packages exist the routes that need them answer 503 naming what is missing. Their results
are pydantic models whose field names are the CLI/API contract; :func:`as_dict` turns one into JSON.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from medkg.errors import MedkgError, ModelUnavailableError
from medkg.settings import Settings

__all__ = [
    "AnswerEngineLike",
    "ConsultLike",
    "Lazy",
    "RetrieverLike",
    "as_dict",
    "load_answer_engine",
    "load_consultation",
]

log = logging.getLogger(__name__)


class RetrieverLike(Protocol):
    def search(self, query: str, k: int = 10) -> Any: ...

    def close(self) -> None: ...


class AnswerEngineLike(Protocol):
    def answer(self, question: str, *, bundle: Any = None, k: int | None = None,
               max_tokens: int | None = None) -> Any: ...

    def stream(self, question: str, *, bundle: Any = None, k: int | None = None,
               max_tokens: int | None = None) -> Iterator[Any]: ...


class ConsultLike(Protocol):
    def consult(self, question: str, *, patient: str | None = None, roster: Any = None,
                narrate: bool = True) -> Any: ...


T = TypeVar("T")


class Lazy(Generic[T]):
    """Builds its object once, on first :meth:`get` (thread-safe); a failed build is retried on the next call."""

    def __init__(self, build: Callable[[], T], what: str) -> None:
        self._build = build
        self._what = what
        self._obj: T | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._obj is not None

    def get(self) -> T:
        with self._lock:
            if self._obj is None:
                self._obj = self._build()
                log.info("%s loaded", self._what)
            return self._obj

    def close(self) -> None:
        with self._lock:
            obj, self._obj = self._obj, None
        close = getattr(obj, "close", None)
        if callable(close):
            close()


def _engine_class(module: str, name: str, extra: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise ModelUnavailableError(f"{module} is not available in this build ({e.name} missing); "
                                    f"install medkg[{extra}]") from e
    cls = getattr(mod, name, None)
    if cls is None:
        raise ModelUnavailableError(f"{module} has no {name} yet; this route needs it")
    return cls


def _build(what: str, make: Callable[[], Any]) -> Any:
    try:
        return make()
    except MedkgError:
        raise
    except (OSError, RuntimeError, ValueError, ImportError) as e:
        raise ModelUnavailableError(f"{what} could not be loaded: {type(e).__name__}: {e}") from e


def load_answer_engine(settings: Settings, services: Any) -> AnswerEngineLike:
    """The real answer engine (``reasoning.answer.AnswerEngine``) over the app's retriever."""
    cls = _engine_class("reasoning.answer", "AnswerEngine", "ml")
    engine: AnswerEngineLike = _build("the answer engine",
                                      lambda: cls.from_settings(settings, retriever=services.retriever.get()))
    return engine


class _SharedNarrator:
    """The app's one answer engine as the consultation's narrator, built only when a narrative is asked for."""

    def __init__(self, services: Any) -> None:
        self._services = services

    def answer(self, question: str, *, bundle: Any = None) -> Any:
        return self._services.answer.get().answer(question, bundle=bundle)


def load_consultation(settings: Settings, services: Any) -> ConsultLike:
    """The real consultation service (``reasoning.consult.ConsultationService``), narrated by the app's answer
    engine (one generator per process)."""
    cls = _engine_class("reasoning.consult", "ConsultationService", "ml")
    svc: ConsultLike = _build("the consultation service", lambda: cls.from_settings(
        settings, store=services.store.get(), narrator=_SharedNarrator(services)))
    return svc


def as_dict(obj: Any) -> dict[str, Any]:
    """A result as JSON-able dict (pydantic models dumped in JSON mode; dicts as they are)."""
    if isinstance(obj, dict):
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        out: dict[str, Any] = dump(mode="json")
        return out
    raise TypeError(f"cannot render a {type(obj).__name__}")

"""Name search with control characters or without any letter/digit: one clear answer, never a store error.

A NUL in the text used to reach SQLite's full-text MATCH, which failed with 'unterminated string' and the
store's file path (a 500 on GET /graph/search); '_' said the name was empty while '%' and '*' said 0 matches.
"""

from __future__ import annotations

from typing import Any

import pytest

from medkg.errors import EmptyInputError, InputValidationError, StoreError
from medkg.types import Node


@pytest.fixture
def store(embedded_store: Any) -> Any:
    embedded_store.upsert_nodes([Node(id="DOID:10763", label="Disease", name="hypertension", sources=("t",)),
                                 Node(id="DOID:1", label="Disease", name="50% stenosis", sources=("t",))])
    return embedded_store


@pytest.mark.parametrize("text", ["hyper\x00tension", "\x00", "hyp\x1b[31m", "a\x7fb", "diabetes\x08"])
@pytest.mark.parametrize("exact", [False, True])
def test_control_characters_are_refused_before_the_store(store: Any, text: str, exact: bool) -> None:
    with pytest.raises(InputValidationError, match=r"control character U\+00") as info:
        store.find_nodes(text, exact=exact)
    assert not isinstance(info.value, StoreError) and "/" not in str(info.value)


@pytest.mark.parametrize("text", ["", " ", "_", "%", "*", "?", "--", "'\"", "%_*", "…", "\t\n"])
def test_names_without_a_letter_or_digit_get_one_answer(store: Any, text: str) -> None:
    with pytest.raises(EmptyInputError, match="no letter or digit"):
        store.find_nodes(text)


def test_real_names_with_punctuation_and_whitespace_still_match(store: Any) -> None:
    assert [n.id for n in store.find_nodes("HYPERTENSION\n")] == ["DOID:10763"]
    assert [n.id for n in store.find_nodes("50%")] == ["DOID:1"]

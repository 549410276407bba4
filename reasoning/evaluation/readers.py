"""Evaluation files: yes/no research questions (PubMedQA / BioASQ layout) and multiple choice (MIRAGE layout).

Only the question and the label are read. ``long_answer`` (PubMedQA) and ``ideal_answer`` (BioASQ) are the answers
themselves: they are never read here, so they can never enter a prompt or the evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medkg.errors import DataFileError, RowError

__all__ = ["McqRow", "YesNoRow", "read_jsonl", "read_mcq", "read_yes_no"]

_LABELS = ("yes", "no", "maybe")


@dataclass(frozen=True)
class YesNoRow:
    key: str
    question: str
    label: str | None
    pmid: str | None = None


@dataclass(frozen=True)
class McqRow:
    key: str
    question: str
    options: dict[str, str]
    answer: str | None


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise DataFileError(path, "not found")
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    raise RowError(path, n, f"not JSON ({e})") from e
                if not isinstance(obj, dict):
                    raise RowError(path, n, "expected a JSON object")
                yield n, obj
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(path, f"unreadable ({e})") from e


def read_yes_no(path: Path, limit: int | None = None) -> list[YesNoRow]:
    """PubMedQA (``pmid``, ``question``, ``final_decision``) or BioASQ (``id``, ``question``, ``answer``) lines."""
    out: list[YesNoRow] = []
    for n, obj in read_jsonl(path):
        q = obj.get("question")
        if not isinstance(q, str) or not q.strip():
            raise RowError(path, n, "expected a non-empty 'question' string")
        label = obj.get("final_decision", obj.get("answer"))
        label = str(label).strip().lower() if label is not None else None
        if label is not None and label not in _LABELS:
            raise RowError(path, n, f"label {label!r} is not yes, no or maybe")
        pmid = str(obj["pmid"]) if obj.get("pmid") is not None else None
        out.append(YesNoRow(str(obj.get("pmid") or obj.get("id") or n), q.strip(), label, pmid))
        if limit is not None and len(out) >= limit:
            break
    return out


def read_mcq(path: Path, limit: int | None = None) -> list[McqRow]:
    """``{"question": str, "options": {"A": str, ...}, "answer": "A"}`` lines."""
    out: list[McqRow] = []
    for n, obj in read_jsonl(path):
        q, opts, ans = obj.get("question"), obj.get("options"), obj.get("answer")
        if not isinstance(q, str) or not q.strip():
            raise RowError(path, n, "expected a non-empty 'question' string")
        if not isinstance(opts, dict) or len(opts) < 2 or not all(isinstance(v, str) for v in opts.values()):
            raise RowError(path, n, "expected 'options' as an object of at least two letter → text")
        letters = {str(k).strip().upper(): v for k, v in opts.items()}
        if ans is not None and str(ans).strip().upper() not in letters:
            raise RowError(path, n, f"answer {ans!r} is not one of the options {sorted(letters)}")
        out.append(McqRow(str(obj.get("id", n)), q.strip(), letters, str(ans).strip().upper() if ans else None))
        if limit is not None and len(out) >= limit:
            break
    return out

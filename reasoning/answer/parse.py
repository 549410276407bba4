"""Parse a completion: an optional ``Decision: yes|no|maybe`` line, the refusal mark, and sentences ending in
markers like ``[2]`` or ``[1, 3]`` (markers before or after the final stop are both accepted)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reasoning.answer.prompt import REFUSAL_MARK

__all__ = ["MARKER", "ParsedCompletion", "ParsedSentence", "parse_completion", "split_sentences"]

MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_DECISION = re.compile(r"^\s*(?:\**\s*)?(?:decision|answer|结论)\s*\**\s*[:：]\s*\**\s*(yes|no|maybe)\b\**",
                       re.IGNORECASE | re.MULTILINE)
_BOUNDARY = re.compile(
    r"[.!?](?:\s*\[[\d,;\s]+\])*(?=\s+[A-Z0-9\"'(\[\u4e00-\u9fff]|\s*$)|[。！？](?:\s*\[[\d,;\s]+\])*|\n+"
)
_REFUSAL = re.compile(re.escape(REFUSAL_MARK) + r"|insufficient evidence|证据不足", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedSentence:
    text: str  # without markers, whitespace normalised
    numbers: tuple[int, ...]  # item numbers cited, in order, unique


@dataclass(frozen=True)
class ParsedCompletion:
    decision: str | None
    refusal: bool
    sentences: list[ParsedSentence]


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing markers kept attached ("A [1]. B. [2]" → ["A [1].", "B. [2]"])."""
    out: list[str] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        chunk = text[pos : m.end()].strip()
        if chunk:
            out.append(chunk)
        pos = m.end()
    tail = text[pos:].strip()
    if tail:
        out.append(tail)
    return _merge_markers(out)


_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")  # "A. schaalii", "J. Smith": an initial, not a sentence end
_ABBREV = ("e.g.", "i.e.", "vs.", "al.", "dr.", "fig.", "approx.", "no.", "etc.", "ca.")


def _merge_markers(parts: list[str]) -> list[str]:
    merged: list[str] = []
    for p in parts:
        prev = merged[-1] if merged else ""
        if merged and (MARKER.sub("", p).strip(" .;,") == "" or prev.lower().endswith(_ABBREV)
                       or _INITIAL.search(prev)):
            merged[-1] = merged[-1] + " " + p
        else:
            merged.append(p)
    return merged


def _numbers(sentence: str) -> tuple[int, ...]:
    seen: dict[int, None] = {}
    for m in MARKER.finditer(sentence):
        for n in re.split(r"[,;]", m.group(1)):
            seen.setdefault(int(n.strip()), None)
    return tuple(seen)


def parse_completion(text: str) -> ParsedCompletion:
    decision = None
    m = _DECISION.search(text)
    if m:
        decision = m.group(1).lower()
        text = text[: m.start()] + text[m.end() :]
    refusal = bool(_REFUSAL.search(text))
    body = _REFUSAL.sub(" ", text)
    sentences: list[ParsedSentence] = []
    for raw in split_sentences(body.replace("\r", "")):
        clean = " ".join(MARKER.sub(" ", raw).split())
        clean = re.sub(r"\s+([.!?,;。！？])", r"\1", clean).strip()
        if len(clean.strip(" .;,:-*")) < 2:
            continue
        sentences.append(ParsedSentence(clean, _numbers(raw)))
    refused = refusal and not any(s.numbers for s in sentences)
    return ParsedCompletion(decision, refused, sentences)

"""Rule-based negation in the style of ConText (Harkema et al. 2009), English and Chinese.

Implementation choice: a small rule set of ConText triggers, not medspacy (which pulls spaCy and PyRuSH and
is far slower than the dictionary linker it would follow). Rules:

- Forward triggers ("no", "denies", "without", "negative for", 无, 没有, 否认, 未见 ...) negate the mentions that
  start after them, up to the end of the clause: a sentence end, a semicolon/colon, a terminator word
  ("but", "however", "although", "except", "which", 但, 却 ...), a bracket or a list dash, and at most 8 words
  (English) or 6 characters (Chinese) between trigger and mention.
- Backward triggers ("... was ruled out", "... is unlikely", "... were absent", 阴性) negate the mentions before
  them, back to the start of the clause.
- Pseudo-triggers ("no change", "not only", "no increase", 无法, 不仅, 不排除 ...) are not negations, and a trigger
  that lies inside a mention (无力 = weakness) is ignored.
- Chinese clauses also end at the comma "，" (一 negation governs its clause; "、" lists stay in scope).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["NegationDetector"]

_EN_FORWARD = (
    "no",
    "not",
    "without",
    "denies",
    "denied",
    "deny",
    "denying",
    "absence of",
    "absent",
    "negative for",
    "no evidence of",
    "no sign of",
    "no signs of",
    "free of",
    "never",
    "neither",
    "nor",
    "ruled out",
    "rule out for",
    "rules out",
    "fails to reveal",
    "failed to reveal",
    "no history of",
    "unremarkable for",
    "resolution of",
)
_EN_BACKWARD = (
    "was ruled out",
    "were ruled out",
    "is ruled out",
    "are ruled out",
    "has been ruled out",
    "have been ruled out",
    "was excluded",
    "were excluded",
    "is unlikely",
    "are unlikely",
    "was absent",
    "were absent",
    "is absent",
    "are absent",
    "was negative",
    "were negative",
    "is negative",
    "are negative",
    "not seen",
    "not detected",
    "not found",
    "not present",
    "not observed",
    "resolved",
)
_EN_PSEUDO = (
    "no change",
    "no changes",
    "no increase",
    "no increased",
    "no decrease",
    "no significant change",
    "not only",
    "not necessarily",
    "not certain if",
    "not rule out",
    "not ruled out",
    "not been ruled out",
    "not excluded",
    "cannot be excluded",
    "cannot be ruled out",
    "without difficulty",
    "no further",
    "not always",
    "gram negative",
    "no longer",
    "whether or not",
)
_EN_TERMINATORS = (
    "but",
    "however",
    "although",
    "though",
    "except",
    "apart from",
    "aside from",
    "which",
    "whereas",
    "while",
    "yet",
    "still",
    "nevertheless",
    "other than",
    "as well as",
    "cause of",
    "source of",
    "reason for",
    "etiology of",
)
_ZH_FORWARD = (
    "无",
    "没有",
    "没",
    "否认",
    "未见",
    "未",
    "未发现",
    "未出现",
    "不伴",
    "不伴有",
    "排除",
    "并无",
    "并未",
    "从未",
    "不是",
)
_ZH_BACKWARD = ("阴性", "已排除", "已消失", "消失", "未见异常")
_ZH_PSEUDO = (
    "是不是",
    "是否",
    "不确定",
    "无根治",
    "不能排除",
    "不能够排除",
    "无法",
    "无论",
    "无关",
    "无效",
    "无明显诱因",
    "不仅",
    "不但",
    "不久",
    "不适",
    "不良",
    "不全",
    "不明",
    "不规律",
    "不典型",
    "不排除",
    "未知",
    "未能",
    "未经",
    "没有办法",
    "未必",
    "不是很",
    "没什么",
    "没怎么",
)
_ZH_TERMINATORS = ("但", "但是", "却", "可是", "然而", "不过", "而是")
_EN_MAX_WORDS = 8
_ZH_MAX_CHARS = 6
_EN_MAX_CHARS = 160  # 8 words never span more than this in practice; pairs further apart are skipped
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _body(words: Sequence[str]) -> str:
    """Alternation of the phrases, longest first, any whitespace between words."""
    parts = sorted(set(words), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(t) for t in p.split()) for p in parts)


def _alternation(words: Sequence[str], *, en: bool) -> str:
    body = _body(words)
    return rf"(?<![\w-])(?:{body})(?![\w-])" if en else f"(?:{body})"


class NegationDetector:
    """Decides, per mention span, whether a ConText negation trigger governs it. Stateless after construction."""

    def __init__(self) -> None:
        flags = re.IGNORECASE
        # one scan per language: at each position a pseudo-trigger wins over a backward trigger over a forward one
        self._en_all = re.compile(
            rf"(?<![\w-])(?:(?P<pseudo>{_body(_EN_PSEUDO)})|(?P<bwd>{_body(_EN_BACKWARD)})|(?P<fwd>{_body(_EN_FORWARD)}))"
            r"(?![\w-])",
            flags,
        )
        self._en_term = re.compile(_alternation(_EN_TERMINATORS, en=True), flags)
        self._zh_all = re.compile(
            f"(?P<pseudo>{_body(_ZH_PSEUDO)})|(?P<bwd>{_body(_ZH_BACKWARD)})|(?P<fwd>{_body(_ZH_FORWARD)})"
        )
        self._zh_term = re.compile(_alternation(_ZH_TERMINATORS, en=False))
        self._en_clause_end = re.compile(r"[.!?;:。！？；：\n](?:\s|$)|[;:\n()\[\]•]|\s[-–—]\s")
        self._word = re.compile(r"\S+")

    def negated(self, text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
        """One flag per ``(start, end)`` span of ``text``: True where a negation trigger governs it."""
        if not spans:
            return []
        flags = [False] * len(spans)
        triggers = self._triggers(text, list(spans))
        if not triggers:
            return flags
        for i, (s, e) in enumerate(spans):
            for t_start, t_end, direction, zh in triggers:
                window = _ZH_MAX_CHARS if zh else _EN_MAX_CHARS  # cheap bound before the regex checks
                if direction == "fwd" and t_end <= s and s - t_end <= window and self._in_scope(text, t_end, s, zh):
                    flags[i] = True
                    break
                if (
                    direction == "bwd"
                    and e <= t_start
                    and t_start - e <= window
                    and self._in_scope(text, e, t_start, zh)
                ):
                    flags[i] = True
                    break
        return flags

    def _triggers(self, text: str, busy: list[tuple[int, int]]) -> list[tuple[int, int, str, bool]]:
        mask = bytearray(len(text) + 1)  # 1 where a mention lies: a trigger inside a mention is no trigger
        for bs, be in busy:
            mask[bs:be] = b"\x01" * (be - bs)
        scans = [(self._en_all, False)]
        if _CJK.search(text) is not None:
            scans.append((self._zh_all, True))
        out: list[tuple[int, int, str, bool]] = []
        for rx, zh in scans:
            for m in rx.finditer(text):
                kind = m.lastgroup
                if kind != "pseudo" and kind is not None and 1 not in mask[m.start() : m.end()]:
                    out.append((m.start(), m.end(), kind, zh))
        return out

    def _in_scope(self, text: str, a: int, b: int, zh: bool) -> bool:
        """No clause end or terminator between ``a`` and ``b`` (and, in English, at most 8 words)."""
        gap = text[a:b]
        if zh:
            return len(gap) <= _ZH_MAX_CHARS and not (
                re.search(r"[.!?;:。！？；：，,\n]", gap) or self._zh_term.search(gap)
            )
        if self._en_clause_end.search(gap) or self._en_term.search(gap):
            return False
        return len(self._word.findall(gap)) <= _EN_MAX_WORDS

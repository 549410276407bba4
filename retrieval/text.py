"""Language detection and BM25 tokenisation (English: lowercase, stop-words, Snowball stemming; Chinese: jieba)."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

__all__ = ["STOPWORDS_EN", "STOPWORDS_ZH", "detect_lang", "tokenize"]

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# A common English stop-word list (function words only; clinical words such as "no" and "not" are kept,
# they carry negation).
_EN = """
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself nor of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves s t d ll m o re ve y shall may might must also us
"""
STOPWORDS_EN: frozenset[str] = frozenset(_EN.split())

_ZH = """
的 了 是 在 和 与 及 或 吗 呢 吧 啊 呀 哦 么 嘛 我 你 他 她 它 我们 你们 他们 这 那 这个 那个
哪 哪个 什么 怎么 怎样 如何 为什么 请问 一下 一个 有 没 就 都 也 还 又 很 太 被 把 让 给 对
从 向 到 于 为 以 之 其 而 但 但是 如果 因为 所以 可以 能 会 要 想 应该 需要 时候 现在 已经
一直 比较 非常 感觉 医生 您好 你好 谢谢 请 问 得 地 着 过 上 下 中 里 后 前 自己 这样 那样
还是 怎么办
"""
STOPWORDS_ZH: frozenset[str] = frozenset(_ZH.split())


def detect_lang(text: str) -> str | None:
    """'zh' when the text contains CJK ideographs, 'en' when it has Latin/other letters, None when it has no
    letters at all (only emoji, digits or symbols)."""
    if _CJK.search(text):
        return "zh"
    if _LETTER.search(text):
        return "en"
    return None


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from medkg.extras import require

    return require("Stemmer", "ml").Stemmer("english")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    from medkg.extras import require

    jieba = require("jieba", "ml")
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _english(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS_EN]
    return [str(t) for t in _stemmer().stemWords(words)]


def tokenize(text: str, lang: str) -> list[str]:
    """BM25 tokens. English: lowercase, stop-words removed, Snowball-stemmed. ``lang='zh'``: jieba words (stop-words
    removed) plus character bigrams of each run of adjacent CJK words, so terms jieba does not know (drug names)
    still match; Latin words inside Chinese text are handled as English."""
    if lang != "zh":
        return _english(text)
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        joined = "".join(run)
        out.extend(joined[i : i + 2] for i in range(len(joined) - 1))
        run.clear()

    for raw in _jieba().lcut(text):
        tok = raw.strip().lower()
        if not tok or not _WORD.search(tok) or tok in STOPWORDS_ZH:
            flush()
            continue
        if _CJK.search(tok):
            out.append(tok)
            run.append(tok)
        else:
            flush()
            out.extend(_english(tok))
    flush()
    return out

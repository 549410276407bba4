"""Patient attributes a question states: age, sex, pregnancy, duration and onset (English and Chinese).

Pure regular expressions: fast and predictable. Each function returns the value and the words it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Attributes", "parse_attributes"]

_NUM_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
              "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}
_ZH_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "半": 0.5}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30.4, "year": 365.25, "hour": 1 / 24, "minute": 1 / 1440,
              "天": 1, "日": 1, "周": 7, "星期": 7, "个月": 30.4, "月": 30.4, "年": 365.25, "岁": 365.25,
              "小时": 1 / 24, "分钟": 1 / 1440}
_N = r"(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
_AGE_EN = (
    re.compile(rf"\b{_N}[- ]?(day|week|month|year)s?[- ]old\b"),
    re.compile(rf"\b(?:i am|i'm|im|aged?|age:?|he is|she is|he's|she's|my (?:son|daughter|baby|child) is)\s*{_N}"
               r"(?:\s*(day|week|month|year)s?)?\b(?! ?(?:day|week|month|year)s? (?:ago|now|since))"),
    re.compile(rf"\b{_N}\s*(?:yo|y/o|yrs?)\b"),
    re.compile(r"\b(\d{1,3})\s*(?:m|f|male|female)\b"),
)
_AGE_ZH = (
    re.compile(r"(\d+|[一两二三四五六七八九十半]+)\s*(个月|月|岁|周|天)(?:大|的)?(?:的)?(?:宝宝|婴儿|孩子|男孩|女孩|小孩|患儿|男|女|老人)?"
               r"(?=[^前后]|$)"),
    re.compile(r"(?:出生|生下来)(\d+|[一两二三四五六七八九十]+)(天|周|个月)"),
    re.compile(r"(?:今年|年龄|现年)(\d+|[一两二三四五六七八九十]+)(岁)?"),
)
_NEWBORN = re.compile(r"\bnew-?born\b|新生儿|刚出生")
_SEX_EN = (("female", re.compile(r"\b(?:woman|women|female|girl|lady|mother|mum|mom|wife|daughter|she|her|"
                                 r"pregnant|menstrua\w*|period)\b")),
           ("male", re.compile(r"\b(?:man|men|male|boy|gentleman|father|dad|husband|son|he|his|him)\b")))
_SEX_ZH = (("female", re.compile(r"女|妈妈|母亲|妻子|老婆|女儿|怀孕|月经|妊娠|孕")),
           ("male", re.compile(r"男|爸爸|父亲|丈夫|老公|儿子")))
_PREG = re.compile(r"\bpregnan\w*|\bweeks? pregnant|\btrimester\b"
                   r"|怀孕|怀上|妊娠|孕期|孕妇|孕\d|孕早期|孕中期|孕晚期")
_NOT_PREG = re.compile(r"\bnot pregnant|\bno(?:t)? chance (?:of|that i.m) pregnan|\bcan.t be pregnant"
                       r"|没有?怀孕|未孕|没怀上")
_DUR_EN = re.compile(rf"\b(?:for|since|past|last|over)\s+(?:the\s+)?(?:past\s+|last\s+)?{_N}?\s*"
                     r"(hour|minute|day|week|month|year)s?\b"
                     rf"|\b{_N}\s*(hour|minute|day|week|month|year)s?\s+ago\b")
_DUR_ZH = re.compile(r"(\d+|[一两二三四五六七八九十半]+)(?:多)?(?:个)?"
                     r"(小时|分钟|天|日|周|星期|个月|月|年)(?:了|以来|左右|多|前)")
_ONSET_SUDDEN = re.compile(r"\bsudden(?:ly)?\b|\babrupt(?:ly)?\b|\bout of nowhere\b|\ball of a sudden\b"
                           r"|突然|突发|猛然|骤然")
_ONSET_GRADUAL = re.compile(r"\bgradual(?:ly)?\b|\bslowly\b"
                            r"|\bover (?:the )?(?:past |last )?(?:few |several )?(?:weeks|months)\b"
                            r"|逐渐|慢慢|渐渐|越来越")


@dataclass(frozen=True)
class Attributes:
    age_years: float | None = None
    age_text: str | None = None
    sex: str | None = None
    sex_text: str | None = None
    pregnant: bool | None = None
    pregnant_text: str | None = None
    duration_days: float | None = None
    duration_text: str | None = None
    onset: str | None = None
    onset_text: str | None = None

    @property
    def age_days(self) -> float | None:
        return None if self.age_years is None else self.age_years * 365.25


def _num(raw: str) -> float:
    if raw in _NUM_WORDS:
        return float(_NUM_WORDS[raw])
    try:
        return float(raw)
    except ValueError:
        pass
    if raw.startswith("十"):  # 十二 = 12
        return 10 + (_ZH_NUM.get(raw[1:], 0) if len(raw) > 1 else 0)
    if len(raw) == 2 and raw[1] == "十":  # 二十 = 20
        return _ZH_NUM.get(raw[0], 1) * 10
    if len(raw) == 3 and raw[1] == "十":  # 二十五
        return _ZH_NUM.get(raw[0], 1) * 10 + _ZH_NUM.get(raw[2], 0)
    return float(_ZH_NUM.get(raw, 0))


def _age(text: str) -> tuple[float | None, str | None]:
    if m := _NEWBORN.search(text):
        return 7 / 365.25, m.group()
    for pat in _AGE_EN:
        if m := pat.search(text):
            unit = m.group(2) if m.lastindex and m.lastindex >= 2 and m.group(2) else "year"
            value = _num(m.group(1)) * _UNIT_DAYS.get(unit, 365.25) / 365.25
            if 0 < value < 125:
                return value, m.group()
    for pat in _AGE_ZH:
        if m := pat.search(text):
            unit = m.group(2) if m.lastindex and m.lastindex >= 2 and m.group(2) else "岁"
            value = _num(m.group(1)) * _UNIT_DAYS.get(unit, 365.25) / 365.25
            if 0 < value < 125:
                return value, m.group()
    return None, None


def parse_attributes(text: str) -> Attributes:
    """Age (years), sex, pregnancy, duration (days) and onset ('sudden' | 'gradual') where the text states them."""
    low = text.lower()
    age, age_text = _age(low)
    sex = sex_text = None
    for value, pat in (_SEX_ZH if re.search(r"[\u4e00-\u9fff]", low) else ()) + _SEX_EN:
        if m := pat.search(low):
            sex, sex_text = value, m.group()
            break
    preg: bool | None = None
    preg_text = None
    if m := _NOT_PREG.search(low):
        preg, preg_text = False, m.group()
    elif m := _PREG.search(low):
        preg, preg_text = True, m.group()
    dur = dur_text = None
    if m := _DUR_EN.search(low):
        n_raw = m.group(1) or m.group(3) or "1"
        unit = m.group(2) or m.group(4)
        dur, dur_text = _num(n_raw) * _UNIT_DAYS[unit], m.group()
    elif m := _DUR_ZH.search(low):
        dur, dur_text = _num(m.group(1)) * _UNIT_DAYS[m.group(2)], m.group()
    onset = onset_text = None
    if m := _ONSET_SUDDEN.search(low):
        onset, onset_text = "sudden", m.group()
    elif m := _ONSET_GRADUAL.search(low):
        onset, onset_text = "gradual", m.group()
    return Attributes(age, age_text, sex, sex_text, preg, preg_text, dur, dur_text, onset, onset_text)

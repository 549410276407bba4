"""Chinese medical KG: term lists (``kg/zh/dict/*.txt``) and the full disease records (``kg/zh/medical_data.csv``).

Every node gets ``lang="zh"`` and an id ``medkg:zh:<kind>:<term>``. Records give TREATED_IN (科室), HAS_SYMPTOM (症状),
NEEDS_CHECK (检查), RECOMMENDED_FOR (推荐药物/常用药物: kind recommended|common), COMPLICATED_BY (并发症),
ADVISED (可以吃 / 推荐吃) and AVOID (不可以吃) foods.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ingest.readers.base import Item, ReadContext, TableSpec, read_lines, read_rows
from medkg.types import Node, PropValue, Relationship

__all__ = ["ZhReader", "zh_id"]

log = logging.getLogger(__name__)

DICT = Path("kg/zh/dict")
RECORDS = Path("kg/zh/medical_data.csv")
# term list → (label, id kind)
LISTS: dict[str, tuple[str, str]] = {
    "disease.txt": ("Disease", "disease"),
    "symptom.txt": ("Symptom", "symptom"),
    "drug.txt": ("Compound", "drug"),
    "check.txt": ("Check", "check"),
    "food.txt": ("Food", "food"),
    "department.txt": ("Department", "department"),
}
KIND_LABEL = {kind: label for label, kind in LISTS.values()}
NAME = "疾病名称"
REQUIRED = (NAME, "疾病描述", "科室", "症状", "检查", "并发症", "推荐药物", "常用药物", "可以吃", "不可以吃", "推荐吃")
# record column → disease property
PROPS = {"疾病描述": "description", "病因": "cause", "花费": "cost", "疗程": "course", "疗法": "therapy",
         "治愈率": "cure_rate", "易感人群": "susceptible", "感染概率": "infection_probability",
         "感染途径": "transmission", "预防措施": "prevention", "是否纳入医保": "insured"}
# record column → (relationship type, endpoint kind, extra props)
LINKS: dict[str, tuple[str, str, dict[str, PropValue]]] = {
    "科室": ("TREATED_IN", "department", {}),
    "症状": ("HAS_SYMPTOM", "symptom", {}),
    "检查": ("NEEDS_CHECK", "check", {}),
    "并发症": ("COMPLICATED_BY", "disease", {}),
    "可以吃": ("ADVISED", "food", {"kind": "can_eat"}),
    "推荐吃": ("ADVISED", "food", {"kind": "recommended_recipe"}),
    "不可以吃": ("AVOID", "food", {}),
}
DRUGS = {"推荐药物": "recommended", "常用药物": "common"}
_WS = re.compile(r"\s+")


def zh_id(kind: str, term: str) -> str:
    """``medkg:zh:disease:糖尿病`` (whitespace inside a term becomes '_')."""
    return f"medkg:zh:{kind}:{_WS.sub('_', term.strip())}"


def _split(value: str) -> list[str]:
    seen: list[str] = []
    for part in value.split(","):
        p = part.strip()
        if p and p not in seen:
            seen.append(p)
    return seen


class ZhReader:
    source = "zh_kg"
    root: Path | None = RECORDS.parent
    # zh departments are shared with the curated source; every other zh id is minted here only
    exclusive_prefixes = tuple(f"medkg:zh:{k}:" for k in ("disease", "symptom", "drug", "check", "food"))

    def files(self, data_dir: Path) -> list[Path]:
        return [data_dir / DICT / f for f in LISTS] + [data_dir / RECORDS]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        emitted: set[str] = set()
        dupes = 0
        for fname, (label, kind) in LISTS.items():
            path = data_dir / DICT / fname
            n = 0
            for line, term in read_lines(path):
                if ctx.limited(n):
                    break
                n += 1
                ctx.at(path, line)
                if len(term) > 200:
                    yield ctx.reject("term longer than 200 characters")
                    continue
                nid = zh_id(kind, term)
                if nid in emitted:
                    dupes += 1
                    continue
                emitted.add(nid)
                yield Node(id=nid, label=label, name=term, lang="zh", sources=(self.source,))
        ctx.notes["duplicate_terms_skipped"] = dupes
        yield from self._records(data_dir / RECORDS, ctx, emitted)

    def _node(self, kind: str, term: str, emitted: set[str]) -> Iterator[Node]:
        nid = zh_id(kind, term)
        if nid not in emitted:
            emitted.add(nid)
            yield Node(id=nid, label=KIND_LABEL[kind], name=term, lang="zh", sources=(self.source,))

    def _records(self, path: Path, ctx: ReadContext, emitted: set[str]) -> Iterator[Item]:
        seen: dict[str, int] = {}
        for v in read_rows(path, TableSpec(required=REQUIRED), ctx):
            if not v or not v[NAME]:
                yield ctx.reject("wrong number of fields or empty 疾病名称")
                continue
            name = v[NAME]
            if name in seen:
                yield ctx.reject(f"duplicate disease record {name!r} (first on line {seen[name]})")
                continue
            seen[name] = ctx.line
            did = zh_id("disease", name)
            props: dict[str, PropValue] = {p: v[c] for c, p in PROPS.items() if v.get(c)}
            kinds = _split(v.get("疾病种类", ""))
            if kinds:
                props["categories"] = kinds
            emitted.add(did)
            yield Node(id=did, label="Disease", name=name, lang="zh", sources=(self.source,), props=props)
            for col, (rtype, kind, extra) in LINKS.items():
                for term in _split(v[col]):
                    if kind == "disease" and term == name:
                        continue
                    yield from self._node(kind, term, emitted)
                    yield Relationship(type=rtype, start=did, end=zh_id(kind, term), source=self.source,
                                       props=dict(extra))
            drug_kinds: dict[str, list[str]] = {}
            for col, kind_name in DRUGS.items():
                for term in _split(v[col]):
                    drug_kinds.setdefault(term, []).append(kind_name)
            for term, dk in drug_kinds.items():
                yield from self._node("drug", term, emitted)
                yield Relationship(type="RECOMMENDED_FOR", start=zh_id("drug", term), end=did, source=self.source,
                                   props={"kind": dk})

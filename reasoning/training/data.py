"""Training examples for the generator's LoRA adapter, built only from ``../shared/data`` (paths are arguments).

Each example is the engine's own prompt (``build_prompt`` over an ``EvidenceBundle``) and the completion the
engine wants: sentences ending in markers that the checker accepts.

- PubMedQA dev: evidence = the abstract's sections; completion = ``Decision: <label>`` and the RESULTS/abstract
  sentence that best matches the expert's conclusion, cited. The conclusion (``long_answer``) only picks that
  sentence here; it is never in a prompt. A fixed validation part (``split_of(pmid) == "val"``) is never trained on.
- MedQuAD: evidence = the question's own answer (first sentences) among two other MedQuAD answers; completion =
  the answer's first sentences, cited. A fixed part is held out for ``medkg eval citations``.
- Refusals: the same MedQuAD questions with their own answer removed from the evidence → ``INSUFFICIENT EVIDENCE``.
- Chinese consultations: the patient's question over its doctor's answer among two others → the answer's first
  sentence, cited, in Chinese.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medkg.errors import DataFileError
from reasoning.answer.checker import support_score
from reasoning.answer.prompt import REFUSAL_MARK, PromptConfig, build_prompt
from retrieval import EvidenceBundle, EvidencePassage

__all__ = ["TRAIN_PROMPT", "Example", "build_examples", "pubmedqa_bundle", "split_of"]

TRAIN_PROMPT = PromptConfig(max_prompt_tokens=300, max_item_tokens=90, max_items=4, max_facts=0, max_sentences=2)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|(?<=[。！？])")


@dataclass(frozen=True)
class Example:
    task: str
    key: str
    messages: list[dict[str, str]]
    completion: str
    label: str | None = None


def split_of(key: str, val_share: int = 5) -> str:
    """'val' for a fixed 1/val_share of keys (sha1 of the key), else 'train': stable across runs and machines."""
    return "val" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % val_share == 0 else "train"


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise DataFileError(path, "not found")
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as e:
                    raise DataFileError(path, f"line {n}: not JSON ({e})") from e


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(" ".join(text.split())) if len(s.strip()) > 3]


def _passage(cid: str, text: str, source: str, rank: int, lang: str = "en") -> EvidencePassage:
    doc = cid.split("#", maxsplit=1)[0]
    return EvidencePassage(citation_id=cid, doc_id=doc, text=text, source=source, rank=rank, lang=lang)


def pubmedqa_bundle(question: str, abstract: dict[str, Any]) -> EvidenceBundle:
    """The abstract's sections as passages (``pmid:<pmid>#<section>``), in the abstract's order."""
    pmid = str(abstract["pmid"])
    passages = []
    seen: dict[str, int] = {}
    for i, sec in enumerate(abstract.get("sections") or [], start=1):
        slug = re.sub(r"[^a-z0-9]+", "-", str(sec.get("label") or "abstract").lower()).strip("-") or "abstract"
        seen[slug] = seen.get(slug, 0) + 1
        cid = f"pmid:{pmid}#{slug}" + (f"-{seen[slug]}" if seen[slug] > 1 else "")
        passages.append(_passage(cid, str(sec.get("text", "")), "pubmed", i))
    return EvidenceBundle(query=question, lang="en", passages=passages)


def _cite(sentence: str, number: int) -> str:
    s = sentence.rstrip()
    return f"{s[:-1]} [{number}]{s[-1]}" if s and s[-1] in ".!?。！？" else f"{s} [{number}]"


def _pubmedqa(data: Path, split: str) -> Iterator[Example]:
    abstracts = {str(r["pmid"]): r for r in _rows(data / "literature" / "pubmed_abstracts.jsonl")}
    for row in _rows(data / "eval" / "pubmedqa_dev.jsonl"):
        pmid = str(row["pmid"])
        if split_of(pmid) != split or pmid not in abstracts:
            continue
        bundle = pubmedqa_bundle(row["question"], abstracts[pmid])
        plan = build_prompt(row["question"], bundle, config=TRAIN_PROMPT)
        best: tuple[float, int, str] | None = None
        results = [i for i in plan.items if "result" in i.citation_id]
        for item in results or plan.items:
            for s in _sentences(item.text.rstrip(" …")):
                score = support_score(str(row.get("long_answer", "")), s)
                if best is None or score > best[0]:
                    best = (score, item.number, s)
        rationale = _cite(best[2], best[1]) if best else ""
        label = str(row["final_decision"])
        yield Example("pubmedqa", pmid, plan.messages, f"Decision: {label}\n{rationale}".strip(), label)


def _medquad(data: Path, split: str, limit: int, rng: random.Random) -> Iterator[Example]:
    rows = [r for r in _rows(data / "literature" / "medquad.jsonl") if r.get("answer") and r.get("question")]
    pool = [r for r in rows if split_of(str(r["id"]), 10) != "val"] if split == "train" else rows
    chosen = [r for r in pool if split_of(str(r["id"]), 10) == ("val" if split == "val" else "train")]
    rng.shuffle(chosen)
    for r in chosen[:limit]:
        own = " ".join(_sentences(r["answer"])[:3])
        others = rng.sample(pool, 3)
        distract = [o for o in others if o["focus"] != r.get("focus")][:2]
        texts = [(f"medquad:{r['id']}", own)] + [(f"medquad:{o['id']}", " ".join(_sentences(o["answer"])[:3]))
                                                for o in distract]
        order = list(range(len(texts)))
        rng.shuffle(order)
        passages = [_passage(texts[j][0], texts[j][1], "medquad", i + 1) for i, j in enumerate(order)]
        bundle = EvidenceBundle(query=r["question"], lang="en", passages=passages)
        plan = build_prompt(r["question"], bundle, config=TRAIN_PROMPT)
        own_item = next((i for i in plan.items if i.citation_id == texts[0][0]), None)
        if own_item is None:
            continue
        first = _sentences(own_item.text.rstrip(" …"))[:2]
        completion = " ".join(_cite(s, own_item.number) for s in first)
        yield Example("medquad", str(r["id"]), plan.messages, completion)
        refusal = EvidenceBundle(query=r["question"], lang="en", passages=[p for p in passages
                                                                            if p.citation_id != texts[0][0]])
        rplan = build_prompt(r["question"], refusal, config=TRAIN_PROMPT)
        if rng.random() < 0.5:
            yield Example("refusal", str(r["id"]), rplan.messages, REFUSAL_MARK)


def _zh(data: Path, split: str, limit: int, rng: random.Random) -> Iterator[Example]:
    rows = list(_rows(data / "dialogue" / "zh_consultations.jsonl"))
    idx = [n for n in range(len(rows)) if split_of(f"zhdlg:{n + 1}") == split and rows[n].get("answer")]
    rng.shuffle(idx)
    for n in idx[:limit]:
        r = rows[n]
        q = (r.get("ask") or r.get("title") or "").strip()[:120]
        if not q:
            continue
        others = [rows[m] for m in rng.sample(range(len(rows)), 2)]
        texts = [(f"zhdlg:{n + 1}", str(r["answer"])[:150])] + [
            (f"zhdlg:{rows.index(o) + 1}", str(o["answer"])[:150]) for o in others
        ]
        order = list(range(len(texts)))
        rng.shuffle(order)
        passages = [_passage(texts[j][0], texts[j][1], "zhdlg", i + 1, "zh") for i, j in enumerate(order)]
        plan = build_prompt(q, EvidenceBundle(query=q, lang="zh", passages=passages), config=TRAIN_PROMPT, lang="zh")
        own = next((i for i in plan.items if i.citation_id == texts[0][0]), None)
        if own is None:
            continue
        yield Example("zh", f"zhdlg:{n + 1}", plan.messages, _cite(_zh_clause(own.text.rstrip(" …")), own.number))


def _zh_clause(text: str) -> str:
    """The answer's first clause of 15-60 characters, verbatim (so the checker finds it in the cited text)."""
    m = re.search(r"[。！？.!?；;，,]", text[15:60])
    cut = text[: 15 + m.start() + 1] if m else text[:60]
    return cut.rstrip("，,；;") + ("" if cut[-1:] in "。！？.!?" else "。")


def build_examples(
    data: Path, *, split: str = "train", seed: int = 0, medquad: int = 150, zh: int = 40
) -> list[Example]:
    """All examples of ``split`` ('train' or 'val'), shuffled with ``seed``."""
    rng = random.Random(seed)
    out = list(_pubmedqa(data, split))
    out += list(_medquad(data, split, medquad, rng))
    out += list(_zh(data, split, zh, rng))
    rng.shuffle(out)
    return out

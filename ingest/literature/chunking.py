"""Chunking of source documents into passages (the unit that is embedded, indexed, linked and cited).

Rules:

- Sentences are never cut (except a single sentence longer than the limit, which is split at word boundaries).
- English limit: at most ``max_words`` = 200 whitespace words per passage (all-MiniLM-L6-v2 reads 256 word-piece
  tokens; 200 words of abstract text is about 250-280 tokens, so little is truncated). Chinese limit:
  ``max_chars`` = 500 characters (multilingual-e5-small reads 512 tokens, about one per Chinese character).
- Overlap: when a text must be split, the next chunk starts with the last sentence of the previous one
  (``overlap_sentences`` = 1), unless that sentence alone would leave no room for new text.
- A section that fits is one passage; sections are not merged, except in the ``single`` id style where the
  document's sections (the consultation's question and answer) are joined by newlines first.
- A ``prefix`` heads every chunk and counts towards the limit. MedQuAD: "<focus> — <section heading>" from the
  row's focus and qtype (the page section the answer was cut from; see ``ingest.literature.readers``), never the
  question.
- Citation ids, from the document's ``cite_stem`` and ``id_style``:
  ``section``: ``<stem>#<label slug>``, further chunks of the same label ``-2``, ``-3`` ... (``pmid:1#results-2``);
  ``single``: ``<stem>`` if the document is one chunk, else ``<stem>#1``, ``<stem>#2`` ...;
  ``counter``: ``<stem>#1``, ``<stem>#2`` ... over every chunk of the document in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from ingest.literature.documents import SourceDocument
from retrieval import PassageRecord

__all__ = ["ChunkConfig", "chunk_document", "chunk_text", "section_slug", "split_sentences"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# English: a sentence ends at . ! ? followed by space and an upper-case letter, digit or bracket; not after
# common abbreviations. Chinese: after 。！？； (with optional closing quote).
_EN_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9(\[\"'])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|Fig|Figs|No|Dr|Mr|Mrs|Ms|approx|ca|cf|resp)\.|\b[A-Z]\.)$")
_ZH_SPLIT = re.compile(r"(?<=[。！？；!?;])[”’」』]?")
_SLUG = re.compile(r"[^a-z0-9]+")


class ChunkConfig(BaseModel):
    """Passage size limits (documented in the module docstring)."""

    model_config = ConfigDict(frozen=True)

    max_words: int = Field(default=200, ge=20)
    max_chars: int = Field(default=500, ge=50)
    overlap_sentences: int = Field(default=1, ge=0, le=3)


def section_slug(label: str | None) -> str:
    """``'MATERIALS AND METHODS'`` → ``'materials-and-methods'``; empty → ``'text'``."""
    slug = _SLUG.sub("-", (label or "").lower()).strip("-")
    return slug or "text"


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (English or Chinese), whitespace-trimmed, none empty."""
    text = text.strip()
    if not text:
        return []
    if _CJK.search(text):
        parts = [p for chunk in text.split("\n") for p in re.split(_ZH_SPLIT, chunk)]
        return [p.strip() for p in parts if p.strip()]
    out: list[str] = []
    for para in text.split("\n"):
        pos = 0
        for m in _EN_SPLIT.finditer(para):
            head = para[pos : m.start()]
            if _ABBREV.search(head.rstrip("\"')]")):
                continue
            out.append(head.strip())
            pos = m.end()
        out.append(para[pos:].strip())
    return [s for s in out if s]


def _size(text: str, zh: bool) -> int:
    return len(text) if zh else len(text.split())


def _split_long(sentence: str, limit: int, zh: bool) -> list[str]:
    if zh:
        return [sentence[i : i + limit] for i in range(0, len(sentence), limit)]
    words = sentence.split()
    return [" ".join(words[i : i + limit]) for i in range(0, len(words), limit)]


def chunk_text(
    text: str, *, zh: bool = False, prefix: str | None = None, config: ChunkConfig | None = None
) -> list[str]:
    """Pack whole sentences into chunks within the size limit, with the configured sentence overlap."""
    cfg = config or ChunkConfig()
    limit = cfg.max_chars if zh else cfg.max_words
    joiner = "" if zh else " "
    head = f"{prefix}\n" if prefix else ""
    budget = max(limit - (_size(prefix, zh) if prefix else 0), limit // 4)
    if _size(text, zh) <= budget:
        return [head + text.strip()] if text.strip() else []
    sentences: list[str] = []
    for s in split_sentences(text):
        sentences.extend(_split_long(s, budget, zh) if _size(s, zh) > budget else [s])
    chunks: list[list[str]] = []
    cur: list[str] = []
    cur_size = 0
    for s in sentences:
        size = _size(s, zh)
        if cur and cur_size + size > budget:
            chunks.append(cur)
            keep = cur[-cfg.overlap_sentences :] if cfg.overlap_sentences else []
            keep_size = sum(_size(k, zh) for k in keep)
            if keep_size + size > budget or keep_size > budget // 2:
                keep, keep_size = [], 0
            cur, cur_size = list(keep), keep_size
        cur.append(s)
        cur_size += size
    if cur:
        chunks.append(cur)
    return [head + joiner.join(c) for c in chunks]


def _ids(doc: SourceDocument, labelled: list[tuple[str | None, str]]) -> Iterator[str]:
    if doc.id_style == "single":
        if len(labelled) == 1:
            yield doc.cite_stem
        else:
            yield from (f"{doc.cite_stem}#{i}" for i in range(1, len(labelled) + 1))
    elif doc.id_style == "counter":
        yield from (f"{doc.cite_stem}#{i}" for i in range(1, len(labelled) + 1))
    else:
        seen: dict[str, int] = {}
        for label, _ in labelled:
            slug = section_slug(label)
            seen[slug] = seen.get(slug, 0) + 1
            yield f"{doc.cite_stem}#{slug}" if seen[slug] == 1 else f"{doc.cite_stem}#{slug}-{seen[slug]}"


def chunk_document(doc: SourceDocument, config: ChunkConfig | None = None) -> list[PassageRecord]:
    """The passages of one document, with stable citation ids (see the module docstring)."""
    zh = doc.lang == "zh"
    labelled: list[tuple[str | None, str]] = []
    sections: Iterable[tuple[str | None, str]]
    if doc.id_style == "single":
        sections = [
            (doc.sections[0].label if len(doc.sections) == 1 else None, "\n".join(s.text.strip() for s in doc.sections))
        ]
    else:
        sections = [(s.label, s.text) for s in doc.sections]
    for label, text in sections:
        labelled.extend((label, c) for c in chunk_text(text, zh=zh, prefix=doc.prefix, config=config))
    return [
        PassageRecord(
            citation_id=cid,
            doc_id=doc.doc_id,
            text=text,
            source=doc.source,
            lang=doc.lang,
            section=(label.lower() if label else None),
            url=doc.url,
            pmid=doc.pmid,
            title=doc.title,
            meta=dict(doc.passage_meta),
        )
        for cid, (label, text) in zip(_ids(doc, labelled), labelled, strict=True)
    ]

"""Deterministic dictionary entity linking of texts to KG concepts, English and Chinese, with negation.

- English: texts and dictionary names are cut into word tokens the same way and each token is folded like
  :func:`kg.normalize.normalize_name` (case, accents, full-width forms, apostrophes), then a token trie finds the
  longest name starting at each token (longest-match-first, word boundaries by construction; a match does not
  cross sentence punctuation). Entries flagged ``case_sensitive`` (short abbreviations, gene symbols) must
  match the text exactly.
- Chinese: names containing CJK characters are matched by forward maximum matching over the characters
  (longest first), only in texts that contain CJK characters.
- Negation: :class:`retrieval.negation.NegationDetector` (ConText-style rules) sets ``Mention.negated``.
- Which names become entries (labels, stop-list, short names, gene symbols, MeSH inverted headings, plurals)
  is decided by :mod:`retrieval.linker_vocab` when building from a store; the constructor takes entries as given.
"""

from __future__ import annotations

import logging
import pickle
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medkg.errors import IndexCorruptError
from retrieval.linker_tokens import LinkerEntry, fold_token, tokenize
from retrieval.negation import NegationDetector
from retrieval.types import Mention

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = ["DEFAULT_LINK_LABELS", "DictionaryLinker", "LinkerEntry", "fold_token", "linker_cache_path", "tokenize"]

log = logging.getLogger(__name__)

DEFAULT_LINK_LABELS: tuple[str, ...] = (
    "Disease",
    "Symptom",
    "Compound",
    "Anatomy",
    "SideEffect",
    "Department",
    "Check",
    "Food",
    "Gene",
)
_LABEL_RANK = {lab: i for i, lab in enumerate(DEFAULT_LINK_LABELS)}
_FORMAT = 1
_END = ""  # trie key of the terminal (tokens are never empty)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_JOINABLE_GAP = re.compile(r"^[\s\-,/]{0,3}$")
_MAX_PER_SPAN = 3
# Labels whose concepts carry the KG's clinical relationships; an outer match without one of them (a SIDER
# side-effect phrase, a department) is searched for nested mentions of these.
_PRIMARY = frozenset({"Disease", "Symptom", "Compound", "Anatomy", "Gene"})
_Span = tuple[int, int, list[int]]
_ABBREV_DEF = re.compile(r"\s*\(([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\)")  # ' (AMI)' right after a long form
_REBUILD = "rebuild it with: medkg ingest literature (or delete the file; it is rebuilt on next use)"


def _fold_char(c: str) -> str:
    f = unicodedata.normalize("NFKC", c).casefold()
    return f if len(f) == 1 else c


def _fold_chars(text: str) -> str:
    return text.casefold() if text.isascii() else "".join(_fold_char(c) for c in text)


def linker_cache_path(index_dir: Path) -> Path:
    """Where the compiled dictionary is cached: ``<index_dir>/linker.pkl``."""
    return index_dir / "linker.pkl"


class DictionaryLinker:
    """Links texts to KG concepts by dictionary lookup. Construction compiles the entries (no I/O)."""

    def __init__(self, entries: Sequence[LinkerEntry], *, fingerprint: str = "") -> None:
        self.entries: list[LinkerEntry] = list(entries)
        self.fingerprint = fingerprint
        self._trie: dict[str, Any] = {}
        self._raw: list[tuple[str, ...]] = []
        self._zh: dict[str, list[int]] = {}
        self._zh_lens: dict[str, list[int]] = {}
        self._negation = NegationDetector()
        for idx, e in enumerate(self.entries):
            self._raw.append(tuple(t for _, _, t in tokenize(e.surface)))
            if e.lang == "zh" or _CJK.search(e.surface):  # Chinese names, matched only in CJK texts
                key = _fold_chars(e.surface.strip())
                self._zh.setdefault(key, []).append(idx)
                lens = self._zh_lens.setdefault(key[0], [])
                if len(key) not in lens:
                    lens.append(len(key))
                continue
            toks = [fold_token(t) for t in self._raw[idx]]
            if not toks:
                continue
            node = self._trie
            for t in toks:
                node = node.setdefault(t, {})
            node.setdefault(_END, []).append(idx)
        for lens in self._zh_lens.values():
            lens.sort(reverse=True)

    def __len__(self) -> int:
        return len(self.entries)

    # -- building and caching -------------------------------------------------------------------------------
    @classmethod
    def from_store(cls, store: GraphStore, labels: Sequence[str] | None = None) -> DictionaryLinker:
        """Entries from every node of ``labels`` (default :data:`DEFAULT_LINK_LABELS`): names and synonyms,
        filtered by the curated stop-list and the short-name rules of :mod:`retrieval.linker_vocab`."""
        from retrieval.linker_vocab import entries_from_store

        entries, fingerprint = entries_from_store(store, labels or DEFAULT_LINK_LABELS)
        log.info("linker: %d entries from the store", len(entries))
        return cls(entries, fingerprint=fingerprint)

    @classmethod
    def load_or_build(cls, store: GraphStore, path: Path, labels: Sequence[str] | None = None) -> DictionaryLinker:
        """The cached linker at ``path`` if it was built from a store with the same node counts, else a fresh
        one from ``store`` (saved to ``path``)."""
        from retrieval.linker_vocab import store_fingerprint

        want = store_fingerprint(store, labels or DEFAULT_LINK_LABELS)
        if path.is_file():
            cached = cls.load(path)
            if cached.fingerprint == want:
                return cached
            log.info("linker cache %s is stale; rebuilding", path)
        linker = cls.from_store(store, labels)
        linker.save(path)
        return linker

    def save(self, path: Path) -> None:
        """Pickle the entries and compiled tables (written to a temp file, then renamed)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        state = {
            "format": _FORMAT,
            "fingerprint": self.fingerprint,
            "entries": [e.model_dump() for e in self.entries],
            "trie": self._trie,
            "raw": self._raw,
            "zh": self._zh,
            "zh_lens": self._zh_lens,
        }
        with tmp.open("wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> DictionaryLinker:
        """A linker saved by :meth:`save`. An unreadable or foreign file raises :class:`IndexCorruptError`."""
        try:
            with path.open("rb") as f:
                state = pickle.load(f)  # our own cache file under the index directory
            if not isinstance(state, dict) or state.get("format") != _FORMAT:
                raise IndexCorruptError(f"{path}: not a linker cache of format {_FORMAT}; {_REBUILD}")
            self = cls.__new__(cls)
            self.entries = [LinkerEntry.model_validate(e) for e in state["entries"]]
            self.fingerprint = str(state["fingerprint"])
            self._trie, self._raw, self._zh, self._zh_lens = state["trie"], state["raw"], state["zh"], state["zh_lens"]
            self._negation = NegationDetector()
            return self
        except IndexCorruptError:
            raise
        except FileNotFoundError as e:
            raise IndexCorruptError(f"{path}: linker cache not found; {_REBUILD}") from e
        except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError) as e:
            raise IndexCorruptError(f"{path}: unreadable linker cache ({type(e).__name__}); {_REBUILD}") from e

    # -- linking --------------------------------------------------------------------------------------------
    def link(self, text: str, *, lang: str | None = None, negation: bool = True) -> list[Mention]:
        """Mentions of KG concepts in ``text``, ordered by position; several nodes sharing a surface form give
        one mention each (at most 3, clinical labels first). ``lang`` ('en', 'zh' or None = both scripts)
        only chooses which matchers run; ``negation=False`` skips the ConText step."""
        spans, nested = self._match_tokens(text)  # Latin-script names occur in Chinese texts too (CT, B超)
        if lang != "en" and self._zh and _CJK.search(text):
            spans.extend(self._match_chars(text))
        if not spans:
            return []
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        kept: list[tuple[int, int, list[int]]] = []
        last_end = -1
        for s, e, ids in spans:
            if s >= last_end:
                kept.append((s, e, ids))
                last_end = e
        kept = self._with_abbreviations(text, kept)
        outer = {(s, e) for s, e, _ in kept}
        kept.extend(x for x in nested if any(a <= x[0] and x[1] <= b for a, b in outer))
        kept.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        flags = self._negation.negated(text, [(s, e) for s, e, _ in kept]) if negation else [False] * len(kept)
        out: list[Mention] = []
        for (s, e, ids), neg in zip(kept, flags, strict=True):
            surface = text[s:e]
            seen: set[str] = set()
            cands = sorted((self.entries[i] for i in ids), key=lambda x: (_LABEL_RANK.get(x.label, 99), -x.score))
            for ent in cands:
                if ent.node_id in seen:
                    continue
                seen.add(ent.node_id)
                out.append(  # values come from validated entries and our own offsets: skip re-validation
                    Mention.model_construct(
                        node_id=ent.node_id,
                        label=ent.label,
                        start=s,
                        end=e,
                        surface=surface,
                        negated=neg,
                        score=ent.score,
                    )
                )
                if len(seen) >= _MAX_PER_SPAN:
                    break
        return out

    @staticmethod
    def _with_abbreviations(text: str, spans: list[_Span]) -> list[_Span]:
        """Local abbreviations: 'acute myocardial infarction (AMI)' makes the later 'AMI's of the same text
        mentions of the same concepts (Schwartz-Hearst style: the short form's first letter starts the long form)."""
        added: list[_Span] = []
        for s, e, ids in spans:
            m = _ABBREV_DEF.match(text, e)
            if m is None or m.group(1)[0].lower() != text[s].lower():
                continue
            abbr = m.group(1)
            for occ in re.finditer(rf"(?<![\w-]){re.escape(abbr)}(?!\w)", text[m.end() :]):
                a, b = m.end() + occ.start(), m.end() + occ.end()
                if not any(x < b and a < y for x, y, _ in spans):
                    added.append((a, b, ids))
        if not added:
            return spans
        return sorted(spans + added, key=lambda x: (x[0], -(x[1] - x[0])))

    def _longest_at(
        self, text: str, toks: list[tuple[int, int, str]], folded: list[str], i: int, stop: int
    ) -> tuple[int, list[int]] | None:
        """The longest entry starting at token ``i`` and ending at or before token ``stop``: (end token, ids)."""
        node = self._trie.get(folded[i])
        best: tuple[int, list[int]] | None = None
        j = i + 1
        while node is not None:
            ids = node.get(_END)
            if ids:
                ok = [k for k in ids if not self.entries[k].case_sensitive or self._exact(toks, i, j, k)]
                if ok:
                    best = (j, ok)
            if j >= stop or not _JOINABLE_GAP.match(text[toks[j - 1][1] : toks[j][0]]):
                break
            node = node.get(folded[j])
            j += 1
        return best

    def _match_tokens(self, text: str) -> tuple[list[_Span], list[_Span]]:
        """Longest non-overlapping matches, and the longest matches nested inside an outer match that has no
        primary clinical label (e.g. 'myocardial infarction' inside the side effect 'acute myocardial
        infarction', 'pregnancy' inside 'ectopic pregnancy'): SIDER phrases are specific, the KG's relationships
        mostly hang on the general concept."""
        toks = tokenize(text)
        n = len(toks)
        folded = [fold_token(t) for _, _, t in toks]
        out: list[_Span] = []
        nested: list[_Span] = []
        i = 0
        while i < n:
            if folded[i] not in self._trie:
                i += 1
                continue
            best = self._longest_at(text, toks, folded, i, n)
            if best is None:
                i += 1
                continue
            j, ids = best
            out.append((toks[i][0], toks[j - 1][1], ids))
            if j - i > 1 and not any(self.entries[k].label in _PRIMARY for k in ids):
                k = i
                while k < j:
                    inner = self._longest_at(text, toks, folded, k, j) if folded[k] in self._trie else None
                    if inner is not None and (k, inner[0]) != (i, j):
                        nested.append((toks[k][0], toks[inner[0] - 1][1], inner[1]))
                        k = inner[0]
                        continue
                    k += 1
            i = j
        return out, nested

    def _exact(self, toks: list[tuple[int, int, str]], i: int, j: int, k: int) -> bool:
        return tuple(t for _, _, t in toks[i:j]) == self._raw[k]

    def _match_chars(self, text: str) -> list[tuple[int, int, list[int]]]:
        folded = _fold_chars(text)
        if len(folded) != len(text):  # folding must keep offsets; fall back to the raw text
            folded = text
        out: list[tuple[int, int, list[int]]] = []
        i, n = 0, len(folded)
        while i < n:
            lens = self._zh_lens.get(folded[i])
            hit = None
            if lens and not (folded[i].isascii() and i > 0 and folded[i - 1].isascii() and folded[i - 1].isalnum()):
                for ln in lens:
                    if i + ln <= n:
                        ids = self._zh.get(folded[i : i + ln])
                        end_ok = not (
                            i + ln < n
                            and folded[i + ln - 1].isascii()
                            and folded[i + ln].isascii()
                            and folded[i + ln].isalnum()
                        )
                        if ids and end_ok:
                            hit = (i, i + ln, ids)
                            break
            if hit is None:
                i += 1
                continue
            out.append(hit)
            i = hit[1]
        return out

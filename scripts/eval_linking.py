#!/usr/bin/env python
"""Evaluate the dictionary linker against the MeSH index terms of the PubMed abstracts.

Usage (after ``medkg ingest kg``)::

    python scripts/eval_linking.py [--data DIR] [--store-path graph.sqlite3] [--limit N] [--json]

Opens the configured store (MEDKG_STORE / MEDKG_HOME), or an embedded store file given by ``--store-path``,
links every section of ``<data>/literature/pubmed_abstracts.jsonl`` and prints micro precision/recall/F1 of
the MeSH headings reached (see ``ingest.literature.linking_eval`` for the mapping and definitions).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="data directory (default: settings / ../shared/data)")
    ap.add_argument("--store-path", type=Path, default=None, help="embedded store file (default: configured store)")
    ap.add_argument("--limit", type=int, default=None, help="evaluate only the first N abstracts")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    from ingest.literature.linking_eval import evaluate_linking
    from kg import open_store
    from kg.store import GraphStore
    from medkg.data import resolve_data_dir
    from medkg.errors import MedkgError
    from medkg.settings import get_settings

    settings = get_settings()
    try:
        data = resolve_data_dir(args.data, settings.data_dir)
        store: GraphStore
        if args.store_path is not None:
            from kg.embedded import EmbeddedGraphStore

            store = EmbeddedGraphStore(args.store_path)
        else:
            store = open_store(settings)
        try:
            scores = evaluate_linking(store, data / "literature" / "pubmed_abstracts.jsonl", limit=args.limit)
        finally:
            store.close()
    except MedkgError as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(scores.model_dump()))
    else:
        s = scores
        print(f"abstracts {s.abstracts}, passages {s.passages}, {s.seconds:.1f}s")
        print(f"predicted MeSH headings {s.predicted}, correct {s.correct}, gold {s.gold} "
              f"({s.gold_in_vocabulary} reachable from the KG; {s.mappable_headings} headings mappable)")
        print(f"precision {s.precision:.3f}")
        print(f"recall (all gold) {s.recall:.3f}   F1 {s.f1:.3f}")
        print(f"recall (gold in KG vocabulary) {s.recall_in_vocabulary:.3f}   F1 {s.f1_in_vocabulary:.3f}")
        print(f"linked concepts without a MeSH mapping (left out of precision): {s.unmapped_linked_concepts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

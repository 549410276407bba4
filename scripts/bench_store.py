"""Benchmark the graph stores: upsert throughput (rows/s) and 2-hop neighbourhood latency (p50/p95).

    python scripts/bench_store.py --store embedded            # SQLite file in a temp folder
    python scripts/bench_store.py --store neo4j               # MEDKG_NEO4J_URI/USER/PASSWORD/DATABASE, else
                                                              # the scripts/bolt-server.sh server (wiped!)
The timing helpers (``synthetic_graph``, ``time_upserts``, ``time_neighbourhood``, ``bench``) are importable.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.store import GraphStore
from medkg.types import Node, Relationship

__all__ = ["bench", "main", "percentile", "synthetic_graph", "time_neighbourhood", "time_upserts"]


def synthetic_graph(
    n_nodes: int = 50_000, n_rels: int = 100_000, seed: int = 7
) -> tuple[list[Node], list[Relationship]]:
    """A Hetionet-shaped random graph: 10% diseases, 6% symptoms, 4% compounds, 80% genes; 40% HAS_SYMPTOM,
    10% TREATS, 50% disease-gene RELATED_TO, weights in [0, 1] (some None)."""
    rng = random.Random(seed)
    shares = (("Disease", "DOID", 0.10), ("Symptom", "MESH", 0.06), ("Compound", "DrugBank", 0.04),
              ("Gene", "Entrez", 0.80))
    ids: dict[str, list[str]] = {}
    nodes: list[Node] = []
    for label, prefix, share in shares:
        ids[label] = [f"{prefix}:{label[0]}{i}" for i in range(max(1, int(n_nodes * share)))]
        nodes.extend(Node(id=i, label=label, name=f"{label.lower()} {i.split(':')[1]}", synonyms=(f"syn {i}",),
                          sources=("bench",), props={"rank": k}) for k, i in enumerate(ids[label]))
    plan = (("HAS_SYMPTOM", "Disease", "Symptom", 0.40), ("TREATS", "Compound", "Disease", 0.10),
            ("RELATED_TO", "Disease", "Gene", 0.50))
    rels: dict[tuple[str, str, str], Relationship] = {}
    for rel_type, a, b, share in plan:
        target = len(rels) + int(n_rels * share)
        while len(rels) < target:
            s, e = rng.choice(ids[a]), rng.choice(ids[b])
            w = None if rng.random() < 0.1 else round(rng.random(), 3)
            rels[(rel_type, s, e)] = Relationship(type=rel_type, start=s, end=e, source="bench", weight=w)
    return nodes, list(rels.values())


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def time_upserts(store: GraphStore, nodes: Sequence[Node], rels: Sequence[Relationship], batch_size: int = 5000,
                 ) -> dict[str, float]:
    """Upsert in calls of ``batch_size`` rows; seconds and rows/s for nodes and relationships."""
    out: dict[str, float] = {}
    for kind, rows in (("nodes", nodes), ("rels", rels)):
        t0 = time.perf_counter()
        for i in range(0, len(rows), batch_size):
            chunk = rows[i : i + batch_size]
            if kind == "nodes":
                store.upsert_nodes(chunk)  # type: ignore[arg-type]
            else:
                store.upsert_relationships(chunk)  # type: ignore[arg-type]
        dt = time.perf_counter() - t0
        out[f"{kind}_s"] = round(dt, 3)
        out[f"{kind}_per_s"] = round(len(rows) / dt, 1)
    return out


def time_neighbourhood(store: GraphStore, seeds: Sequence[str], hops: int = 2, limit: int = 100) -> dict[str, float]:
    """Latency of ``neighbourhood([seed], hops)`` over ``seeds``: p50/p95 in ms and mean result size."""
    times: list[float] = []
    sizes: list[int] = []
    for s in seeds:
        t0 = time.perf_counter()
        sub = store.neighbourhood([s], hops=hops, limit=limit)
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(sub.nodes))
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "mean_nodes": round(statistics.fmean(sizes), 1), "queries": len(seeds)}


def bench(store: GraphStore, n_nodes: int, n_rels: int, batch_size: int = 5000, queries: int = 200,
          warmup: bool = False) -> dict[str, Any]:
    """Load a synthetic graph into an empty ``store`` and time it; ``warmup`` loads one discarded batch first."""
    nodes, rels = synthetic_graph(n_nodes, n_rels)
    store.ensure_schema()
    result: dict[str, Any] = {"nodes": len(nodes), "rels": len(rels), "batch_size": batch_size}
    if warmup:
        warm_nodes, _ = synthetic_graph(min(batch_size, 5000), 0, seed=99)
        warm = [n.model_copy(update={"id": "medkg:warm-" + n.id, "sources": ("warmup",)}) for n in warm_nodes]
        store.upsert_nodes(warm)
        store.delete_source("warmup")
    result["load"] = time_upserts(store, nodes, rels, batch_size)
    result["reload_same"] = time_upserts(store, nodes[:batch_size * 2], rels[:batch_size * 2], batch_size)
    diseases = [n.id for n in nodes if n.label == "Disease"]
    seeds = random.Random(1).sample(diseases, min(queries, len(diseases)))
    time_neighbourhood(store, seeds[:10])
    result["neighbourhood_2hop"] = time_neighbourhood(store, seeds, hops=2)
    result["neighbourhood_1hop"] = time_neighbourhood(store, seeds, hops=1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    ap.add_argument("--nodes", type=int, default=50_000)
    ap.add_argument("--rels", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    store: GraphStore
    if args.store == "embedded":
        from kg.embedded import EmbeddedGraphStore

        with tempfile.TemporaryDirectory() as tmp:
            store = EmbeddedGraphStore(Path(tmp) / "graph.sqlite3")
            result = bench(store, args.nodes, args.rels, args.batch_size, args.queries)
            store.close()
    else:
        from neo4j import GraphDatabase

        from kg.neo4j import Neo4jGraphStore

        uri = os.environ.get("MEDKG_NEO4J_URI", f"bolt://127.0.0.1:{os.environ.get('MEDKG_BOLT_PORT', '7688')}")
        user = os.environ.get("MEDKG_NEO4J_USER", "root")
        password = os.environ.get("MEDKG_NEO4J_PASSWORD", os.environ.get("MEDKG_BOLT_PASSWORD", "medkg-test-pw"))
        database = os.environ.get("MEDKG_NEO4J_DATABASE", "neo4j")
        with GraphDatabase.driver(uri, auth=(user, password)) as driver:
            driver.execute_query("MATCH (n) DETACH DELETE n", database_=database)
        store = Neo4jGraphStore(uri, user, password, database, args.batch_size)
        result = bench(store, args.nodes, args.rels, args.batch_size, args.queries, warmup=True)
        result["server"] = store.server_agent
        store.close()
    result["store"] = args.store
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

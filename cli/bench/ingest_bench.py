"""``medkg bench ingest``: kg + records + resources into a fresh embedded store (and Neo4j over Bolt on request):
rows/s per source, wall time per store, counts per label/type, and 2-hop neighbourhood latency of diseases."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cli.common import DataOpt, console, err_console
from medkg.data import resolve_data_dir
from medkg.settings import Settings, get_settings

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = ["bench_ingest"]

PARTS = ["kg", "records", "resources"]
WARMUP_SOURCE = "bench_warmup"


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def _two_hop(store: GraphStore, samples: int, prefix: str = "") -> dict[str, Any]:
    diseases = [d for d in store.node_ids(label="Disease") if d.startswith(prefix)]
    step = max(1, len(diseases) // max(1, samples))
    chosen = diseases[::step][:samples]
    times: list[float] = []
    sizes: list[int] = []
    for did in chosen:
        t0 = time.perf_counter()
        sub = store.neighbourhood([did], hops=2, limit=100)
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(sub.nodes))
    return {"queries": len(times), "p50_ms": round(_percentile(times, 0.5), 2),
            "p95_ms": round(_percentile(times, 0.95), 2),
            "mean_nodes": round(statistics.fmean(sizes), 1) if sizes else 0.0}


def _warm_up(store: GraphStore, batch: int) -> tuple[float, float]:
    """One node batch and one relationship batch of throw-away rows (a fresh server compiles its write paths on
    the first of each); returns their seconds. Everything is deleted again before the timed ingest."""
    from medkg.types import Node, Relationship

    nodes = [Node(id=f"medkg:bench:{i}", label="Disease", name=f"warm-up {i}", sources=(WARMUP_SOURCE,))
             for i in range(batch)]
    rels = [Relationship(type="COOCCURS_WITH", start=nodes[i].id, end=nodes[(i + 1) % batch].id, source=WARMUP_SOURCE,
                         weight=1.0) for i in range(batch)]
    t0 = time.perf_counter()
    store.upsert_nodes(nodes)
    t1 = time.perf_counter()
    store.upsert_relationships(rels)
    t2 = time.perf_counter()
    store.delete_source(WARMUP_SOURCE)
    return t1 - t0, t2 - t1


def _warm_up_ingest(store: GraphStore, settings: Settings, data_dir: Path, rows: int) -> dict[str, Any]:
    """A short ingest of every source (``rows`` per file) so that a fresh server has compiled every write and
    lookup path the timed run uses; then every source it wrote is deleted again. Returns its figures, including
    what it left behind (nothing, unless deletion is broken)."""
    from ingest import run_ingest

    t0 = time.perf_counter()
    report = run_ingest(store, data_dir, PARTS, settings=settings, limit=rows)
    t1 = time.perf_counter()
    for s in report.sources:
        if s.nodes_written or s.relationships_written:
            store.delete_source(s.source)
    left = store.counts()
    return {"rows": sum(s.rows_read for s in report.sources), "ingest_s": round(t1 - t0, 2),
            "delete_s": round(time.perf_counter() - t1, 2),
            "left_behind": sum(left.nodes.values()) + sum(left.relationships.values())}


def _run_store(name: str, settings: Settings, data_dir: Path, samples: int, limit: int | None,
               warm_up: bool, warm_up_rows: int = 0) -> dict[str, Any]:
    from ingest import run_ingest
    from kg import open_store, store_waits_on_server

    t0 = time.perf_counter()
    store = open_store(settings)  # creates the schema (one-off DDL): timed apart from the warm-up batch
    try:
        store.ensure_schema()
        schema_s = time.perf_counter() - t0
        warm, warm_rels = _warm_up(store, settings.batch_size) if warm_up else (None, None)
        warm_ingest = _warm_up_ingest(store, settings, data_dir, warm_up_rows) if warm_up and warm_up_rows else None
        if warm_ingest is not None and warm_ingest["left_behind"]:
            err_console.print(f"[yellow]warm-up ingest left {warm_ingest['left_behind']} nodes/relationships behind; "
                              "the timed run merges into them[/]")
        t0 = time.perf_counter()
        report = run_ingest(store, data_dir, PARTS, settings=settings, limit=limit)
        wall = time.perf_counter() - t0
        counts = store.counts()
        hop = {"all": _two_hop(store, samples), "doid": _two_hop(store, samples, "DOID:")}
        background = store_waits_on_server(store)
    finally:
        store.close()
    rows = sum(s.rows_read for s in report.sources)
    written = sum(s.nodes_written + s.relationships_written for s in report.sources)
    return {
        "store": name,
        "wall_s": round(wall, 2),
        "rows": rows,
        "rows_per_s": round(rows / wall, 1) if wall > 0 else 0.0,
        "writes_per_s": round(written / wall, 1) if wall > 0 else 0.0,
        "schema_s": round(schema_s, 3),
        "warm_up_batch_s": None if warm is None else round(warm, 3),
        "warm_up_rows_per_s": None if not warm else round(settings.batch_size / warm, 1),
        "warm_up_rels_batch_s": None if warm_rels is None else round(warm_rels, 3),
        "warm_up_ingest": warm_ingest,
        "rejects": report.rejected,
        "background_writes": background,
        "sources": [{"source": s.source, "rows": s.rows_read, "nodes": s.nodes_written,
                     "rels": s.relationships_written, "rejects": len(s.rejected), "seconds": s.seconds,
                     "rows_per_s": round(s.rows_per_second, 1), "skipped": "skipped" in s.notes}
                    for s in report.sources],
        "counts": counts.model_dump(),
        "two_hop": hop,
    }


def _render(result: dict[str, Any]) -> None:
    t = Table(title=f"{result['store']}: {result['rows']:,} rows in {result['wall_s']} s "
                    f"({result['rows_per_s']:,.0f} rows/s, {result['writes_per_s']:,.0f} nodes+rels/s)")
    for col in ("source", "rows", "nodes", "rels", "rejects", "seconds", "rows/s"):
        t.add_column(col, justify="left" if col == "source" else "right")
    for s in result["sources"]:
        if s["skipped"]:
            t.add_row(s["source"], "skipped", "", "", "", "", "")
            continue
        t.add_row(s["source"], f"{s['rows']:,}", f"{s['nodes']:,}", f"{s['rels']:,}", str(s["rejects"]),
                  f"{s['seconds']:.2f}", f"{s['rows_per_s']:,.0f}")
    console.print(t)
    if result.get("background_writes"):
        console.print("writes ran on a background thread, so sources overlap: a source's seconds run from its start "
                      "to its last commit, and include waiting for the writes of the source before it", highlight=False)
    counts = result["counts"]
    for title, data in (("nodes per label", counts["nodes"]), ("relationships per type", counts["relationships"])):
        console.print(f"[bold]{title}[/] ({sum(data.values()):,}): "
                      + ", ".join(f"{k} {v:,}" for k, v in sorted(data.items(), key=lambda kv: -kv[1])),
                      highlight=False)
    for group, hop in result["two_hop"].items():
        what = "DOID diseases" if group == "doid" else "diseases (all, evenly spaced)"
        console.print(f"2-hop neighbourhood of {hop['queries']} {what} (limit 100): p50 {hop['p50_ms']} ms, "
                      f"p95 {hop['p95_ms']} ms, mean {hop['mean_nodes']} nodes", highlight=False)
    console.print(f"open store + schema (before any write): {result['schema_s']} s", highlight=False)
    if result["warm_up_batch_s"] is not None:
        console.print(f"warm-up before timing (deleted again): node batch {result['warm_up_batch_s']} s "
                      f"({result['warm_up_rows_per_s']:,.0f} rows/s), relationship batch "
                      f"{result['warm_up_rels_batch_s']} s", highlight=False)
    if result.get("warm_up_ingest"):
        w = result["warm_up_ingest"]
        console.print(f"warm-up ingest before timing (deleted again): {w['rows']:,} rows ({w['ingest_s']} s), "
                      f"delete {w['delete_s']} s, left behind {w['left_behind']}", highlight=False)


def bench_ingest(
    data: DataOpt = None,
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Also ingest into Neo4j over Bolt (MEDKG_NEO4J_*).")] = False,
    bolt_uri: Annotated[str | None, typer.Option("--bolt-uri", help="Bolt URI (implies --neo4j).")] = None,
    bolt_user: Annotated[str | None, typer.Option("--bolt-user")] = None,
    bolt_password: Annotated[str | None, typer.Option("--bolt-password")] = None,
    bolt_database: Annotated[str | None, typer.Option("--bolt-database")] = None,
    samples: Annotated[int, typer.Option("--samples", min=1, help="Diseases to time 2-hop queries on.")] = 200,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Rows per file (quick runs).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    warm_up_rows: Annotated[int, typer.Option(
        "--warm-up-rows", min=0,
        help="Neo4j only: before timing, ingest this many rows per file and delete them again, so a fresh server "
             "has compiled its write paths (0: one node and one relationship batch only).")] = 5000,
) -> None:
    """Ingest kg+records+resources into a fresh embedded store in a temp home (and Neo4j if asked); print figures."""
    base = get_settings()
    data_dir = resolve_data_dir(data, base.data_dir)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="medkg-bench-") as tmp:
        s = base.model_copy(update={"home": Path(tmp), "store": "embedded"})
        err_console.print(f"embedded store in {tmp}, data {data_dir}", highlight=False)
        results.append(_run_store("embedded", s, data_dir, samples, limit, warm_up=False))
        use_bolt = neo4j or bolt_uri is not None or "neo4j_uri" in base.model_fields_set
        if use_bolt:
            from pydantic import SecretStr

            upd: dict[str, Any] = {"home": Path(tmp) / "bolt-home", "store": "neo4j"}
            for key, val in (("neo4j_uri", bolt_uri), ("neo4j_user", bolt_user), ("neo4j_database", bolt_database)):
                if val is not None:
                    upd[key] = val
            if bolt_password is not None:
                upd["neo4j_password"] = SecretStr(bolt_password)
            sb = base.model_copy(update=upd)
            err_console.print(f"Neo4j adapter at {sb.neo4j_uri} (database {sb.neo4j_database}); "
                              "this writes into that database", highlight=False)
            results.append(_run_store("neo4j", sb, data_dir, samples, limit, warm_up=True, warm_up_rows=warm_up_rows))
    if json_out:
        typer.echo(json.dumps({"data_dir": str(data_dir), "results": results}, ensure_ascii=False))
        return
    for r in results:
        _render(r)

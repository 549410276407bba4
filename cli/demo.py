"""``medkg demo``: the main job end to end on embedded defaults — ingest, statistics, example answers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cli.common import DataOpt, console, open_cli_store, progress, settings_for
from medkg.data import resolve_data_dir
from medkg.errors import MedkgError
from medkg.settings import Settings
from medkg.types import Node

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = ["demo"]

log = logging.getLogger(__name__)

# Example diseases to ask about: ids that exist in both the full data and the bundled sample.
_EXAMPLE_DISEASES = ("DOID:9352", "DOID:10763", "DOID:2841")  # type 2 diabetes mellitus, hypertension, asthma


def _answer_disease(st: GraphStore, disease: Node) -> None:
    rels = st.relationships_of(disease.id, limit=2000)
    by_type: dict[str, list[tuple[float, str]]] = {}
    ids = {r.end if r.start == disease.id else r.start for r in rels}
    names = {n.id: n.name for n in st.get_nodes(sorted(ids))}
    for r in rels:
        other = r.end if r.start == disease.id else r.start
        by_type.setdefault(r.type, []).append((r.weight if r.weight is not None else 0.0, names.get(other, other)))
    t = Table(title=f"{disease.name} ({disease.id})", show_header=True)
    t.add_column("relationship")
    t.add_column("top facts (strongest first)")
    for typ in ("HAS_SYMPTOM", "TREATS", "PALLIATES", "TREATED_IN", "COOCCURS_WITH"):
        facts = sorted(by_type.get(typ, []), key=lambda x: (-x[0], x[1]))
        if facts:
            shown = list(dict.fromkeys(name for _, name in facts))
            t.add_row(typ, escape(", ".join(shown[:6])) + (f" (+{len(shown) - 6})" if len(shown) > 6 else ""))
    console.print(t)


def demo(
    data: DataOpt = None,
    parts: Annotated[
        str, typer.Option("--parts", help="Comma-separated ingest parts: kg,records,resources,literature.")
    ] = "kg,records,resources,literature",
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=0, help="Max documents per literature source (default 300 for a quick demo, 0 = all)."),
    ] = 300,
) -> None:
    """Ingest into the embedded store, print graph statistics and a few example answers."""
    from ingest import expand_parts, run_ingest

    wanted = expand_parts([p.strip() for p in parts.split(",") if p.strip()])  # unknown parts refused first
    settings = settings_for("embedded")
    data_dir = resolve_data_dir(data, settings.data_dir)
    console.print(Panel(f"medkg demo\ndata: {data_dir}\nhome: {settings.home}", expand=False))
    with open_cli_store(settings) as st:
        with progress() as prog:
            graph_parts = [p for p in wanted if p != "literature"]
            report = run_ingest(st, data_dir, graph_parts, settings=settings, progress=prog)
            if "literature" in wanted:  # the literature is capped so the demo stays quick; --limit 0 = all
                lit = run_ingest(st, data_dir, ["literature"], settings=settings, limit=limit or None, progress=prog)
                report.sources.extend(lit.sources)
        t = Table(title="ingest")
        for c in ("source", "rows", "nodes", "rels", "rejects", "rows/s"):
            t.add_column(c, justify="right" if c != "source" else "left")
        for s in report.sources:
            t.add_row(
                escape(s.source),
                f"{s.rows_read:,}",
                f"{s.nodes_written:,}",
                f"{s.relationships_written:,}",
                str(len(s.rejected)),
                f"{s.rows_per_second:,.0f}",
            )
        console.print(t)
        counts = st.counts()
        console.print(
            f"graph: {sum(counts.nodes.values()):,} nodes, {sum(counts.relationships.values()):,} relationships"
        )
        console.print(", ".join(f"{k} {v:,}" for k, v in sorted(counts.nodes.items(), key=lambda kv: -kv[1])))
        for did in _EXAMPLE_DISEASES:
            node = st.get_node(did)
            if node is not None:
                _answer_disease(st, node)
        _demo_search(settings, wanted)
        _demo_allocate(st, wanted)
    console.print(
        "next: medkg graph show DOID:9352 · medkg graph neighbours DOID:10763 --hops 2 · medkg search 'metformin' · "
        "medkg allocate example --out req.json && medkg allocate plan req.json"
    )


def _demo_search(settings: Settings, parts: list[str]) -> None:
    """Show retrieval on two example questions when the literature was ingested."""
    if "literature" not in parts:
        return
    try:
        from retrieval import HybridRetriever
    except ImportError:
        log.info("retrieval not available; skipping the search part of the demo")
        return
    for q in ("What are the symptoms of type 2 diabetes?", "高血压应该挂什么科？"):
        try:
            retriever = HybridRetriever.from_settings(settings)
            bundle = retriever.search(q, k=3)
        except MedkgError as e:
            console.print(f"[yellow]search unavailable:[/] {escape(str(e))}")
            return
        t = Table(title=f"search: {q}")
        t.add_column("citation")
        t.add_column("passage")
        for p in bundle.passages:
            t.add_row(escape(p.citation_id), escape(p.text[:160].replace("\n", " ") + "…"))
        console.print(t)


def _demo_allocate(st: GraphStore, parts: list[str], patients: int = 40) -> None:
    """Allocate a few ingested Synthea inpatient/emergency encounters to wards (department fit from the KG, the
    HiGHS MIP decides) and show one cited explanation, when the records were ingested."""
    if "records" not in parts:
        return
    try:
        from reasoning.allocation import AllocationService, build_example_request
    except ImportError:
        log.info("allocation not available; skipping the allocation part of the demo")
        return
    try:
        req = build_example_request(st, limit=patients)
        resp = AllocationService(st, time_limit=10.0).allocate(req)
    except MedkgError as e:
        console.print(f"[yellow]allocation unavailable:[/] {escape(str(e))}")
        return
    cited = [e for e in resp.explanations if any(f.kind == "kg" for f in e.facts)]
    console.print(
        f"allocation: {len(req.patients)} patients from ingested encounters → {len(req.wards)} wards; "
        f"{resp.status} in {resp.solve_seconds:.2f}s; {len(resp.assignments)} assigned, "
        f"{len(resp.unassigned)} not allocated (each with its reason); {len(cited)} decisions cite KG facts"
    )
    if cited:
        console.print(Panel(Text(cited[0].text), title="one decision, with its citations", expand=False))

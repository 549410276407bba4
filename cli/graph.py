"""``medkg graph stats|show|neighbours|find|path``: read the knowledge graph."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import JsonOpt, StoreOpt, console, open_cli_store, print_json, settings_for
from medkg.errors import NotFoundError
from medkg.types import Node, Relationship, node_citation

__all__ = ["app", "find", "neighbours", "path", "show", "stats"]

app = typer.Typer(help="Explore the knowledge graph (stats, nodes, neighbourhoods, paths).", no_args_is_help=True)


def _node_row(n: Node) -> list[str]:
    syn = ", ".join(n.synonyms[:3]) + (" …" if len(n.synonyms) > 3 else "")
    return [escape(v) for v in (n.id, n.label, n.name, syn, ",".join(n.sources))]  # data, not rich markup


def _rel_text(r: Relationship) -> str:
    ev = ", ".join(f"{k}={v}" for k, v in sorted(r.props.items())[:4])
    w = f" w={r.weight:.2f}" if r.weight is not None else ""
    return f"{r.start} -[{r.type}]-> {r.end} ({r.source}{w}{'; ' + ev if ev else ''})"


@app.command()
def stats(store: StoreOpt = None, json_out: JsonOpt = False) -> None:
    """Counts per node label and relationship type. --json prints {"nodes": {...}, "relationships": {...}}."""
    with open_cli_store(settings_for(store)) as st:
        counts = st.counts()
    if json_out:
        print_json(counts.model_dump())
        return
    for title, data in (("nodes", counts.nodes), ("relationships", counts.relationships)):
        t = Table(title=f"{title} ({sum(data.values()):,})")
        t.add_column("label" if title == "nodes" else "type")
        t.add_column("count", justify="right")
        for k, v in sorted(data.items(), key=lambda kv: -kv[1]):
            t.add_row(k, f"{v:,}")
        console.print(t)


@app.command()
def show(
    node_id: Annotated[str, typer.Argument(help="Node id, e.g. DOID:9352 or MESH:D003924.")],
    store: StoreOpt = None,
    json_out: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Relationships to list.")] = 20,
) -> None:
    """One node with its properties and its relationships."""
    with open_cli_store(settings_for(store)) as st:
        node = st.get_node(node_id)
        if node is None:
            raise NotFoundError(f"no node with id {node_id!r}; try: medkg graph find NAME")
        rels = st.relationships_of(node_id, limit=limit)
    if json_out:
        print_json(
            {
                "node": node.model_dump(),
                "citation": node_citation(node.id),
                "relationships": [r.model_dump() | {"citation": r.citation} for r in rels],
            }
        )
        return
    console.print(
        f"[bold]{escape(node.name)}[/] [dim]{escape(node.id)}[/] "
        f"({node.label}; sources: {escape(', '.join(node.sources))})"
    )
    if node.synonyms:
        console.print(f"synonyms: {', '.join(node.synonyms[:12])}", markup=False)
    for k, v in sorted(node.props.items()):
        console.print(f"  {k}: {v}", highlight=False, markup=False)
    for r in rels:
        console.print(f"  {_rel_text(r)}", highlight=False, markup=False)


@app.command()
def neighbours(
    node_id: Annotated[str, typer.Argument(help="Seed node id.")],
    hops: Annotated[int, typer.Option("--hops", min=1, max=4, help="Walk depth.")] = 1,
    rel_type: Annotated[
        list[str] | None, typer.Option("--type", help="Only these relationship types (repeat).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Max nodes besides the seed.")] = 50,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Nodes within N hops of a node, nearest and strongest first."""
    with open_cli_store(settings_for(store)) as st:
        if st.get_node(node_id) is None:
            raise NotFoundError(f"no node with id {node_id!r}; try: medkg graph find NAME")
        sub = st.neighbourhood([node_id], hops=hops, rel_types=rel_type, limit=limit)
    if json_out:
        print_json(sub.model_dump())
        return
    t = Table(title=escape(f"{len(sub.nodes)} nodes, {len(sub.relationships)} relationships around {node_id}"))
    for c in ("id", "label", "name", "synonyms", "sources"):
        t.add_column(c)
    for n in sub.nodes:
        t.add_row(*_node_row(n))
    console.print(t)
    for r in sub.relationships[:limit]:
        console.print(f"  {_rel_text(r)}", highlight=False, markup=False)


@app.command()
def find(
    text: Annotated[str, typer.Argument(help="Name or synonym (any case/accents; English or Chinese).")],
    label: Annotated[str | None, typer.Option("--label", help="Only this node label.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 10,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Find nodes by name or synonym."""
    with open_cli_store(settings_for(store)) as st:
        nodes = st.find_nodes(text, labels=[label] if label else None, limit=limit)
    if json_out:
        print_json([n.model_dump() for n in nodes])
        return
    t = Table(title=escape(f"{len(nodes)} matches for {text!r}"))  # the text is the user's, not rich markup
    for c in ("id", "label", "name", "synonyms", "sources"):
        t.add_column(c)
    for n in nodes:
        t.add_row(*_node_row(n))
    console.print(t)


@app.command()
def path(
    start: Annotated[str, typer.Argument(help="Start node id.")],
    end: Annotated[str, typer.Argument(help="End node id.")],
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=6)] = 4,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 5,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Shortest paths between two nodes."""
    with open_cli_store(settings_for(store)) as st:
        for nid in (start, end):
            if st.get_node(nid) is None:
                raise NotFoundError(f"no node with id {nid!r}; try: medkg graph find NAME")
        paths = st.paths(start, end, max_hops=max_hops, limit=limit)
    if json_out:
        print_json([p.model_dump() for p in paths])
        return
    if not paths:
        console.print(f"no path of at most {max_hops} hops between {start} and {end}", markup=False)
    for p in paths:
        console.print(" → ".join(f"{escape(n.name)} [dim]({escape(n.id)})[/]" for n in p.nodes))

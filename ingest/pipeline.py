"""The ingest pipeline: read one source fully (validating every row), pre-check relationship endpoints, merge
nodes with what the store holds (one node per concept, the highest-priority source names it), then write in
batches of ``batch_size`` with progress and rows/s.

Default: malformed rows and relationships with missing endpoints become rejects (file + line) in the
:class:`~ingest.report.IngestReport` (through the one :class:`~ingest.report.RejectSink`). ``strict``: the first
one raises :class:`~medkg.errors.RowError` BEFORE the source writes anything, so nothing is half-written and
nothing already stored is lost. :func:`check_source` is the same reading without writing, which a run does for
every source before it writes the first one (see :mod:`ingest.run`).

Re-ingest merges: nothing stored is removed because a new file lacks it. ``replace`` (``--replace``) removes the
stored nodes of a source whose reader is ``replaceable`` (literature: documents and passages belong to their file)
that the new file no longer has, and the report says how many (``removed_not_in_file``; without ``replace``,
``kept_not_in_file``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.readers.base import ReadContext, Reader, require_file
from ingest.report import RejectSink, SourceReport
from ingest.writes import DirectWrites, Writes
from kg import LABELS, REL_TYPES, GraphStore, normalize_name
from medkg.errors import RowError
from medkg.types import Node, PropValue, Relationship

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["SOURCE_PRIORITY", "IngestOptions", "check_source", "ingest_source", "merge_node"]

log = logging.getLogger(__name__)

# Which source names a node that several sources vouch for (first = highest). Hetionet makes DOID canonical.
SOURCE_PRIORITY: tuple[str, ...] = ("hetionet", "curated", "medline", "hsdn", "pharmacotherapydb", "disease_symptom",
                                    "zh_kg", "hifld", "orpas", "synthea")
_UNION_PROPS = ("xrefs",)


@dataclass
class IngestOptions:
    """How one run reads and writes."""

    batch_size: int = 5000
    strict: bool = False
    keep_identifiers: bool = False
    limit: int | None = None
    deid_key: bytes = b""
    progress: Progress | None = None
    replace: bool = False


@dataclass
class _Collected:
    nodes: dict[str, Node] = field(default_factory=dict)
    rels: dict[tuple[str, str, str, str], tuple[Relationship, str, int]] = field(default_factory=dict)
    sink: RejectSink = field(default_factory=RejectSink)
    merged_in_source: int = 0


def _rank(source: str) -> int:
    return SOURCE_PRIORITY.index(source) if source in SOURCE_PRIORITY else len(SOURCE_PRIORITY)


def _union_props(old: dict[str, PropValue], new: dict[str, PropValue]) -> dict[str, PropValue]:
    out = dict(new)
    for key in _UNION_PROPS:
        a, b = old.get(key), new.get(key)
        if isinstance(a, list) and isinstance(b, list):
            out[key] = sorted({str(x) for x in (*a, *b)})
    return out


def merge_node(existing: Node | None, new: Node) -> tuple[Node, bool]:
    """The node to write for ``new`` given what the store holds, and whether its name differed (a duplicate name).

    The owner is the highest-priority source among both; a non-owner keeps the stored name/label/lang and adds its
    own name as a synonym. ``xrefs`` lists are unioned; other props follow the store (new value wins per key).
    """
    if existing is None:
        return new, False
    sources = set(existing.sources) | set(new.sources)
    owner = min(sources, key=lambda s: (_rank(s), s))
    props = _union_props(existing.props, new.props)
    if owner in new.sources:
        return new.model_copy(update={"props": props}), False
    differs = normalize_name(existing.name) != normalize_name(new.name)
    synonyms = tuple(sorted(set(new.synonyms) | ({new.name} if differs else set())))
    merged = Node(id=new.id, label=existing.label, name=existing.name, lang=existing.lang, synonyms=synonyms,
                  sources=new.sources, props=props)
    return merged, differs


def _non_finite(props: dict[str, PropValue], weight: float | None = None) -> list[str]:
    bad = [k for k, v in props.items() if isinstance(v, float) and not math.isfinite(v)]
    bad += [k for k, v in props.items() if isinstance(v, list) and any(isinstance(x, float) and not math.isfinite(x)
                                                                      for x in v)]
    if weight is not None and not math.isfinite(weight):
        bad.append("weight")
    return bad


def _collect(reader: Reader, data_dir: Path, ctx: ReadContext, strict: bool) -> _Collected:
    out = _Collected(sink=RejectSink(strict=strict))
    for raw in reader.read(data_dir, ctx):
        item = raw
        if not isinstance(raw, RowError):
            bad = _non_finite(raw.props, raw.weight if isinstance(raw, Relationship) else None)
            if bad:  # NaN/inf cannot be stored as graph properties: the row is malformed
                item = ctx.reject(f"non-finite number in {', '.join(sorted(bad))}")
        if isinstance(item, RowError):
            out.sink(item)
        elif isinstance(item, Node):
            if item.label not in LABELS:
                raise ValueError(f"reader {reader.source} emitted unknown label {item.label!r}")
            old = out.nodes.get(item.id)
            node = item
            if old is not None:
                out.merged_in_source += 1
                node = item.model_copy(update={
                    "synonyms": tuple(sorted(set(old.synonyms) | set(item.synonyms))),
                    "props": {**old.props, **_union_props(old.props, item.props)}})
            out.nodes[node.id] = node
        else:
            if item.type not in REL_TYPES:
                raise ValueError(f"reader {reader.source} emitted unknown relationship type {item.type!r}")
            out.rels[item.key] = (item, str(ctx.path or ""), ctx.line)
    return out


def _check_endpoints(store: GraphStore, col: _Collected, batch: int,
                     known: set[str] | None = None) -> list[Relationship]:
    """The relationships whose endpoints are in this source, the store, or ``known`` (ids earlier sources of the
    run will write: the check pass); the others go to the sink."""
    extra = known or set()
    wanted = {e for rel, _, _ in col.rels.values() for e in (rel.start, rel.end)} - col.nodes.keys() - extra
    present: set[str] = set()
    ids = sorted(wanted)
    for i in range(0, len(ids), batch):
        present |= store.existing_ids(ids[i : i + batch])
    keep: list[Relationship] = []
    for rel, path, line in col.rels.values():
        missing = [e for e in (rel.start, rel.end) if e not in present and e not in col.nodes and e not in extra]
        if not missing:
            keep.append(rel)
            continue
        reason = f"{rel.type} {rel.start} -> {rel.end}: endpoint(s) not in the store: {', '.join(missing)}"
        col.sink(RowError(path or "?", line, reason))
    return keep


def _batches(items: Sequence[Node] | Sequence[Relationship], size: int) -> Iterable[int]:
    return range(0, len(items), size)


def _absent(reader: Reader, data_dir: Path) -> bool:
    return reader.root is not None and not (data_dir / reader.root).exists()


def _read(store: GraphStore, reader: Reader, data_dir: Path, opts: IngestOptions, ctx: ReadContext,
          wait: Callable[[], None]) -> _Collected:
    for f in reader.files(data_dir):
        if "*" not in f.name:
            require_file(f)
    ctx.limit, ctx.keep_identifiers, ctx.deid_key = opts.limit, opts.keep_identifiers, opts.deid_key

    def lookup_nodes(ids: Sequence[str]) -> list[Node]:
        wait()
        return store.get_nodes(ids)

    def ids_of_label(label: str) -> list[str]:
        wait()
        return store.node_ids(label=label)

    ctx.lookup_nodes, ctx.ids_of_label = lookup_nodes, ids_of_label
    return _collect(reader, data_dir, ctx, opts.strict)


def check_source(store: GraphStore, reader: Reader, data_dir: Path, opts: IngestOptions, known: set[str]) -> None:
    """Read one source as :func:`ingest_source` would, writing nothing: raises what it would raise (a missing,
    empty, wrongly encoded or truncated file; under ``strict`` the first malformed row or missing endpoint, with
    ``known`` = the node ids the run's earlier sources will write). Adds this source's node ids to ``known``."""
    if _absent(reader, data_dir):
        return
    ctx = ReadContext(checking=True)
    col = _read(store, reader, data_dir, opts, ctx, lambda: None)
    if opts.strict:
        _check_endpoints(store, col, opts.batch_size, known)
    known.update(col.nodes)


def _replace_or_keep(store: GraphStore, reader: Reader, col: _Collected, replace: bool) -> dict[str, int]:
    """What the store holds of this source that the new file lacks: removed when ``replace`` (and the reader's
    nodes belong to its file), else kept; the note says how many either way."""
    if not getattr(reader, "replaceable", False):
        return {}
    stale = set(store.node_ids(source=reader.source)) - col.nodes.keys()
    if not stale:
        return {}
    if not replace:
        log.info("%s: %d stored nodes are not in the new file; kept (--replace removes them)", reader.source,
                 len(stale))
        return {"kept_not_in_file": len(stale)}
    store.delete_source(reader.source)  # the file was read and validated in full before this
    log.warning("%s: --replace removed %d stored nodes the new file does not have", reader.source, len(stale))
    return {"removed_not_in_file": len(stale)}


def ingest_source(store: GraphStore, reader: Reader, data_dir: Path, opts: IngestOptions,
                  ctx: ReadContext | None = None, writes: Writes | None = None) -> SourceReport:
    """Read, validate, merge and write one source; returns its report (rejects, counts, rows/s, notes).

    ``writes`` (default: at once) takes the upserts; with :class:`~ingest.writes.BackgroundWrites` some may still be
    running when this returns, and the report's ``seconds`` end when the last one was queued. Every store read
    that must see earlier writes waits for them first: the reader's look-ups and the endpoint check. The merge
    look-ups of node batches need not: a source's batches hold distinct ids."""
    t0 = time.perf_counter()
    out_writes = writes or DirectWrites(store)
    if _absent(reader, data_dir):
        log.warning("source %s skipped: %s is not in %s", reader.source, reader.root, data_dir)
        return SourceReport(source=reader.source, notes={"skipped": f"{reader.root} is not in the data dir"})
    ctx = ctx or ReadContext()
    col = _read(store, reader, data_dir, opts, ctx, out_writes.wait)
    out_writes.wait()
    rels = _check_endpoints(store, col, opts.batch_size)
    replaced = _replace_or_keep(store, reader, col, opts.replace)
    nodes = list(col.nodes.values())
    task = None
    if opts.progress is not None:
        task = opts.progress.add_task(reader.source, total=len(nodes) + len(rels), rate="")
    merged = renamed = written = 0

    def tick(n: int) -> None:
        nonlocal written
        written += n
        if opts.progress is not None and task is not None:
            rate = ctx.rows / max(time.perf_counter() - t0, 1e-9)
            opts.progress.update(task, advance=n, rate=f"{rate:,.0f} rows/s")

    exclusive: tuple[str, ...] = getattr(reader, "exclusive_prefixes", ())
    top = bool(SOURCE_PRIORITY) and reader.source == SOURCE_PRIORITY[0]
    for i in _batches(nodes, opts.batch_size):
        chunk = nodes[i : i + opts.batch_size]
        # Ids only this source mints, and every id of the top-priority source, need no merge look-up.
        shared = [] if top else [n.id for n in chunk if not n.id.startswith(exclusive)]
        existing = {n.id: n for n in store.get_nodes(shared)} if shared else {}
        out: list[Node] = []
        for n in chunk:
            m, differs = merge_node(existing.get(n.id), n)
            if n.id in existing and not set(existing[n.id].sources) <= set(n.sources):
                merged += 1
            renamed += differs
            out.append(m)
        out_writes.nodes(reader.source, out)
        tick(len(out))
    for i in _batches(rels, opts.batch_size):
        out_writes.relationships(reader.source, rels[i : i + opts.batch_size])
        tick(len(rels[i : i + opts.batch_size]))
    notes = dict(ctx.notes)
    notes.update(replaced)
    notes["nodes_merged_with_other_sources"] = merged
    notes["merged_names_kept_as_synonyms"] = renamed
    if col.merged_in_source:
        notes["duplicate_nodes_within_source_merged"] = col.merged_in_source
    report = SourceReport(source=reader.source, rows_read=ctx.rows, nodes_written=len(nodes),
                          relationships_written=len(rels), rejected=col.sink.rejects,
                          seconds=round(time.perf_counter() - t0, 3), notes=notes)
    log.info("ingested %s: %d rows, %d nodes, %d relationships, %d rejects", reader.source, report.rows_read,
             len(nodes), len(rels), len(col.sink.rejects))
    return report


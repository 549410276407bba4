"""Hetionet v1.0 node list → concept nodes with our id prefixes (the canonical source of DOID diseases)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from ingest.readers.base import Item, ReadContext, TableSpec, dedupe_ids, read_table
from medkg.types import Node

__all__ = ["KIND_LABELS", "HetionetReader", "hetionet_id"]

log = logging.getLogger(__name__)

NODES = Path("kg/hetionet/hetionet-v1.0-nodes.tsv")
SPEC = TableSpec(required=("id", "name", "kind"), delimiter="\t")

# Hetionet kind → (our label, id prefix; "" = the local id already carries its prefix, e.g. DOID:, GO:, UBERON:)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "Anatomy": ("Anatomy", ""),
    "Biological Process": ("BiologicalProcess", ""),
    "Cellular Component": ("CellularComponent", ""),
    "Molecular Function": ("MolecularFunction", ""),
    "Compound": ("Compound", "DrugBank"),
    "Disease": ("Disease", ""),
    "Gene": ("Gene", "Entrez"),
    "Pathway": ("Pathway", "*"),
    "Pharmacologic Class": ("PharmacologicClass", "NDF-RT"),
    "Side Effect": ("SideEffect", "UMLS"),
    "Symptom": ("Symptom", "MESH"),
}


def hetionet_id(kind: str, local: str) -> str:
    """Our node id for a Hetionet ``<kind>::<local>`` id: 'Compound','DB00331' → 'DrugBank:DB00331'.

    Pathways keep their own prefix: 'WP2338_r78504' → 'WP:WP2338_r78504', 'PC7_10399' → 'PC:PC7_10399'.
    """
    label, prefix = KIND_LABELS[kind]
    if prefix == "*":
        if local.startswith("WP"):
            return f"WP:{local}"
        if local.startswith("PC"):
            return f"PC:{local}"
        if local.startswith("REACT"):
            return f"REACT:{local}"
        raise ValueError(f"unknown pathway id scheme {local!r}")
    if prefix == "":
        if ":" not in local:
            raise ValueError(f"{label} id {local!r} lacks its ontology prefix")
        return local
    return f"{prefix}:{local}"


class HetionetReader:
    """``kg/hetionet/hetionet-v1.0-nodes.tsv`` (``id  name  kind``, CRLF line ends)."""

    source = "hetionet"
    root: Path | None = NODES.parent

    def files(self, data_dir: Path) -> list[Path]:
        return [data_dir / NODES]

    def read(self, data_dir: Path, ctx: ReadContext) -> Iterator[Item]:
        path = data_dir / NODES
        seen: dict[str, int] = {}
        n = 0
        for row in read_table(path, SPEC):
            if ctx.limited(n):
                break
            n += 1
            ctx.at(path, row.line)
            if not row.values:
                yield ctx.reject("wrong number of fields (expected id, name, kind)")
                continue
            raw, name, kind = row.values["id"].strip(), row.values["name"].strip(), row.values["kind"].strip()
            if kind not in KIND_LABELS:
                yield ctx.reject(f"unknown kind {kind!r}")
                continue
            head, sep, local = raw.partition("::")
            if not sep or head != kind or not local or not name:
                yield ctx.reject(f"malformed id {raw!r} for kind {kind!r} (expected '{kind}::<id>') or empty name")
                continue
            try:
                node_id = hetionet_id(kind, local)
            except ValueError as e:
                yield ctx.reject(str(e))
                continue
            dup = dedupe_ids(seen, node_id, ctx)
            if dup is not None:
                yield dup
                continue
            yield Node(id=node_id, label=KIND_LABELS[kind][0], name=name, sources=(self.source,),
                       props={"hetionet_id": raw})

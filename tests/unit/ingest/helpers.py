"""Tiny data-dir builders for ingest tests (files written under tmp_path, same layout as the real data)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.readers.base import ReadContext, Reader
from medkg.data import SAMPLE_DIR

__all__ = ["HETIONET_HEADER", "collect", "copy_sample", "write"]

HETIONET_HEADER = "id\tname\tkind\n"


def write(root: Path, rel: str, text: str, encoding: str = "utf-8") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode(encoding))
    return p


def copy_sample(dst: Path) -> Path:
    """A writable copy of the bundled sample (tests that change files must not touch the package)."""
    out = dst / "data"
    shutil.copytree(SAMPLE_DIR, out)
    return out


def collect(reader: Reader, data_dir: Path) -> tuple[list[object], ReadContext]:
    """All items a reader yields, and its context."""
    ctx = ReadContext()
    items: list[object] = list(reader.read(data_dir, ctx))
    return items, ctx

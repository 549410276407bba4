"""fewer_gc_passes raises the collector's thresholds for the block only, also when the block fails."""

from __future__ import annotations

import gc

import pytest

from ingest.bulk import fewer_gc_passes


def test_thresholds_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_gc_passes(young=12_345):
        assert gc.get_threshold()[0] == 12_345
    assert gc.get_threshold() == before


def test_thresholds_restored_when_the_block_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(KeyError), fewer_gc_passes():
        raise KeyError("boom")
    assert gc.get_threshold() == before

"""medkg ingest layer: one reader per source (literature files included), one batching/merging/reject pipeline,
de-identification; :mod:`ingest.run` orchestrates a run.

Public entry: :func:`run_ingest` (what ``medkg ingest ...`` calls).
"""

from __future__ import annotations

from ingest.deid import Pseudonymizer
from ingest.literature import LiteratureSetup
from ingest.pipeline import IngestOptions, check_source, ingest_source
from ingest.report import IngestReport, Reject, RejectSink, SourceReport
from ingest.run import rejects_path, run_ingest
from ingest.sources import PARTS, expand_parts

__all__ = [
    "PARTS",
    "IngestOptions",
    "IngestReport",
    "LiteratureSetup",
    "Pseudonymizer",
    "Reject",
    "RejectSink",
    "SourceReport",
    "check_source",
    "expand_parts",
    "ingest_source",
    "rejects_path",
    "run_ingest",
]

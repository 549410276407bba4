"""``medkg bench ...``: benchmarks that print numbers. One module per benchmark, registered here."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="Benchmarks that print numbers (never timed tests).", no_args_is_help=True)
from cli.bench.allocation import bench_allocation; app.command("allocation")(bench_allocation)  # noqa: E402, E702, I001
from cli.bench.ingest_bench import bench_ingest; app.command("ingest")(bench_ingest)  # noqa: E402, E702, I001
from cli.bench.retrieval import bench_retrieval; app.command("retrieval")(bench_retrieval)  # noqa: E402, E702, I001
from cli.bench.faiss_bench import bench_faiss; app.command("faiss")(bench_faiss)  # noqa: E402, E702, I001
from cli.bench.consult import bench_consult; app.command("consult")(bench_consult)  # noqa: E402, E702, I001
from cli.bench.generate import bench_generate; app.command("generate")(bench_generate)  # noqa: E402, E702, I001
from cli.bench.api import bench_api; app.command("api")(bench_api)  # noqa: E402, E702, I001

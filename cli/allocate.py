"""``medkg allocate ...``: OR-PAS solving and validation, the general allocation service, an example request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import JsonOpt, StoreOpt, console, err_console, print_json

__all__ = ["app"]

app = typer.Typer(help="Solver-backed hospital allocation (OR-PAS and the general service).", no_args_is_help=True)

SchemaDirOpt = Annotated[
    Path | None,
    typer.Option("--schema-dir", help="Folder with OrPasInstance.xsd and OrPasSolution.xsd (default: the instance's "
                 "folder when they lie there, else the published XSDs shipped with medkg)."),
]


def _schemas(schema_dir: Path | None) -> tuple[Path | None, Path | None]:
    if schema_dir is None:
        return None, None
    return schema_dir / "OrPasInstance.xsd", schema_dir / "OrPasSolution.xsd"


@app.command("or-pas")
def or_pas(
    instance: Annotated[Path, typer.Argument(help="OR-PAS instance XML.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the solution XML.")],
    mode: Annotated[str, typer.Option("--mode", help="static (all known) or dynamic (day by day).")] = "static",
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", help="Seconds for the whole run (max 600; default 300 static, 160 dynamic)."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="CP-SAT workers (cores), 1..64.")] = 2,
    schema_dir: SchemaDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Solve an OR-PAS instance (CP-SAT, greedy warm start), write the solution, print the cost breakdown."""
    from cli.common import check_out_path
    from reasoning.allocation.orpas import (
        DEFAULT_SECONDS,
        check_run_options,
        load_instance,
        render_report,
        solve_orpas,
        write_solution,
    )

    check_out_path(out, instance)  # before any work: never overwrite the instance, never fail to write at the end
    time_limit = DEFAULT_SECONDS.get(mode, 0.0) if time_limit is None else time_limit
    check_run_options(None, mode, time_limit, workers)
    inst_xsd, sol_xsd = _schemas(schema_dir)
    inst = load_instance(instance, schema=inst_xsd)
    check_run_options(inst, mode, time_limit, workers)
    say = (lambda _m: None) if as_json else (lambda m: err_console.print(m, highlight=False, markup=False))
    res = solve_orpas(inst, mode=mode, time_limit=time_limit, workers=workers, progress=say)  # type: ignore[arg-type]
    write_solution(out, inst, res.solution, res.report.costs, seconds=res.seconds, schema=sol_xsd)
    c = res.report.costs
    if as_json:
        print_json({"instance": inst.name, "mode": mode, "status": res.status, "seconds": round(res.seconds, 2),
                    "hard_violations": c.violations, "official_violations": c.official_violations,
                    "total_cost": c.total, "components": c.components(), "bound": res.bound, "gap": res.gap,
                    "solution": str(out)})
        return
    for line in render_report(res.report):
        console.print(line, highlight=False, markup=False)
    bound = "none" if res.bound is None else f"{res.bound:.0f}"
    gap = "" if res.gap is None else f", gap {100 * res.gap:.1f}%"
    console.print(f"solver {res.status} in {res.seconds:.1f}s; proven lower bound of the full problem (HiGHS "
                  f"relaxation; none in dynamic mode) {bound}{gap}; wrote {out}", highlight=False)


@app.command("validate")
def validate(
    instance: Annotated[Path, typer.Argument(help="OR-PAS instance XML.")],
    solution: Annotated[Path, typer.Argument(help="OR-PAS solution XML.")],
    schema_dir: SchemaDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute every hard violation and cost component of a solution (independent of the solver), by the rules
    of the published OR-PAS referee: the same total and violation count (official_violations), plus medkg's
    schedule checks (a patient missing, a wrong length or window), which the referee does not make."""
    from reasoning.allocation.orpas import load_instance, read_solution, render_report, validate_solution

    inst_xsd, sol_xsd = _schemas(schema_dir)
    inst = load_instance(instance, schema=inst_xsd)
    rep = validate_solution(inst, read_solution(solution, inst, schema=sol_xsd))
    c = rep.costs
    if as_json:
        print_json({"hard_violations": c.violations, "official_violations": c.official_violations,
                    "total_cost": c.total, "components": c.components(), "messages": rep.messages})
    else:
        for msg in rep.messages[:50]:
            console.print(f"VIOLATION: {msg}", highlight=False, markup=False)
        if len(rep.messages) > 50:
            console.print(f"... {len(rep.messages) - 50} more violations", highlight=False)
        for line in render_report(rep):
            console.print(line, highlight=False, markup=False)
    if c.violations:
        raise typer.Exit(1)


@app.command("resample")
def resample(
    instance: Annotated[Path, typer.Argument(help="OR-PAS instance XML.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the resampled instance XML.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (the same seed gives the same file).")] = 0,
    max_shift: Annotated[int, typer.Option("--max-shift", help="Largest shift of a patient's dates, in days.")] = 2,
    schema_dir: SchemaDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a variant of an instance with other arrival days: each patient's dates shift together (robustness)."""
    from medkg.errors import InputValidationError
    from reasoning.allocation.orpas import resample_instance

    if not 0 <= max_shift <= 14:
        raise InputValidationError("--max-shift must be in [0, 14] days")
    inst_xsd, _ = _schemas(schema_dir)
    got = resample_instance(instance, out, seed=seed, max_shift=max_shift, schema=inst_xsd)
    if as_json:
        print_json({"instance": got.name, "patients": got.patients, "shifted": got.shifted, "seed": got.seed,
                    "out": str(out)})
        return
    console.print(f"wrote {out}: {got.name}, {got.shifted} of {got.patients} patients shifted (seed {got.seed}); "
                  "solve it with medkg allocate or-pas (the packaged XSDs validate it)",
                  highlight=False, markup=False)


@app.command("plan")
def plan(
    request: Annotated[Path, typer.Argument(help="Allocation request JSON, UTF-8 (see `medkg allocate example`).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the response JSON here (not the request; folders created).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver seconds, in (0, 600].")
    ] = 30.0,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Allocate beds/departments/surgery/equipment for a request; explains every decision with citations.

    The request is checked before any solving, as POST /allocate checks it: an unreadable, non-UTF-8 or
    invalid file, or a field out of range, exits 2 with one line naming the file, line or field.
    """
    from cli.common import check_out_path, open_cli_store, read_json_file, settings_for, write_out
    from reasoning.allocation.service import AllocationRequest, AllocationService, check_time_limit, render_response

    check_time_limit(time_limit, name="--time-limit")
    if out is not None:
        check_out_path(out, request)
    req = read_json_file(request, AllocationRequest)
    needs_kg = any(p.department is None for p in req.patients)
    if needs_kg:
        with open_cli_store(settings_for(store)) as st:
            resp = AllocationService(st, time_limit=time_limit).allocate(req)
    else:
        resp = AllocationService(None, time_limit=time_limit).allocate(req)
    text = resp.model_dump_json(indent=2)
    if out is not None:
        write_out(out, text)
    if as_json:
        typer.echo(text)
        return
    for line in render_response(resp):
        console.print(line, highlight=False, markup=False)


@app.command("example")
def example(
    out: Annotated[Path, typer.Option("--out", help="Where to write the request JSON (folders created).")] = Path(
        "request.json"),
    days: Annotated[int, typer.Option("--days", help="Planning horizon in days, 1..366.")] = 14,
    limit: Annotated[int, typer.Option("--limit", help="At most this many encounters, 1..100000.")] = 200,
    store: StoreOpt = None,
) -> None:
    """Build a request from the ingested store (Synthea inpatient/emergency encounters + rooms)."""
    from cli.common import check_out_path, open_cli_store, settings_for, write_out
    from reasoning.allocation.service import MAX_DAYS, MAX_PATIENTS, check_count, example_stats

    check_count(days, name="--days", low=1, high=MAX_DAYS)
    check_count(limit, name="--limit", low=1, high=MAX_PATIENTS)
    check_out_path(out)
    with open_cli_store(settings_for(store)) as st:
        req, stats = example_stats(st, days=days, limit=limit)
    write_out(out, json.dumps(req.model_dump(mode="json"), indent=2))
    console.print(f"wrote {out}: {len(req.patients)} patients ({stats.patients_with_fit} with a KG department fit, "
                  f"{100 * stats.share_with_fit:.0f}%) from {stats.encounters} inpatient/emergency encounters "
                  f"({stats.encounters - stats.with_candidate} without a condition skipped), {len(req.wards)} wards; "
                  f"run: medkg allocate plan {out}", highlight=False, markup=False)

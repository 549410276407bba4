"""Helpers shared by the CLI modules: the settings/store they open, error rendering, progress bars."""

from __future__ import annotations

import json
import logging
import math
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
import typer.core
import typer.main
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # typer >= 0.29 vendors click

from medkg.errors import DataFileError, InputValidationError, MedkgError
from medkg.settings import Settings, get_settings

if TYPE_CHECKING:
    from kg import GraphStore

__all__ = [
    "DataOpt",
    "JsonOpt",
    "StoreOpt",
    "check_out_path",
    "console",
    "err_console",
    "open_cli_store",
    "print_json",
    "progress",
    "question_lines",
    "read_json_file",
    "run_guarded",
    "settings_for",
    "validation_message",
    "write_out",
]

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
console = Console()
err_console = Console(stderr=True)

DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Data directory (default: MEDKG_DATA_DIR, ../shared/data, bundled sample)."),
]
StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Graph store: 'embedded' (default) or 'neo4j' (MEDKG_NEO4J_*).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts instead of tables.")]


def settings_for(store: str | None = None) -> Settings:
    """Settings from the environment, with a CLI ``--store`` override applied."""
    s = get_settings()
    if store is not None:
        if store not in ("embedded", "neo4j"):
            raise typer.BadParameter(f"--store must be 'embedded' or 'neo4j', got {store!r}")
        s = s.model_copy(update={"store": store})
    return s


@contextmanager
def open_cli_store(settings: Settings) -> Iterator[GraphStore]:
    """Open the configured store for one command and close it afterwards."""
    from kg import open_store

    st = open_store(settings)
    try:
        yield st
    finally:
        st.close()


def print_json(obj: Any) -> None:
    """One JSON document on stdout (no rich markup, so scripts can parse it)."""
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def read_json_file(path: Path, model: type[M]) -> M:
    """``path`` parsed as strict UTF-8 JSON and validated as ``model``; every failure is a
    :class:`DataFileError` naming the file and the line, byte or field that is wrong."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError as e:
        raise DataFileError(path, "is a directory, not a JSON file") from e
    except OSError as e:
        raise DataFileError(path, f"cannot read: {e.strerror or e}") from e
    if not raw.strip():
        raise DataFileError(path, "file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataFileError(path, f"line {line}: not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}); "
                                  "save the file as UTF-8") from e

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as e:
        raise DataFileError(path, f"line {e.lineno} column {e.colno}: invalid JSON: {e.msg}") from e
    except (ValueError, RecursionError) as e:
        raise DataFileError(path, f"invalid JSON: {e}") from e
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise DataFileError(path, validation_message(e)) from e


def check_out_path(out: Path, *inputs: Path, option: str = "--out") -> None:
    """Refuse an output path that is one of the ``inputs`` (it would overwrite them) or a folder; called
    before any work, so a run never ends by failing to write what it computed."""
    if out.is_dir():
        raise InputValidationError(f"{option} {out} is a folder; give a file path")
    for i in inputs:
        if out.resolve() == i.resolve() or (out.exists() and i.exists() and out.samefile(i)):
            raise InputValidationError(f"{option} {out} is the input file {i}; writing it would overwrite the "
                                       "input, so choose another path")
    parent = out.resolve().parent
    if parent.exists() and not parent.is_dir():
        raise InputValidationError(f"{option} {out}: {parent} is not a folder")


def write_out(out: Path, text: str) -> None:
    """Write ``text`` to ``out`` (creating its folder); a failure is a :class:`DataFileError` naming it."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise DataFileError(out, f"cannot write: {e.strerror or e}") from e


def progress() -> Progress:
    """A progress bar with rows/s, used by every long-running command."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def _error(message: str) -> None:
    """One ``error: ...`` line on stderr; the message is data, never rich markup (``medkg[ml]`` stays whole)."""
    err_console.print(f"[bold red]error:[/] {escape(' '.join(message.split()))}", highlight=False, soft_wrap=True)


def _undecodable(args: list[str]) -> str | None:
    """A message naming the first argument that is not valid UTF-8 (Python keeps its bytes as surrogates)."""
    for i, a in enumerate(args, 1):
        try:
            a.encode("utf-8")
        except UnicodeEncodeError:
            shown = a.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            return f"argument {i} ({shown!r}) is not valid UTF-8; give text in UTF-8"
    return None


def validation_message(e: ValidationError, *, most: int = 3) -> str:
    """pydantic's errors as one line: ``field patients.0.length_of_stay: Input should be ...; ...``."""
    parts = []
    for err in e.errors()[:most]:
        loc = ".".join(str(x) for x in err.get("loc", ()))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")  # a model validator's own message
        parts.append(f"field {loc}: {msg}" if loc else msg)
    more = e.error_count() - most
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _finite(inner: Any) -> Any:
    """A parameter callback refusing NaN and infinities, then running ``inner`` (the parameter's own)."""

    def check(ctx: Any, param: Any, value: Any) -> Any:
        for v in value if isinstance(value, list | tuple) else [value]:
            if isinstance(v, float) and not math.isfinite(v):
                raise typer.BadParameter(f"must be a finite number, got {v!r}", ctx=ctx, param=param)
        return value if inner is None else inner(ctx, param, value)

    return check


def _guard_floats(cmd: Any) -> None:
    """Every float option or argument of every command refuses nan/inf at parse time (one rule for all)."""
    for sub in getattr(cmd, "commands", {}).values():
        _guard_floats(sub)
    for param in getattr(cmd, "params", []):
        desc = getattr(param, "type_descriptor", None)
        ann = getattr(desc, "annotation", None)
        if ann is float or ann == list[float]:
            param.callback = _finite(param.callback)


_COMMANDS: weakref.WeakKeyDictionary[typer.Typer, Any] = weakref.WeakKeyDictionary()


def _command(app: typer.Typer) -> Any:
    """The click command of ``app`` with its float guards, built once per app (building takes ~0.4 s)."""
    cmd = _COMMANDS.get(app)
    if cmd is None:
        cmd = _COMMANDS[app] = typer.main.get_command(app)
        _guard_floats(cmd)
    return cmd


def run_guarded(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run the typer app on ``argv`` (default: ``sys.argv[1:]``) and return the exit code; never a traceback.

    Bad input ends in exit 2 and one ``error: ...`` line on stderr: an argument that is not valid UTF-8, a
    usage error (unknown option, bad value, missing argument; the line names the option and the ``--help``
    to read), a :class:`MedkgError` (its message says what is wrong and, for files, which file and line) or
    a pydantic validation error (the field). Anything else is a bug: exit 1 and one ``error: internal
    error ...`` line (the traceback goes to the log at debug level).
    """
    args = sys.argv[1:] if argv is None else list(argv)
    bad = _undecodable(args)
    if bad is not None:
        _error(bad)
        return 2
    cmd = _command(app)
    try:
        rv = cmd.main(args=args, prog_name="medkg", standalone_mode=False)
    except MedkgError as e:
        _error(f"{type(e).__name__}: {e}")
        return 2
    except ValidationError as e:
        _error(f"invalid input: {validation_message(e)}")
        return 2
    except NoArgsIsHelpError as e:  # a group without its command: typer's rich help is already printed
        if not typer.core.HAS_RICH:
            e.show()
        return 2
    except UsageError as e:
        where = f" (see: {e.ctx.command_path} --help)" if e.ctx is not None else ""
        _error(f"{e.format_message()}{where}")
        return e.exit_code
    except typer.TyperException as e:
        _error(e.format_message())
        return e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        _error("interrupted")
        return 130
    except UnicodeError as e:  # text from a file or stream that is not UTF-8
        _error(f"input is not valid UTF-8 ({e}); give text in UTF-8")
        return 2
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        _error(str(e.code))
        return 1
    except Exception as e:  # a bug: still one line, never a traceback on the user's terminal
        log.debug("internal error", exc_info=True)
        _error(f"internal error ({type(e).__name__}: {e}); please report it with the command you ran")
        return 1
    return rv if isinstance(rv, int) and not isinstance(rv, bool) else 0


def question_lines(path: Path, limit: int | None = None) -> Iterator[tuple[int, str | None, str | None]]:
    """``(line, question, None)`` for each usable line of a ``--file`` JSONL of questions (the one reader of
    ``medkg search``, ``ask`` and ``consult``), ``(line, None, why)`` for a broken one (not JSON, not UTF-8, no string
    'question'), so a bad line never stops the batch; blank lines are skipped. ``limit`` counts the lines answered."""
    if not path.is_file():
        raise DataFileError(path, "questions file not found")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataFileError(path, f"unreadable ({e.strerror or e})") from e
    answered = 0
    for n, data in enumerate(raw.split(b"\n"), start=1):
        if limit is not None and answered >= limit:
            return
        try:
            line = data.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            yield n, None, f"line {n}: not valid UTF-8 at byte {e.start}"
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            yield n, None, f"line {n}: not JSON ({e})"
            continue
        question = obj.get("question") if isinstance(obj, dict) else None
        if not isinstance(question, str):
            yield n, None, f"line {n}: expected an object with a string 'question' field"
            continue
        answered += 1
        yield n, question, None

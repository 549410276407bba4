"""Every ``medkg`` command answers bad input with exit 2 and one ``error: ...`` line, never a traceback.

The command tree is walked, so a new command is covered without editing this file. Each case is input that
is refused while parsing (before any command body runs), so no command does real work here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.main import get_command

from cli.common import run_guarded
from cli.main import app
from medkg.errors import MissingDependencyError

BAD_UTF8 = b"\xff\xfe fever".decode("utf-8", "surrogateescape")  # what Python makes of such argv bytes


def _leaves(cmd: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    subs = getattr(cmd, "commands", None)
    if subs is None:
        return [(prefix, cmd)]
    return [leaf for name, sub in subs.items() for leaf in _leaves(sub, (*prefix, name))]


def _groups(cmd: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    subs = getattr(cmd, "commands", None)
    if subs is None:
        return []
    return [prefix] + [g for name, sub in subs.items() for g in _groups(sub, (*prefix, name))]


ROOT = get_command(app)
LEAVES = _leaves(ROOT)
GROUPS = _groups(ROOT)


def _is_option(param: Any) -> bool:
    return bool(getattr(param, "opts", None)) and param.opts[0].startswith("-")


def _required_dummies(cmd: Any) -> list[str]:
    """Harmless values for the required arguments/options, so parsing reaches the option under test."""
    out: list[str] = []
    for p in cmd.params:
        if not p.required:
            continue
        out += [p.opts[0], "x"] if _is_option(p) else ["x"]
    return out


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_guarded(app, argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _assert_one_error_line(code: int, out: str, err: str, *, expect: str) -> None:
    assert "Traceback" not in out + err
    assert code == 2, (code, out, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "internal error" not in lines[0]
    assert expect.lower() in lines[0].lower(), lines[0]


def _name(p: tuple[str, ...]) -> str:
    return " ".join(p) or "medkg"


def test_the_walk_sees_every_group_and_command() -> None:
    names = {" ".join(p) for p, _ in LEAVES}
    assert {"search", "graph show", "graph find", "allocate plan", "allocate example", "doctor"} <= names
    assert ("allocate",) in GROUPS and ("graph",) in GROUPS


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=_name)
def test_invalid_utf8_argument(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([*path, BAD_UTF8], capsys)
    _assert_one_error_line(code, out, err, expect="not valid UTF-8")


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=_name)
def test_unknown_option(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([*path, "--no-such-option"], capsys)
    _assert_one_error_line(code, out, err, expect="--no-such-option")
    assert f"medkg {' '.join(path)} --help" in err  # the line says where to read the usage


@pytest.mark.parametrize("path", [p for p, c in LEAVES if any(q.required and not _is_option(q) for q in c.params)],
                         ids=_name)
def test_missing_argument(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(list(path), capsys)
    _assert_one_error_line(code, out, err, expect="missing")


FLOAT_OPTIONS = [(p, q.opts[0]) for p, c in LEAVES for q in c.params
                 if _is_option(q) and getattr(q.type_descriptor, "annotation", None) is float]


def test_there_are_float_options_to_check() -> None:
    assert (("allocate", "plan"), "--time-limit") in FLOAT_OPTIONS


@pytest.mark.parametrize(("path", "option"), FLOAT_OPTIONS, ids=lambda v: _name(v) if isinstance(v, tuple) else v)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_float_options_refuse_nan_and_infinity(path: tuple[str, ...], option: str, value: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cmd = dict(LEAVES)[path]
    code, out, err = _run([*path, *_required_dummies(cmd), option, value], capsys)
    _assert_one_error_line(code, out, err, expect=option)  # our finite check, or the option's own range


INT_OPTIONS = [(p, q.opts[0]) for p, c in LEAVES for q in c.params
               if _is_option(q) and getattr(q.type_descriptor, "annotation", None) is int]


@pytest.mark.parametrize(("path", "option"), INT_OPTIONS, ids=lambda v: _name(v) if isinstance(v, tuple) else v)
def test_int_options_refuse_text(path: tuple[str, ...], option: str, capsys: pytest.CaptureFixture[str]) -> None:
    cmd = dict(LEAVES)[path]
    code, out, err = _run([*path, *_required_dummies(cmd), option, "12abc"], capsys)
    _assert_one_error_line(code, out, err, expect=option)


@pytest.mark.parametrize("path", [g for g in GROUPS if g], ids=_name)
def test_unknown_subcommand(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([*path, "no-such-command"], capsys)
    _assert_one_error_line(code, out, err, expect="no-such-command")


def _tiny(exc: Exception) -> typer.Typer:
    tiny = typer.Typer()

    @tiny.command()
    def boom() -> None:
        raise exc

    @tiny.command()
    def fine() -> None:
        pass

    return tiny


def test_error_hints_are_not_eaten_as_rich_markup(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_guarded(_tiny(MissingDependencyError("torch", "ml")), ["boom"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'medkg[ml]'" in err and len(err.strip().splitlines()) == 1


def test_a_bug_is_one_line_and_exit_1_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_guarded(_tiny(KeyError("oops")), ["boom"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: internal error (KeyError") and "Traceback" not in err
    assert run_guarded(_tiny(KeyError("oops")), ["fine"]) == 0


@pytest.mark.parametrize("text", ["_", "%", "*", "?!"])
def test_graph_find_gives_punctuation_only_names_one_answer(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    from medkg.settings import get_settings

    get_settings.cache_clear()  # the test's private MEDKG_HOME: an empty store
    code, out, err = _run(["graph", "find", text], capsys)
    _assert_one_error_line(code, out, err, expect="EmptyInputError: the name to look up has no letter or digit")


def test_graph_find_refuses_a_nul(capsys: pytest.CaptureFixture[str]) -> None:
    from medkg.settings import get_settings

    get_settings.cache_clear()
    code, out, err = _run(["graph", "find", "hyper\x00tension"], capsys)
    _assert_one_error_line(code, out, err, expect="control character U+0000")


@pytest.mark.parametrize("path", GROUPS, ids=_name)
def test_a_group_without_its_command_prints_its_help_once(path: tuple[str, ...],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(list(path), capsys)
    assert "Traceback" not in out + err and code == 2
    assert (out + err).count("Usage:") == 1


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_nan_and_infinity_are_refused_where_the_option_has_no_range(value: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["allocate", "plan", "x", "--time-limit", value], capsys)
    _assert_one_error_line(code, out, err, expect="--time-limit': must be a finite number")


PATH_ARGUMENTS = [p for p, c in LEAVES
                  if any(not _is_option(q) and q.required and q.type_descriptor.annotation is Path for q in c.params)]


def test_there_are_path_arguments_to_check() -> None:
    assert ("allocate", "plan") in PATH_ARGUMENTS


@pytest.mark.parametrize("path", PATH_ARGUMENTS, ids=_name)
def test_a_missing_input_file_is_named(path: tuple[str, ...], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Every command whose arguments are files names the missing one (before any work)."""
    cmd = dict(LEAVES)[path]
    missing = tmp_path / "no-such-file.json"
    args: list[str] = []
    for q in cmd.params:
        if q.required:
            args += [q.opts[0], str(tmp_path / "out.any")] if _is_option(q) else [str(missing)]
    code, out, err = _run([*path, *args], capsys)
    _assert_one_error_line(code, out, err, expect=str(missing))


@pytest.mark.parametrize("text", ["[/x]", "[bold]x", "x[ml]"])
def test_graph_find_prints_markup_like_text_as_text(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    from medkg.settings import get_settings

    get_settings.cache_clear()
    code, out, err = _run(["graph", "find", text], capsys)
    assert code == 0 and "Traceback" not in out + err and not err.strip(), err
    assert f"0 matches for {text!r}" in out

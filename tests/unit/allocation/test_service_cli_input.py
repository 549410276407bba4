"""``medkg allocate plan|example`` with bad files and options: exit 2, one line naming the file/line/field,
checked before any solving; ``--out`` never overwrites the input and is checked first."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cli.common import run_guarded
from cli.main import app
from reasoning.allocation.service.synthetic import synthetic_request


def _good(n: int = 4) -> dict[str, Any]:
    return synthetic_request(n, days=5, seed=1).model_dump(mode="json")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run_guarded(app, argv)
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return code, cap.err


def _one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def _patched(**changes: Any) -> dict[str, Any]:
    req = _good()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        obj: Any = req
        for k in parents:
            obj = obj[int(k)] if k.isdigit() else obj[k]
        obj[int(last) if last.isdigit() else last] = value
    return req


BAD_FILES: list[tuple[str, bytes, str]] = [
    ("broken json", b'{"days": 3,\n  "patients": [}', "line 2 column"),
    ("not utf-8", b'{"days": \xff\xfe}', "line 1: not valid UTF-8 (byte 0xff"),
    ("latin-1 name", json.dumps(_good()).replace('"P0"', '"P\xe9"').encode("latin-1"), "not valid UTF-8"),
    ("utf-16", json.dumps(_good()).encode("utf-16"), "not valid UTF-8"),
    ("empty", b"", "file is empty"),
    ("blank", b"  \n\n", "file is empty"),
    ("a list", b"[1, 2]", "valid dictionary"),
    ("NaN literal", json.dumps(_good()).replace('"days": 5', '"days": NaN').encode(), "NaN is not a JSON number"),
    ("missing fields", b'{"days": 3}', "field departments: Field required"),
    ("unknown field", json.dumps({**_good(), "colour": 1}).encode(), "field colour: Extra inputs"),
    ("negative stay", json.dumps(_patched(patients__0__length_of_stay=-2)).encode(),
     "field patients.0.length_of_stay"),
    ("string beds", json.dumps(_patched(wards__0__beds="many")).encode(), "field wards.0.beds"),
    ("negative weight", json.dumps(_patched(weights={"unassigned": -1e18})).encode(), "field weights.unassigned"),
    ("today past horizon", json.dumps(_patched(today=5)).encode(), "today (5) must be before days (5)"),
    ("duplicate ward", json.dumps({**_good(), "wards": _good()["wards"] * 2}).encode(), "ward ids must be unique"),
]


@pytest.mark.parametrize(("content", "expect"), [(c, e) for _, c, e in BAD_FILES], ids=[n for n, _, _ in BAD_FILES])
def test_plan_refuses_a_bad_request_file(tmp_path: Path, content: bytes, expect: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "req.json"
    path.write_bytes(content)
    code, err = _run(["allocate", "plan", str(path)], capsys)
    line = _one_error(err)
    assert code == 2
    assert "DataFileError" in line and str(path) in line and expect in line, line


def test_plan_refuses_a_missing_file_and_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["allocate", "plan", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and "cannot read" in _one_error(err)
    code, err = _run(["allocate", "plan", str(tmp_path)], capsys)
    assert code == 2 and "is a directory" in _one_error(err)


@pytest.mark.parametrize("value", ["-1", "0", "nan", "1e12", "601"])
def test_plan_time_limit_is_validated_before_the_file_is_read(tmp_path: Path, value: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["allocate", "plan", str(tmp_path / "never-read.json"), "--time-limit", value], capsys)
    line = _one_error(err)
    assert code == 2 and "--time-limit" in line and "never-read" not in line


def test_plan_out_must_not_be_the_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "req.json"
    text = json.dumps(_good())
    path.write_text(text, encoding="utf-8")
    for out in (path, tmp_path / "." / "req.json"):
        code, err = _run(["allocate", "plan", str(path), "--out", str(out)], capsys)
        assert code == 2 and "overwrite the input" in _one_error(err)
    assert path.read_text(encoding="utf-8") == text  # the request is untouched


def test_plan_out_folder_is_refused_before_solving(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "req.json"
    path.write_text("{not even json", encoding="utf-8")  # the --out check comes first, before reading
    code, err = _run(["allocate", "plan", str(path), "--out", str(tmp_path)], capsys)
    assert code == 2 and "is a folder" in _one_error(err)


def test_plan_writes_out_into_a_new_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "req.json"
    path.write_text(json.dumps(_good()), encoding="utf-8")
    out = tmp_path / "new" / "resp.json"
    code, _ = _run(["allocate", "plan", str(path), "--out", str(out), "--time-limit", "5", "--json"], capsys)
    assert code == 0 and json.loads(out.read_text(encoding="utf-8"))["status"] in ("OPTIMAL", "FEASIBLE")


@pytest.mark.parametrize(("args", "expect"), [
    (["--days", "-1"], "--days must be an integer in [1, 366], got -1"),
    (["--days", "0"], "--days"),
    (["--days", "367"], "--days"),
    (["--limit", "-5"], "--limit must be an integer in [1, 100000], got -5"),
    (["--limit", "0"], "--limit"),
])
def test_example_options_are_validated(args: list[str], expect: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["allocate", "example", *args], capsys)
    assert code == 2 and expect in _one_error(err)


def test_example_out_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["allocate", "example", "--out", str(tmp_path)], capsys)
    assert code == 2 and "is a folder" in _one_error(err)


def test_help_states_the_limits_the_service_enforces() -> None:
    from typer.main import get_command

    from reasoning.allocation.service import MAX_DAYS, MAX_PATIENTS, MAX_TIME_LIMIT_S

    allocate = get_command(app).commands["allocate"]  # type: ignore[attr-defined]
    helps = {p.name: p.help for name in ("plan", "example") for p in allocate.commands[name].params}
    assert f"(0, {MAX_TIME_LIMIT_S:g}]" in helps["time_limit"]
    assert re.search(rf"1\.\.{MAX_DAYS}\b", helps["days"]) and f"1..{MAX_PATIENTS}" in helps["limit"]

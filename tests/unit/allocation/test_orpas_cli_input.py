"""``medkg allocate or-pas`` and ``validate`` refuse bad input before any work, with one ``error:`` line (issue 18
items 3, 6, 11, 12; issue 17: no XSD beside the instance is fine)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cli.common import run_guarded
from cli.main import app
from tests.unit.allocation.orpas_fixtures import instance_xml, write


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run_guarded(app, ["allocate", *args])
    err = capsys.readouterr().err
    return code, err


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in err, err
    return lines[0]


def test_out_equal_to_the_instance_is_refused_before_solving(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Item 3: ``--out X.xml`` on input ``X.xml`` would overwrite the instance: refused, the file unchanged."""
    inst = write(tmp_path, "tiny.xml", instance_xml())
    before = inst.read_bytes()
    t0 = time.perf_counter()
    code, err = _run(capsys, "or-pas", str(inst), "--out", str(tmp_path / "." / "tiny.xml"), "--time-limit", "5")
    assert code == 2 and "overwrite" in _one_error_line(err)
    assert inst.read_bytes() == before and time.perf_counter() - t0 < 5  # refused, not solved


@pytest.mark.parametrize("workers", ["0", "-3", "65"])
def test_workers_out_of_range_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str) -> None:
    """Item 12: ``--workers 0 / -3`` on ``or-pas``."""
    inst = write(tmp_path, "tiny.xml", instance_xml())
    code, err = _run(capsys, "or-pas", str(inst), "--out", str(tmp_path / "s.xml"), "--workers", workers)
    assert code == 2 and "workers" in _one_error_line(err)
    assert not (tmp_path / "s.xml").exists()


@pytest.mark.parametrize("limit", ["0", "-1", "1e12", "nan"])
def test_time_limits_out_of_range_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], limit: str) -> None:
    inst = write(tmp_path, "tiny.xml", instance_xml())
    code, err = _run(capsys, "or-pas", str(inst), "--out", str(tmp_path / "s.xml"), "--time-limit", limit)
    assert code == 2 and _one_error_line(err)


def test_dynamic_time_limit_below_its_floor_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 11: a limit the day-by-day mode cannot honour (2 s a day) is refused instead of overrun."""
    inst = write(tmp_path, "tiny.xml", instance_xml())
    code, err = _run(capsys, "or-pas", str(inst), "--out", str(tmp_path / "s.xml"), "--mode", "dynamic",
                     "--time-limit", "3")
    assert code == 2 and "at least 6 s" in _one_error_line(err)


def test_absurd_horizon_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 11: ``num_days="99999999"`` never finished; now one line, in well under a second of work."""
    inst = write(tmp_path, "huge.xml", instance_xml().replace('num_days="2"', 'num_days="99999999"'))
    t0 = time.perf_counter()
    for cmd in (["or-pas", str(inst), "--out", str(tmp_path / "s.xml"), "--time-limit", "10"],
                ["validate", str(inst), str(tmp_path / "s.xml")]):
        code, err = _run(capsys, *cmd)
        assert code == 2 and "num_days" in _one_error_line(err) and "1..366" in err
    assert time.perf_counter() - t0 < 10


def test_room_capacity_of_1e20_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 6: a room capacity of 10^20 ended in an OR-Tools traceback; it is refused with the room's line."""
    text = instance_xml().replace('capacity="2"', 'capacity="100000000000000000000"')
    inst = write(tmp_path, "big.xml", text)
    code, err = _run(capsys, "or-pas", str(inst), "--out", str(tmp_path / "s.xml"), "--time-limit", "5")
    line = _one_error_line(err)
    assert code == 2 and "capacity" in line and "R2" in line and "big.xml" in line


def test_dates_beyond_the_extended_horizon_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A discharge in the year 9999 would make every stay loop run for millions of days: refused."""
    inst = write(tmp_path, "far.xml", instance_xml().replace('discharge="2024-01-02"', 'discharge="9999-01-02"'))
    code, err = _run(capsys, "or-pas", str(inst), "--out", str(tmp_path / "s.xml"), "--time-limit", "5")
    assert code == 2 and "extended horizon" in _one_error_line(err)


def test_instance_without_xsd_beside_it_is_solved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17: no XSD next to the instance; the packaged XSDs validate it and the written solution."""
    inst = write(tmp_path, "tiny.xml", instance_xml())
    out = tmp_path / "out" / "sol.xml"
    code, err = _run(capsys, "or-pas", str(inst), "--out", str(out), "--time-limit", "5")
    assert code == 0, err
    assert out.is_file()
    assert run_guarded(app, ["allocate", "validate", str(inst), str(out)]) == 0

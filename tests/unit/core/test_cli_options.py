"""Options of ``medkg demo`` are checked before any ingest; ``medkg doctor`` prints install hints whole."""

from __future__ import annotations

import pytest

import cli.doctor
from cli.common import console, run_guarded
from cli.main import app


@pytest.mark.parametrize(("args", "expect"), [
    (["--limit", "-1"], "--limit"),
    (["--parts", "kg,bogus"], "unknown ingest part 'bogus'"),
    (["--parts", " , "], "name at least one part"),
])
def test_demo_refuses_bad_options_before_ingesting(args: list[str], expect: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = run_guarded(app, ["demo", *args])
    cap = capsys.readouterr()
    assert code == 2 and cap.err.startswith("error: ") and expect in cap.err
    assert "medkg demo" not in cap.out  # nothing ran: the banner is printed only once the options are valid


def test_doctor_prints_extras_in_install_hints(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from medkg.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr(cli.doctor, "_pkg_checks",
                        lambda: [cli.doctor.Check("package torch", False, "not installed", "pip install 'medkg[ml]'")])
    monkeypatch.setattr(cli.doctor, "_model_checks", lambda: [])
    monkeypatch.setattr(console, "width", 200)
    assert run_guarded(app, ["doctor"]) == 0
    assert "pip install 'medkg[ml]'" in capsys.readouterr().out

"""Under ``CI=true`` a skipped test is a failure: CI has the shared data, the XSDs, every extra and the Bolt server,
so a test that skips there (``../shared/data`` absent, an extra missing, a fixture's guard) would hide what it
checks. Tests marked ``gpu`` may still skip (CI's machine has no GPU). Used by ``tests/conftest.py``; a plugin
module of its own so that its test can load it into a separate pytest run (``-p tests.ci_skips``).
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

__all__ = ["ci_required", "pytest_make_collect_report", "pytest_runtest_makereport"]


def ci_required() -> bool:
    """Whether this run is CI's (``CI=true``), where nothing but GPU tests may skip."""
    return os.environ.get("CI", "").lower() == "true"


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and ci_required() and not hasattr(report, "wasxfail") and item.get_closest_marker("gpu") is None:
        report.outcome = "failed"
        report.longrepr = (
            f"skipped under CI=true, where every test not marked gpu must run: {_reason(report)} "
            f"({item.nodeid})"
        )
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """A whole module skipped while it is collected (``pytest.importorskip`` at module level) fails under CI too."""
    report = yield
    if report.skipped and ci_required() and collector.get_closest_marker("gpu") is None:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test not marked gpu must run: {_reason(report)}"
    return report

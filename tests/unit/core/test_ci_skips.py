"""Under CI=true a skipped test (shared data or XSDs absent, an extra missing) fails; GPU tests may still skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

CASES = '''
import pytest

def test_needs_shared_data():
    pytest.skip("../shared/data not present")

@pytest.mark.skipif(True, reason="XSDs not available")
def test_needs_xsd():
    pass

@pytest.mark.gpu
def test_needs_a_gpu():
    pytest.skip("no CUDA GPU")

@pytest.mark.xfail(reason="known")
def test_known_failure():
    assert False

def test_runs():
    pass
'''


MODULE_SKIP = '''
import pytest

pytest.importorskip("no_such_module_for_medkg_tests")


def test_never_collected():
    pass
'''


def _run(tmp_path: Path, ci: str, *files: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_cases.py").write_text(CASES, encoding="utf-8")
    (tmp_path / "test_module_skip.py").write_text(MODULE_SKIP, encoding="utf-8")
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(REPO), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.ci_skips", "-m", "",
         "-o", "markers=gpu", *files],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_skips_fail_under_ci(tmp_path: Path) -> None:
    """With CI=true the data skips fail (naming their reason); the GPU skip and the xfail stay as they are. A module
    skipped while collected (importorskip at module level) is a collection error."""
    result = _run(tmp_path, "true", "test_cases.py")
    assert result.returncode == 1, result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert "1 failed" in last and "1 error" in last and "1 skipped" in last and "1 xfailed" in last, last
    assert "../shared/data not present" in result.stdout and "XSDs not available" in result.stdout
    module = _run(tmp_path, "true", "test_module_skip.py")
    assert module.returncode != 0 and "no_such_module_for_medkg_tests" in module.stdout, module.stdout


def test_skips_stay_skips_locally(tmp_path: Path) -> None:
    """Without CI=true nothing changes: four skips (one a whole module), one xfail, one pass."""
    result = _run(tmp_path, "", "test_cases.py", "test_module_skip.py")
    assert result.returncode == 0, result.stdout
    assert "4 skipped" in result.stdout.strip().splitlines()[-1]

"""The Bolt fixture's policy: skip with the install command locally, fail when the server is required."""

from __future__ import annotations

import pytest

from tests import conftest


def test_missing_server_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without CI=true or MEDKG_REQUIRE_BOLT=1 a missing server is a skip whose reason has the pip command."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("MEDKG_REQUIRE_BOLT", raising=False)
    with pytest.raises(pytest.skip.Exception, match="pip install arcadedb-embedded"):
        conftest._unavailable(f"ArcadeDB Bolt server not available: {conftest.INSTALL_HINT}")


@pytest.mark.parametrize(("name", "value"), [("CI", "true"), ("MEDKG_REQUIRE_BOLT", "1")])
def test_missing_server_fails_when_required(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    """CI=true or MEDKG_REQUIRE_BOLT=1 turns the skip into a failure."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("MEDKG_REQUIRE_BOLT", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match="required"):
        conftest._unavailable("ArcadeDB Bolt server not available")

"""Settings: one typed configuration, MEDKG_ prefix, one home for all state, neo4j switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from medkg.settings import Settings, get_settings


def test_env_prefix_and_home_layout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """MEDKG_HOME puts the store, indexes, models and reports under one directory."""
    monkeypatch.setenv("MEDKG_HOME", str(tmp_path))
    s = Settings()
    assert s.home == tmp_path
    assert s.store_dir == tmp_path / "store"
    assert s.index_dir == tmp_path / "index"
    assert s.models_dir == tmp_path / "models"
    assert s.reports_dir == tmp_path / "reports"


def test_model_cache_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDKG_MODEL_CACHE", str(tmp_path / "cache"))
    assert Settings().models_dir == tmp_path / "cache"


def test_default_home_is_per_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MEDKG_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().home == tmp_path / "xdg" / "medkg"


def test_neo4j_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """MEDKG_STORE=neo4j plus MEDKG_NEO4J_* select and configure the Neo4j adapter; the password stays secret."""
    monkeypatch.setenv("MEDKG_STORE", "neo4j")
    monkeypatch.setenv("MEDKG_NEO4J_URI", "bolt://db:7687")
    monkeypatch.setenv("MEDKG_NEO4J_PASSWORD", "s3cret-pw")
    monkeypatch.setenv("MEDKG_NEO4J_DATABASE", "medkg")
    s = Settings()
    assert (s.store, s.neo4j_uri, s.neo4j_database) == ("neo4j", "bolt://db:7687", "medkg")
    assert s.neo4j_password.get_secret_value() == "s3cret-pw"
    assert "s3cret-pw" not in repr(s)


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong store name or batch size is an error that names the field, not a silent default."""
    monkeypatch.setenv("MEDKG_STORE", "mongo")
    with pytest.raises(ValidationError, match="store"):
        Settings()
    monkeypatch.setenv("MEDKG_STORE", "embedded")
    monkeypatch.setenv("MEDKG_BATCH_SIZE", "0")
    with pytest.raises(ValidationError, match="batch_size"):
        Settings()


def test_dotenv_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDKG_BATCH_SIZE", raising=False)
    (tmp_path / ".env").write_text("MEDKG_BATCH_SIZE=123\n", encoding="utf-8")
    assert Settings().batch_size == 123


def test_get_settings_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    a = get_settings()
    monkeypatch.setenv("MEDKG_BATCH_SIZE", "77")
    assert get_settings() is a
    get_settings.cache_clear()
    assert get_settings().batch_size == 77
    get_settings.cache_clear()

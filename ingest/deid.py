"""De-identification of patient records: pseudonymous ids (HMAC-SHA256 with a per-installation key), coarse dates.

The key is created once under ``<home>/keys/deid.key`` (32 random bytes, mode 0600) and reused, so patient
ids are stable across re-ingests on one installation and unlinkable across installations.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from medkg.errors import ConfigurationError

__all__ = ["DIRECT_IDENTIFIER_COLUMNS", "Pseudonymizer", "load_or_create_key"]

log = logging.getLogger(__name__)

KEY_BYTES = 32
# Synthea patient columns that identify a person directly; never stored unless keep_identifiers is chosen.
DIRECT_IDENTIFIER_COLUMNS = ("SSN", "DRIVERS", "PASSPORT", "PREFIX", "FIRST", "LAST", "SUFFIX", "MAIDEN",
                             "BIRTHPLACE", "ADDRESS", "CITY", "COUNTY", "ZIP", "LAT", "LON")


def load_or_create_key(home: Path) -> bytes:
    """The installation's de-identification key, created on first use."""
    path = home / "keys" / "deid.key"
    try:
        if path.exists():
            key = path.read_bytes()
            if len(key) != KEY_BYTES:
                raise ConfigurationError(f"{path}: de-identification key must be {KEY_BYTES} bytes, got {len(key)}")
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        log.info("created de-identification key %s", path)
        return key
    except FileExistsError:  # another process created it between exists() and open(): use theirs
        return path.read_bytes()
    except OSError as e:
        raise ConfigurationError(f"cannot read or create the de-identification key {path}: {e}") from e


class Pseudonymizer:
    """Keyed, stable pseudonyms for record ids; with ``keep_identifiers`` the raw id is kept instead."""

    def __init__(self, key: bytes, *, keep_identifiers: bool = False) -> None:
        if not keep_identifiers and len(key) < 16:
            raise ConfigurationError("de-identification needs a key of at least 16 bytes")
        self._mac = hmac.new(key, digestmod=hashlib.sha256)  # keyed once; each token copies it (same digest)
        self.keep_identifiers = keep_identifiers

    def token(self, *parts: str) -> str:
        """The hex HMAC-SHA256 of the parts (or the raw id when identifiers are kept and one part is given)."""
        if self.keep_identifiers and len(parts) == 1:
            return parts[0]
        msg = "\x1f".join(parts).encode("utf-8")
        mac = self._mac.copy()
        mac.update(msg)
        return mac.hexdigest()

    def record_id(self, kind: str, *parts: str) -> str:
        """``medkg:<kind>:<token>``, e.g. ``medkg:patient:3f2a…``."""
        return f"medkg:{kind}:{self.token(*parts)}"

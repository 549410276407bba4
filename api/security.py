"""API keys (stored hashed in the medkg home), roles, and the per-key rate limit.

A key is ``mk_<id>_<secret>``; only the SHA-256 of the secret is stored (``<home>/keys/api_keys.json``, mode 0600),
with the key's id, role, name and creation time. Roles are ordered: ``reader`` < ``clinician`` < ``admin``; a
route names the least role it needs.

Anonymous access: while the home holds no active key, requests without a key are served as an anonymous
*reader* (so a fresh development install works without set-up) with tighter limits; as soon as one key exists,
every route except ``/healthz``, ``/readyz``, ``/metrics``, the chat page and the Browser files needs a key
(401 otherwise). Patient routes always need a clinician key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from medkg.errors import InputValidationError, NotFoundError

__all__ = [
    "ROLES",
    "ApiKey",
    "KeyStore",
    "Principal",
    "RateLimiter",
    "Role",
    "role_at_least",
]

log = logging.getLogger(__name__)

Role = Literal["reader", "clinician", "admin"]
ROLES: tuple[Role, ...] = ("reader", "clinician", "admin")


def role_at_least(role: str, needed: str) -> bool:
    """True when ``role`` is ``needed`` or above it."""
    order: dict[str, int] = {r: i for i, r in enumerate(ROLES)}
    return order.get(role, -1) >= order[needed]


class ApiKey(BaseModel):
    """One stored key: never the secret, only its hash."""

    id: str
    role: Role
    name: str = ""
    created: str
    sha256: str
    revoked: str | None = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key's id and role, or the anonymous reader."""

    key_id: str
    role: Role
    anonymous: bool = False


ANONYMOUS = Principal(key_id="anonymous", role="reader", anonymous=True)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyStore:
    """The keys file of one medkg home. Re-read when it changes on disk, so keys made by ``medkg keys create``
    apply to a running server without a restart. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._keys: dict[str, ApiKey] = {}
        self._mtime: float | None = None

    def _load(self) -> dict[str, ApiKey]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._keys, self._mtime = {}, None
            return self._keys
        if mtime != self._mtime:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                self._keys = {k["id"]: ApiKey.model_validate(k) for k in raw.get("keys", [])}
            except (OSError, ValueError) as e:
                # A damaged keys file must not open the API to anonymous callers: keep what was loaded.
                log.error("keys file %s unreadable (%s); keeping the %d keys loaded before",
                          self.path.name, type(e).__name__, len(self._keys))
                if not self._keys:
                    self._keys = {"!unreadable": ApiKey(id="!unreadable", role="reader", created="", sha256="")}
            self._mtime = mtime
        return self._keys

    def _save(self, keys: dict[str, ApiKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        body = json.dumps({"keys": [k.model_dump() for k in keys.values()]}, indent=1)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, self.path)
        self._keys, self._mtime = keys, self.path.stat().st_mtime

    def create(self, role: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key of ``role``: the stored record and the token, which is shown once and never stored."""
        if role not in ROLES:
            raise InputValidationError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        with self._lock:
            keys = dict(self._load())
            key_id = secrets.token_hex(4)
            while key_id in keys:
                key_id = secrets.token_hex(4)
            secret = secrets.token_urlsafe(32)
            rec = ApiKey(id=key_id, role=role, name=name, created=datetime.now(UTC).isoformat(timespec="seconds"),
                         sha256=_hash(secret))
            keys[key_id] = rec
            self._save(keys)
        return rec, f"mk_{key_id}_{secret}"

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        with self._lock:
            return sorted((k for k in self._load().values() if not k.id.startswith("!")), key=lambda k: k.created)

    def revoke(self, key_id: str) -> ApiKey:
        """Mark ``key_id`` revoked (kept for the audit trail)."""
        with self._lock:
            keys = dict(self._load())
            if key_id not in keys:
                raise NotFoundError(f"no API key with id {key_id!r}; list them with `medkg keys list`")
            rec = keys[key_id].model_copy(update={"revoked": datetime.now(UTC).isoformat(timespec="seconds")})
            keys[key_id] = rec
            self._save(keys)
        return rec

    def any_active(self) -> bool:
        """True when at least one key is not revoked (then keys are required)."""
        with self._lock:
            return any(k.revoked is None for k in self._load().values())

    def verify(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None otherwise (constant-time hash comparison)."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "mk":
            return None
        with self._lock:
            rec = self._load().get(parts[1])
        if rec is None or rec.revoked is not None or not hmac.compare_digest(rec.sha256, _hash(parts[2])):
            return None
        return Principal(key_id=rec.id, role=rec.role)


class RateLimiter:
    """A token bucket per caller: ``rate`` requests a second on average, bursts of ``burst``. Thread-safe."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        """0.0 when ``who`` may go on now (one token taken); else the seconds until a token is free."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            return (1.0 - tokens) / self.rate

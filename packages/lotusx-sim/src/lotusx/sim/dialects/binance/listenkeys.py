"""listenKey lifecycle: 60-minute validity, keepalive, one active key per account."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

VALIDITY_MS = 60 * 60 * 1000
_ALPHABET = string.ascii_letters + string.digits


@dataclass(slots=True)
class ListenKey:
    key: str
    account: str
    expires_ms: int


class ListenKeys:
    """Keys of one host (spot or futures)."""

    def __init__(self, validity_ms: int = VALIDITY_MS) -> None:
        self.validity_ms = validity_ms
        self.keys: dict[str, ListenKey] = {}

    def create(self, account: str, now: int) -> ListenKey:
        """Return the account's active key (extended) or a new one."""
        for lk in self.keys.values():
            if lk.account == account and lk.expires_ms > now:
                lk.expires_ms = now + self.validity_ms
                return lk
        key = "".join(secrets.choice(_ALPHABET) for _ in range(64))
        lk = self.keys[key] = ListenKey(key, account, now + self.validity_ms)
        return lk

    def get(self, key: str, now: int) -> ListenKey | None:
        lk = self.keys.get(key)
        return lk if lk is not None and lk.expires_ms > now else None

    def active_for(self, account: str, now: int) -> ListenKey | None:
        return next(
            (k for k in self.keys.values() if k.account == account and k.expires_ms > now), None
        )

    def keepalive(self, key: str, now: int) -> ListenKey | None:
        lk = self.get(key, now)
        if lk is not None:
            lk.expires_ms = now + self.validity_ms
        return lk

    def close(self, key: str) -> ListenKey | None:
        return self.keys.pop(key, None)

    def expire(self, now: int) -> list[ListenKey]:
        """Remove and return keys whose validity ended."""
        gone = [k for k in self.keys.values() if k.expires_ms <= now]
        for k in gone:
            del self.keys[k.key]
        return gone

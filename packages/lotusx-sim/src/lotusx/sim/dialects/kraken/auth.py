"""Kraken request signing, as the Spot REST and Futures REST authentication guides describe.

Spot: `API-Sign = b64(HMAC-SHA512(b64decode(secret), uri_path + SHA256(nonce + postdata)))`,
with `nonce` in the body; per key the nonce must exceed the last one accepted (an optional
nonce window also admits a not-yet-seen nonce at most `window` below it).
Futures: `Authent = b64(HMAC-SHA512(b64decode(secret), SHA256(postData + Nonce + endpointPath)))`
where endpointPath excludes the `/derivatives` prefix (the February 2024 flow).
WebSocket challenge: `b64(HMAC-SHA512(b64decode(secret), SHA256(challenge)))`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field


def new_credentials() -> tuple[str, str]:
    """A 56-character API key and a secret as Kraken issues it: base64 of 64 random bytes."""
    key = base64.b64encode(secrets.token_bytes(42)).decode()
    return key, base64.b64encode(secrets.token_bytes(64)).decode()


def _mac(secret: str, message: bytes) -> str | None:
    try:
        raw = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        return None
    return base64.b64encode(hmac.new(raw, message, hashlib.sha512).digest()).decode()


def spot_sign(secret: str, uri_path: str, nonce: str, postdata: str) -> str | None:
    digest = hashlib.sha256((nonce + postdata).encode()).digest()
    return _mac(secret, uri_path.encode() + digest)


def futures_sign(secret: str, post_data: str, nonce: str, endpoint_path: str) -> str | None:
    return _mac(secret, hashlib.sha256((post_data + nonce + endpoint_path).encode()).digest())


def challenge_sign(secret: str, challenge: str) -> str | None:
    return _mac(secret, hashlib.sha256(challenge.encode()).digest())


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


@dataclass(slots=True)
class NonceBook:
    """Per-key nonces: accepted if above the last, or (window > 0) unseen and within the window."""

    window: int = 0
    last: dict[str, int] = field(default_factory=dict)
    recent: dict[str, set[int]] = field(default_factory=dict)

    def accept(self, key: str, nonce: int) -> bool:
        last = self.last.get(key)
        seen = self.recent.setdefault(key, set())
        stale = (
            self.window <= 0 or nonce in seen or (last is not None and nonce <= last - self.window)
        )
        if last is not None and nonce <= last and stale:
            return False
        seen.add(nonce)
        if last is None or nonce > last:
            self.last[key] = nonce
            floor = nonce - max(self.window, 0)
            self.recent[key] = {n for n in seen if n >= floor}
        return True

"""Kraken signing: spot ``API-Sign`` with a nonce, Futures ``Authent``, the WS challenge.

Spot: ``API-Sign = base64(HMAC-SHA512(base64decode(secret), path + SHA256(nonce + body)))``;
the nonce travels in the body (first field of a form body, a ``nonce`` member of a JSON body),
the path starts at ``/0/private``. Futures: ``Authent = base64(HMAC-SHA512(base64decode(secret),
SHA256(postData + nonce + endpointPath)))`` where ``endpointPath`` drops the ``/derivatives``
prefix; headers ``APIKey``, ``Authent``, ``Nonce``. The Futures WebSocket signs its challenge:
``base64(HMAC-SHA512(base64decode(secret), SHA256(challenge)))``.

Nonces: Kraken refuses a spot nonce not greater than the last one the key used. `NonceSource`
hands out strictly increasing microsecond nonces per key (shared by every connector of the
process using that key). Concurrent requests can still reach Kraken out of order; the one that
loses is refused with ``EAPI:Invalid nonce`` before anything is done, so the connector re-signs
and re-sends it (placements too: a refused request was not acted on).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from typing import ClassVar

from lotusx.core.transport.signing import Credentials, SignableRequest

__all__ = [
    "FUTURES_PREFIX",
    "FuturesSigner",
    "NonceSource",
    "SpotSigner",
    "futures_authent",
    "sign_challenge",
    "spot_signature",
]

FUTURES_PREFIX = "/derivatives"


def _decoded(secret: str) -> bytes:
    try:
        return base64.b64decode(secret, validate=True)
    except ValueError as exc:
        raise ValueError("kraken secrets are base64 (as the key page shows them)") from exc


def spot_signature(secret: str, path: str, nonce: str, body: str) -> str:
    """``API-Sign`` for a spot private call (``path`` like ``/0/private/AddOrder``)."""
    digest = hashlib.sha256((nonce + body).encode()).digest()
    mac = hmac.new(_decoded(secret), path.encode() + digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def futures_authent(secret: str, post_data: str, nonce: str, endpoint_path: str) -> str:
    """``Authent`` for a Futures call; ``endpoint_path`` without the ``/derivatives`` prefix."""
    digest = hashlib.sha256((post_data + nonce + endpoint_path).encode()).digest()
    return base64.b64encode(hmac.new(_decoded(secret), digest, hashlib.sha512).digest()).decode()


def sign_challenge(secret: str, challenge: str) -> str:
    """The Futures WebSocket ``signed_challenge``."""
    digest = hashlib.sha256(challenge.encode()).digest()
    return base64.b64encode(hmac.new(_decoded(secret), digest, hashlib.sha512).digest()).decode()


class NonceSource:
    """Strictly increasing nonces (microseconds since the epoch, bumped on ties)."""

    _shared: ClassVar[dict[str, NonceSource]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._last = 0
        self._mutex = threading.Lock()

    @classmethod
    def for_key(cls, api_key: str) -> NonceSource:
        """The process-wide source of ``api_key`` (nonces are per key at Kraken)."""
        with cls._lock:
            found = cls._shared.get(api_key)
            if found is None:
                found = cls._shared[api_key] = cls()
            return found

    def next(self) -> int:
        with self._mutex:
            self._last = max(self._last + 1, time.time_ns() // 1000)
            return self._last


class SpotSigner:
    """Adds the nonce to the body and the ``API-Key``/``API-Sign`` headers."""

    __slots__ = ("_credentials", "_nonces")

    def __init__(self, credentials: Credentials, nonces: NonceSource | None = None) -> None:
        _decoded(credentials.secret)
        self._credentials = credentials
        self._nonces = nonces or NonceSource.for_key(credentials.api_key)

    def __repr__(self) -> str:
        return f"SpotSigner({self._credentials!r})"

    def sign(self, request: SignableRequest, now_ms: int) -> None:
        nonce = str(self._nonces.next())
        body = request.body or ""
        if body.startswith("{"):
            rest = body[1:].lstrip()
            body = f'{{"nonce":{nonce}' + ("}" if rest.startswith("}") else "," + rest)
        else:
            body = f"nonce={nonce}" + (f"&{body}" if body else "")
        request.body = body
        request.headers["API-Key"] = self._credentials.api_key
        request.headers["API-Sign"] = spot_signature(
            self._credentials.secret, request.path, nonce, body
        )


class FuturesSigner:
    """Adds ``APIKey``, ``Nonce`` and ``Authent`` over the query string or the form body."""

    __slots__ = ("_credentials", "_nonces")

    def __init__(self, credentials: Credentials, nonces: NonceSource | None = None) -> None:
        _decoded(credentials.secret)
        self._credentials = credentials
        self._nonces = nonces or NonceSource()

    def __repr__(self) -> str:
        return f"FuturesSigner({self._credentials!r})"

    @property
    def api_key(self) -> str:
        return self._credentials.api_key

    def challenge(self, challenge: str) -> str:
        return sign_challenge(self._credentials.secret, challenge)

    def sign(self, request: SignableRequest, now_ms: int) -> None:
        nonce = str(self._nonces.next())
        post_data = request.body if request.body is not None else request.query_string
        path = request.path
        if path.startswith(FUTURES_PREFIX):
            path = path[len(FUTURES_PREFIX) :]
        request.headers["APIKey"] = self._credentials.api_key
        request.headers["Nonce"] = nonce
        request.headers["Authent"] = futures_authent(
            self._credentials.secret, post_data, nonce, path
        )

"""OKX v5 signing: ``OK-ACCESS-KEY``/``-SIGN``/``-TIMESTAMP``/``-PASSPHRASE`` headers.

The prehash string is ``timestamp + METHOD + requestPath + body``: the timestamp in ISO 8601 UTC
with milliseconds (``2020-12-08T09:08:57.715Z``), the method upper case, the request path with its
query string for GET, and the raw JSON body for POST (nothing for GET). The signature is the
Base64 of its HMAC-SHA256 under the secret key. WebSocket login signs
``seconds + "GET" + "/users/self/verify"`` the same way, with the timestamp in epoch seconds.
"""

from __future__ import annotations

import time

from lotusx.core.transport.signing import Credentials, SignableRequest, hmac_sha256_base64

__all__ = [
    "OkxSigner",
    "iso_timestamp",
    "login_args",
    "prehash",
    "sign",
]

WS_LOGIN_PATH = "/users/self/verify"


def iso_timestamp(ms: int) -> str:
    """Epoch milliseconds → ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (UTC), with integer arithmetic only."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def prehash(timestamp: str, method: str, request_path: str, body: str | None) -> str:
    """What OKX signs: timestamp, upper-case method, path (with query), body."""
    return timestamp + method.upper() + request_path + (body or "")


def sign(secret: str, timestamp: str, method: str, request_path: str, body: str | None) -> str:
    return hmac_sha256_base64(secret, prehash(timestamp, method, request_path, body))


def login_args(credentials: Credentials, now_ms: int) -> dict[str, str]:
    """The ``args`` item of a WebSocket ``login`` op (timestamp in epoch seconds)."""
    timestamp = str(now_ms // 1000)
    return {
        "apiKey": credentials.api_key,
        "passphrase": credentials.passphrase or "",
        "timestamp": timestamp,
        "sign": sign(credentials.secret, timestamp, "GET", WS_LOGIN_PATH, None),
    }


class OkxSigner:
    """Signs a request in place with the exchange-clock time."""

    __slots__ = ("_credentials",)

    def __init__(self, credentials: Credentials) -> None:
        if not credentials.passphrase:
            raise ValueError("OKX API keys need their passphrase")
        self._credentials = credentials

    def __repr__(self) -> str:
        return f"OkxSigner({self._credentials!r})"

    def sign(self, request: SignableRequest, now_ms: int) -> None:
        timestamp = iso_timestamp(now_ms)
        body = None if request.method.upper() == "GET" else request.body
        headers = request.headers
        headers["OK-ACCESS-KEY"] = self._credentials.api_key
        headers["OK-ACCESS-SIGN"] = sign(
            self._credentials.secret, timestamp, request.method, request.path_with_query, body
        )
        headers["OK-ACCESS-TIMESTAMP"] = timestamp
        headers["OK-ACCESS-PASSPHRASE"] = self._credentials.passphrase or ""

"""Bybit v5 HMAC-SHA256 signing: ``X-BAPI-API-KEY``, ``-TIMESTAMP``, ``-RECV-WINDOW``, ``-SIGN``.

The signed text is ``timestamp + api_key + recv_window + payload`` where the payload is the
query string of a GET and the raw JSON body of a POST, byte for byte as sent; the signature is
its lower-case hex HMAC-SHA256 under the secret. The private WebSocket authenticates with the
hex HMAC of ``"GET/realtime" + expires`` (`ws_auth_args`).
"""

from __future__ import annotations

from lotusx.core.transport.signing import Credentials, SignableRequest, hmac_sha256_hex

__all__ = [
    "API_KEY_HEADER",
    "RECV_WINDOW_HEADER",
    "SIGN_HEADER",
    "TIMESTAMP_HEADER",
    "BybitSigner",
    "signature_payload",
    "ws_auth_args",
]

API_KEY_HEADER = "X-BAPI-API-KEY"
TIMESTAMP_HEADER = "X-BAPI-TIMESTAMP"
RECV_WINDOW_HEADER = "X-BAPI-RECV-WINDOW"
SIGN_HEADER = "X-BAPI-SIGN"
MAX_RECV_WINDOW = 60_000


def signature_payload(
    timestamp: int, api_key: str, recv_window: int, method: str, query: str, body: str | None
) -> str:
    """What Bybit signs: timestamp, key and window, then the query (GET) or the body (POST)."""
    rest = query if method == "GET" else (body or "")
    return f"{timestamp}{api_key}{recv_window}{rest}"


class BybitSigner:
    """Signs a request in place with the exchange-clock time and a receive window (ms)."""

    __slots__ = ("_credentials", "recv_window")

    def __init__(self, credentials: Credentials, recv_window: int = 5000) -> None:
        if not 0 < recv_window <= MAX_RECV_WINDOW:
            raise ValueError(f"recv_window must be in 1..{MAX_RECV_WINDOW} ms")
        self._credentials = credentials
        self.recv_window = recv_window

    def __repr__(self) -> str:
        return f"BybitSigner({self._credentials!r}, recv_window={self.recv_window})"

    def sign(self, request: SignableRequest, now_ms: int) -> None:
        key = self._credentials.api_key
        payload = signature_payload(
            now_ms, key, self.recv_window, request.method, request.query_string, request.body
        )
        request.headers[API_KEY_HEADER] = key
        request.headers[TIMESTAMP_HEADER] = str(now_ms)
        request.headers[RECV_WINDOW_HEADER] = str(self.recv_window)
        request.headers[SIGN_HEADER] = hmac_sha256_hex(self._credentials.secret, payload)

    def ws_auth_args(self, expires_ms: int) -> list[object]:
        return ws_auth_args(self._credentials, expires_ms)


def ws_auth_args(credentials: Credentials, expires_ms: int) -> list[object]:
    """``args`` of the private stream's ``auth`` op: key, expiry (ms) and signature."""
    signature = hmac_sha256_hex(credentials.secret, f"GET/realtime{expires_ms}")
    return [credentials.api_key, expires_ms, signature]

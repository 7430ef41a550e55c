"""Binance HMAC-SHA256 signing: ``X-MBX-APIKEY``, ``timestamp``, ``recvWindow``, ``signature``.

The signed payload is the query string followed directly (no ``&``) by the body; the signature
is the lower-case hex HMAC-SHA256 of it under the secret, sent as the last query parameter.
"""

from __future__ import annotations

from lotusx.core.transport.signing import Credentials, SignableRequest, hmac_sha256_hex

__all__ = ["API_KEY_HEADER", "BinanceSigner", "signature_payload"]

API_KEY_HEADER = "X-MBX-APIKEY"
MAX_RECV_WINDOW = 60_000


def signature_payload(query: str, body: str | None) -> str:
    """What Binance signs: the raw query string concatenated with the raw body."""
    return query + (body or "")


class BinanceSigner:
    """Signs a request in place with the exchange-clock time and a receive window (ms)."""

    __slots__ = ("_credentials", "recv_window")

    def __init__(self, credentials: Credentials, recv_window: int = 5000) -> None:
        if not 0 < recv_window <= MAX_RECV_WINDOW:
            raise ValueError(f"recv_window must be in 1..{MAX_RECV_WINDOW} ms")
        self._credentials = credentials
        self.recv_window = recv_window

    def __repr__(self) -> str:
        return f"BinanceSigner({self._credentials!r}, recv_window={self.recv_window})"

    @property
    def api_key_header(self) -> dict[str, str]:
        """The header alone, for USER_STREAM endpoints (listen keys) that take no signature."""
        return {API_KEY_HEADER: self._credentials.api_key}

    def sign(self, request: SignableRequest, now_ms: int) -> None:
        request.params.append(("recvWindow", str(self.recv_window)))
        request.params.append(("timestamp", str(now_ms)))
        payload = signature_payload(request.query_string, request.body)
        request.params.append(("signature", hmac_sha256_hex(self._credentials.secret, payload)))
        request.headers[API_KEY_HEADER] = self._credentials.api_key

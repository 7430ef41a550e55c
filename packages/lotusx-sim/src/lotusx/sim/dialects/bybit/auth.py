"""Bybit request authentication: X-BAPI-* headers, hex HMAC-SHA256 and the recv window."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from lotusx.sim.dialects.bybit.errors import BybitError

DEFAULT_RECV_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class Credential:
    secret: str
    account: str


def sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def authenticate(
    headers: Mapping[str, str],
    method: str,
    raw_query: str,
    raw_body: str,
    keys: Mapping[str, Credential],
    now: int,
) -> Credential:
    """Check a private request; `timestamp + api_key + recv_window + (query | body)` is signed."""
    key = headers.get("X-BAPI-API-KEY", "")
    stamp = headers.get("X-BAPI-TIMESTAMP", "")
    signature = headers.get("X-BAPI-SIGN", "")
    window_raw = headers.get("X-BAPI-RECV-WINDOW", "")
    if not key:
        raise BybitError(10003, "API key is invalid.")
    if not stamp.isdigit():
        raise BybitError(10002, "invalid request, please check your timestamp or recv_window param")
    if not signature:
        raise BybitError(10004, "error sign! missing X-BAPI-SIGN")
    window = int(window_raw) if window_raw.isdigit() else DEFAULT_RECV_WINDOW
    ts = int(stamp)
    if not (now - window <= ts < now + 1000):
        raise BybitError(
            10002,
            "invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{ts}],server_timestamp[{now}],recv_window[{window}]",
        )
    cred = keys.get(key)
    if cred is None:
        raise BybitError(10003, "API key is invalid.")
    origin = stamp + key + (window_raw or str(DEFAULT_RECV_WINDOW))
    origin += raw_query if method == "GET" else raw_body
    if not hmac.compare_digest(sign(cred.secret, origin), signature.lower()):
        raise BybitError(10004, f"error sign! origin_string[{origin}]")
    return cred


def ws_auth(
    args: list[object], keys: Mapping[str, Credential], now: int
) -> tuple[Credential | None, str]:
    """`["api_key", expires_ms, "signature"]`; signature = hex HMAC of `GET/realtime{expires}`."""
    if len(args) != 3:
        return None, "Params Error"
    key, expires, signature = str(args[0]), str(args[1]), str(args[2])
    if not expires.isdigit():
        return None, "Params Error"
    if int(expires) <= now:
        return None, "Params Error: request expired"
    cred = keys.get(key)
    if cred is None:
        return None, "Request not authorized"
    if not hmac.compare_digest(sign(cred.secret, "GET/realtime" + expires), signature.lower()):
        return None, "Request not authorized"
    return cred, ""

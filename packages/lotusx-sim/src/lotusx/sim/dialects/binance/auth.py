"""Binance request security: API key, HMAC-SHA256 signature and the recvWindow rule."""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from dataclasses import dataclass

from lotusx.sim.dialects.binance.errors import (
    BinanceError,
    bad_key_format,
    bad_signature,
    mandatory,
    rejected_key,
)
from lotusx.sim.dialects.binance.params import Params

KEY_RE = re.compile(r"^[A-Za-z0-9]{1,128}$")
MAX_RECV_WINDOW = 60000


class Security(enum.Enum):
    NONE = "NONE"
    API_KEY = "API_KEY"  # MARKET_DATA / USER_STREAM
    SIGNED = "SIGNED"  # TRADE / USER_DATA


@dataclass(frozen=True, slots=True)
class Credential:
    secret: str
    account: str


def sign(secret: str, payload: str) -> str:
    """hex(HMAC-SHA256(secret, payload)), the documented Binance signature."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def _strip_signature(raw: str) -> str:
    return "&".join(p for p in raw.split("&") if p and not p.startswith("signature="))


def signed_payload(raw_query: str, raw_body: str) -> str:
    """totalParams: query string + body (no separator between them), minus `signature`."""
    return _strip_signature(raw_query) + _strip_signature(raw_body)


def check_timestamp(params: Params, now: int) -> None:
    """Accept iff timestamp < serverTime + 1000 and serverTime − timestamp ≤ recvWindow."""
    ts = params.integer("timestamp")
    if ts is None:
        raise mandatory("timestamp")
    if ts > 10**14:  # microseconds
        ts //= 1000
    window = params.decimal("recvWindow") or 5000
    if window > MAX_RECV_WINDOW:
        raise BinanceError(-1131, "recvWindow must be less than 60000")
    if ts >= now + 1000:
        raise BinanceError(
            -1021, "Timestamp for this request was 1000ms ahead of the server's time."
        )
    if now - ts > window:
        raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")


def ws_payload(values: dict[str, str]) -> str:
    """WebSocket API payload: every param but `signature`, sorted by name, as `k=v&…` (UTF-8)."""
    return "&".join(f"{k}={v}" for k, v in sorted(values.items()) if k != "signature")


def ws_authenticate(params: Params, keys: dict[str, Credential], now: int) -> Credential:
    """A WebSocket API request signed with its own `apiKey` param, or the documented error."""
    api_key = params.opt("apiKey")
    if api_key is None:
        raise mandatory("apiKey")
    if not KEY_RE.match(api_key):
        raise bad_key_format()
    cred = keys.get(api_key)
    if cred is None:
        raise rejected_key()
    signature = params.opt("signature")
    check_timestamp(params, now)
    if signature is None:
        raise mandatory("signature")
    if not hmac.compare_digest(sign(cred.secret, ws_payload(params.values)), signature.lower()):
        raise bad_signature()
    return cred


def authenticate(
    security: Security,
    api_key: str | None,
    params: Params,
    raw_query: str,
    raw_body: str,
    keys: dict[str, Credential],
    now: int,
) -> str | None:
    """Return the account of a valid request, or raise the documented error."""
    if security is Security.NONE:
        return None
    if not api_key or not KEY_RE.match(api_key):
        raise bad_key_format()
    cred = keys.get(api_key)
    if cred is None:
        raise rejected_key()
    if security is Security.API_KEY:
        return cred.account
    signature = params.opt("signature")
    check_timestamp(params, now)
    if signature is None:
        raise mandatory("signature")
    expected = sign(cred.secret, signed_payload(raw_query, raw_body))
    if not hmac.compare_digest(expected, signature.lower()):
        raise bad_signature()
    return cred.account

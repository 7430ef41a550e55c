"""Binance WebSocket API order entry: spot ``/ws-api/v3`` and USDⓈ-M ``/ws-fapi/v1``.

A request is ``{"id", "method", "params"}``; a ``TRADE`` request carries ``apiKey``,
``timestamp``, ``recvWindow`` and ``signature`` in its params: the hex HMAC-SHA256 of every
other param, sorted by name, as ``name=value`` pairs joined by ``&`` (the docs' "SIGNED
request example (HMAC)"). HMAC keys cannot log a session on (``session.logon`` is for Ed25519
keys), so every request is signed and the login step is empty. The server pings (spot every
20 s, USDⓈ-M every 3 min); the client answers with pongs.

A reply is ``{"id", "status": 200, "result"}`` or ``{"id", "status": 4xx/5xx, "error": {"code",
"msg", "data"}}``, the ``error`` object being REST's error body: it goes through the venue's
REST error table. Each reply's ``rateLimits`` counts (shared with REST: request weight per IP,
orders per account) raise the REST limiter's.
"""

# ruff: noqa: N815  (wire structs keep Binance's field names, so they match its docs)

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

import msgspec

from lotusx.core.clock import Clock
from lotusx.core.errors import ExchangeError, IpBanned, RateLimitExceeded, RequestNotSent
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.transport.rest import Endpoint, format_param
from lotusx.core.transport.signing import Credentials, hmac_sha256_hex
from lotusx.core.transport.ws import Frame, Heartbeat, HeartbeatKind, WsConnection
from lotusx.core.transport.wsapi import WsApiClient

from .endpoints import Venue, quota_name
from .errors import BinanceErrorTable

__all__ = [
    "URL_KEY",
    "BinanceWsApi",
    "OrderSocket",
    "request_message",
    "signature_payload",
    "signed_params",
    "ws_costs",
]

T = TypeVar("T")

#: The URL key of each venue's WebSocket API.
URL_KEY: Mapping[Venue, str] = {Venue.SPOT: "spot_ws_api", Venue.FUTURES: "futures_ws_api"}
_PING_EVERY = {Venue.SPOT: 20.0, Venue.FUTURES: 180.0}
# LONG params go as JSON integers (the docs: "INT parameters ... as JSON integers").
_INTEGERS = frozenset({"orderId", "cancelOrderId", "recvWindow", "timestamp"})


class BinanceWsApi:
    """`WsApiProtocol` of the WebSocket API: no login (HMAC: each request is signed)."""

    def __init__(self, venue: Venue) -> None:
        self.heartbeat = Heartbeat(HeartbeatKind.SERVER_PING, _PING_EVERY[venue])

    async def on_connect(self, connection: WsConnection) -> None:
        """Nothing to do: ``session.logon`` takes Ed25519 keys only."""

    def reply_id(self, frame: Frame) -> str | None:
        try:
            head = _decode_head(frame)
        except msgspec.DecodeError as exc:
            raise ValueError(str(exc)) from exc
        return None if head.id is None else str(head.id)


class _Head(msgspec.Struct):
    id: str | int | None = None


class _RateLimitCount(msgspec.Struct):
    rateLimitType: str
    interval: str
    intervalNum: int
    count: int


class _Reply(msgspec.Struct):
    status: int
    result: msgspec.Raw = msgspec.Raw(b"")
    error: msgspec.Raw = msgspec.Raw(b"")
    rateLimits: list[_RateLimitCount] = []


class _BanData(msgspec.Struct):
    serverTime: int | None = None
    retryAfter: int | None = None


class _ErrorHead(msgspec.Struct):
    data: _BanData | None = None


_decode_head = msgspec.json.Decoder(_Head).decode
_decode_reply = msgspec.json.Decoder(_Reply).decode
_decode_error_head = msgspec.json.Decoder(_ErrorHead).decode


def ws_costs(endpoint: Endpoint) -> dict[str, int]:
    """A method's costs: its REST twin's request weight and order count (the docs give the
    same numbers; both APIs count into one quota), without spot's REST-only raw requests."""
    return {unit: cost for unit, cost in endpoint.costs.items() if unit != "raw"}


def signature_payload(params: Mapping[str, object]) -> str:
    """Every param but ``signature``, sorted by name, as ``name=value`` joined by ``&``."""
    return "&".join(
        f"{name}={format_param(params[name])}" for name in sorted(params) if name != "signature"
    )


def signed_params(
    params: Mapping[str, object],
    credentials: Credentials,
    timestamp_ms: int,
    recv_window: int,
) -> dict[str, object]:
    """``params`` (None values dropped) with ``apiKey``, ``recvWindow``, ``timestamp`` and the
    ``signature`` over them all, each value as it travels in JSON."""
    out: dict[str, object] = {}
    for name, value in params.items():
        if value is None:
            continue
        out[name] = int(str(value)) if name in _INTEGERS else format_param(value)
    out |= {"apiKey": credentials.api_key, "recvWindow": recv_window, "timestamp": timestamp_ms}
    out["signature"] = hmac_sha256_hex(credentials.secret, signature_payload(out))
    return out


def request_message(request_id: str, method: str, params: Mapping[str, object]) -> str:
    """The request frame."""
    return msgspec.json.encode({"id": request_id, "method": method, "params": params}).decode()


class OrderSocket:
    """One venue's WebSocket API connection: signed requests in, typed results or errors out."""

    def __init__(
        self,
        client: WsApiClient,
        credentials: Credentials,
        *,
        recv_window: int,
        clock: Clock,
        errors: BinanceErrorTable,
        limiter: RateLimiter,
    ) -> None:
        self.client = client
        self._credentials = credentials
        self._recv_window = recv_window
        self._clock = clock
        self._errors = errors
        self._limiter = limiter

    async def call(
        self, method: str, endpoint: Endpoint, params: Mapping[str, object], decode: type[T]
    ) -> T:
        """``method`` with ``params``, charged as ``endpoint`` (its REST twin) on the shared
        limiter, signed once the limiter let it go (the timestamp stays fresh).

        Raises `RequestNotSent` when the socket is down (checked first, so a fallback to REST
        is not charged twice), the venue's typed error for an error reply, and
        `RequestTimeout`/`NetworkError` when the reply was lost.
        """
        client = self.client
        if not client.ready:
            raise RequestNotSent(
                "order-entry socket is not connected", exchange=client.exchange, endpoint=method
            )
        await self._limiter.acquire(ws_costs(endpoint))
        sent_ms = self._limiter.now_ms()
        request_id = client.next_id()
        signed = signed_params(params, self._credentials, self._clock.now_ms(), self._recv_window)
        message = request_message(request_id, method, signed)
        frame = await client.request(method, request_id, message)
        return self.decode(frame, decode, endpoint.name, sent_ms)

    def decode(self, frame: Frame, decode: type[T], endpoint: str, sent_ms: int) -> T:
        """The ``result`` of a reply as ``decode``, or the error it reports, typed."""
        try:
            reply = _decode_reply(frame)
            for limit in reply.rateLimits:
                name = quota_name(limit.rateLimitType, limit.interval, limit.intervalNum)
                if name is not None:
                    self._limiter.observe(name, limit.count, sent_ms)
            if reply.status == 200 and reply.result:
                return msgspec.json.decode(reply.result, type=decode)
        except msgspec.ValidationError as exc:
            raise self._errors.unexpected(endpoint, f"malformed reply: {exc}") from exc
        except msgspec.DecodeError as exc:
            raise self._errors.unexpected(endpoint, f"invalid JSON: {exc}") from exc
        raise self._error(reply, endpoint)

    def _error(self, reply: _Reply, endpoint: str) -> ExchangeError:
        body = bytes(reply.error) or b"{}"
        error = self._errors.for_response(reply.status, body, endpoint, _retry_after(body))
        if isinstance(error, RateLimitExceeded):
            pause = error.retry_after if error.retry_after is not None else 1.0
            self._limiter.pause(max(pause, 120.0) if isinstance(error, IpBanned) else pause)
        return error


def _retry_after(error: bytes) -> str | None:
    """Seconds until ``data.retryAfter`` (a timestamp on 418/429 replies), as REST's header."""
    try:
        data = _decode_error_head(error).data
    except msgspec.DecodeError:
        return None
    if data is None or data.retryAfter is None or data.serverTime is None:
        return None
    return str(Decimal(max(0, data.retryAfter - data.serverTime)) / 1000)

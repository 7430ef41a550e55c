"""Bybit ``retCode`` → the LotusX hierarchy: one table for REST replies, trade-socket replies,
batch items and streams.

Bybit answers business errors with HTTP 200 and ``{"retCode": n, "retMsg": ...}``; only IP
throttling (403 "access too frequent"), system protection (429) and outages use HTTP status.
`Envelope` checks ``retCode`` while the body is decoded, inside the core transport, so errors
such as 10006 (rate limit) or 10016 (server error) reach the retry policy like HTTP errors do.
"""

# ruff: noqa: N815  (wire structs keep Bybit's field names, so they match its docs)

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from lotusx.core.errors import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidParameter,
    IpBanned,
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
    TimestampError,
)
from lotusx.core.transport.errors import ErrorTable
from lotusx.core.transport.rest import Endpoint

__all__ = [
    "CODES",
    "EXCHANGE",
    "POST_ONLY_REJECT",
    "BybitErrorTable",
    "Envelope",
    "check_reply",
    "error_table",
    "parse_error",
]

EXCHANGE = "bybit"

# The order's ``rejectReason`` when a post-only order would have taken liquidity (Bybit accepts
# the request, then cancels the order).
POST_ONLY_REJECT = "EC_PostOnlyWillTakeLiquidity"

_INVALID = InvalidParameter
CODES: Mapping[str, type[ExchangeError]] = {
    # request form, authentication, permission, throttling (error page, 10xxx)
    "10001": _INVALID,
    "10002": TimestampError,
    "10003": AuthenticationError,
    "10004": AuthenticationError,
    "10005": PermissionDenied,
    "10006": RateLimitExceeded,
    "10007": AuthenticationError,
    "10008": PermissionDenied,
    "10009": IpBanned,
    "10010": PermissionDenied,
    "10014": BadRequest,
    "10016": ExchangeUnavailable,
    "10017": BadRequest,
    "10018": RateLimitExceeded,
    "10027": PermissionDenied,
    "10028": PermissionDenied,
    "10029": BadSymbol,
    "100028": PermissionDenied,
    # trade WebSocket (its guideline page); its business errors are the REST codes
    "10019": ExchangeUnavailable,  # service restarting: the request was not taken
    "10403": RateLimitExceeded,  # IP limit of the trade socket
    "10404": BadRequest,  # unknown op, or category not supported
    "10429": RateLimitExceeded,  # system-level frequency protection
    "20006": BadRequest,  # reqId duplicated
    # derivatives orders and positions (110xxx)
    "110001": OrderNotFound,
    "110003": _INVALID,
    "110004": InsufficientFunds,
    "110006": InsufficientFunds,
    "110007": InsufficientFunds,
    "110008": OrderRejected,  # finished or canceled
    "110010": OrderRejected,  # already canceled
    "110012": InsufficientFunds,
    "110013": _INVALID,
    "110014": InsufficientFunds,
    "110016": _INVALID,
    "110017": ReduceOnlyRejected,
    "110019": _INVALID,
    "110020": OrderRejected,
    "110021": OrderRejected,
    "110022": _INVALID,
    "110030": OrderRejected,  # duplicate order id
    "110032": OrderRejected,
    "110036": _INVALID,
    "110040": OrderRejected,
    "110043": BadRequest,  # leverage not modified (treated as success by set_leverage)
    "110044": InsufficientFunds,
    "110045": InsufficientFunds,
    "110063": _INVALID,
    "130000": _INVALID,
    # spot (170xxx)
    "170121": BadSymbol,
    "170131": InsufficientFunds,
    "170213": OrderNotFound,
    "170218": PostOnlyWouldTake,
}


class BybitErrorTable(ErrorTable):
    """`ErrorTable` with Bybit's HTTP-level rules: a 403 is the IP limit, not a permission."""

    def for_response(
        self, status: int, body: bytes, endpoint: str, retry_after: str | None = None
    ) -> ExchangeError:
        if status == 403:
            # "access too frequent": the IP is blocked for at least 10 minutes.
            return IpBanned(
                body[:200].decode("utf-8", "replace") or "access too frequent",
                exchange=self.exchange,
                endpoint=endpoint,
                http_status=status,
                raw=body,
                retry_after=600.0,
            )
        return super().for_response(status, body, endpoint, retry_after)


class _ErrorBody(msgspec.Struct):
    retCode: int
    retMsg: str = ""


_decode_error = msgspec.json.Decoder(_ErrorBody).decode


def parse_error(body: bytes) -> tuple[str | None, str] | None:
    """``(retCode, retMsg)`` of a Bybit error body."""
    error = _decode_error(body)
    return str(error.retCode), error.retMsg


def error_table() -> BybitErrorTable:
    return BybitErrorTable(EXCHANGE, CODES, parse_error)


TABLE = error_table()


class Envelope(msgspec.Struct):
    """``{"retCode","retMsg","result","retExtInfo","time"}``; `check_reply` raises the mapped
    `ExchangeError` for a non-zero ``retCode``."""

    retCode: int
    retMsg: str = ""
    result: msgspec.Raw = msgspec.Raw(b"null")
    retExtInfo: msgspec.Raw = msgspec.Raw(b"null")
    time: int = 0


def check_reply(reply: object, endpoint: Endpoint, raw: bytes) -> None:
    """The `RestClient` reply check: Bybit reports failures as HTTP 200 with a ``retCode``."""
    if isinstance(reply, Envelope) and reply.retCode != 0:
        raise TABLE.build(str(reply.retCode), reply.retMsg, endpoint.name, http_status=200, raw=raw)

"""Binance error codes → the LotusX hierarchy: one table, and the few message rules in one place.

Spot and USDⓈ-M share most codes; Binance reuses -2021/-2022 with different meanings (spot:
cancel-replace failures, futures: would-trigger / reduce-only), so `error_table` takes the venue
and overrides just those. Spot -2010 carries the engine's reason only in its message
(`_by_message`). A spot cancel-replace failure reports the inner response that failed.
"""

# ruff: noqa: N815  (wire structs keep Binance's field names, so they match its docs)

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
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
    TimestampError,
)
from lotusx.core.transport.errors import ErrorTable

from .endpoints import Venue

__all__ = ["CODES", "BinanceErrorTable", "error_table", "parse_error"]

EXCHANGE = "binance"

_INVALID = InvalidParameter
CODES: Mapping[str, type[ExchangeError]] = {
    # availability: the outcome of the request is unknown
    "-1000": ExchangeUnavailable,
    "-1001": ExchangeUnavailable,
    "-1006": ExchangeUnavailable,
    "-1007": ExchangeUnavailable,
    "-1008": ExchangeUnavailable,
    "-1016": ExchangeUnavailable,
    # authentication, permission, throttling
    "-1002": PermissionDenied,
    "-1003": RateLimitExceeded,
    "-1015": RateLimitExceeded,
    "-1021": TimestampError,
    "-5028": TimestampError,
    "-1022": AuthenticationError,
    "-2014": AuthenticationError,
    "-2015": AuthenticationError,
    # request form
    "-1013": _INVALID,  # spot filter failures
    "-1014": _INVALID,
    "-1020": BadRequest,
    "-1023": _INVALID,
    **{f"-{n}": _INVALID for n in range(1100, 1107)},
    "-1111": _INVALID,
    "-1112": BadRequest,
    **{f"-{n}": _INVALID for n in range(1114, 1121)},
    "-1121": BadSymbol,
    "-1122": _INVALID,
    "-1125": BadRequest,  # listen key unknown or expired
    "-1127": _INVALID,
    "-1128": _INVALID,
    "-1130": _INVALID,
    "-1131": _INVALID,
    "-1134": _INVALID,
    "-1135": _INVALID,
    "-1136": _INVALID,
    "-1145": _INVALID,
    "-2016": BadRequest,
    # orders
    "-2010": OrderRejected,  # refined by message below
    "-2011": OrderNotFound,
    "-2012": OrderRejected,
    "-2013": OrderNotFound,
    "-2026": OrderNotFound,
    "-2018": InsufficientFunds,
    "-2019": InsufficientFunds,
    "-2020": OrderRejected,
    "-2023": OrderRejected,
    "-2024": ReduceOnlyRejected,
    "-2025": OrderRejected,
    "-2027": OrderRejected,
    "-2028": InsufficientFunds,
    **{f"-{n}": _INVALID for n in range(4000, 4025)},
    "-4028": _INVALID,
    "-4046": BadRequest,
    "-4047": BadRequest,
    "-4048": BadRequest,
    "-4059": BadRequest,
    "-4060": _INVALID,
    "-4061": _INVALID,
    "-4062": ReduceOnlyRejected,
    "-4082": _INVALID,
    "-4083": OrderRejected,
    "-4116": OrderRejected,
    "-4118": ReduceOnlyRejected,
    "-4131": OrderRejected,
    "-4164": _INVALID,
    "-4400": OrderRejected,
    "-5021": OrderRejected,  # FOK could not fill
    "-5022": PostOnlyWouldTake,
    "-5025": _INVALID,
    "-5027": _INVALID,
}
_VENUE_CODES: Mapping[Venue, Mapping[str, type[ExchangeError]]] = {
    Venue.SPOT: {"-2021": OrderRejected, "-2022": OrderRejected},  # cancel-replace
    Venue.FUTURES: {"-2021": OrderRejected, "-2022": ReduceOnlyRejected},
}

# Spot engine reasons under -2010 (new order rejected); matched case-insensitively.
_MESSAGES: tuple[tuple[str, str, type[ExchangeError]], ...] = (
    ("-2010", "insufficient balance", InsufficientFunds),
    ("-2010", "would immediately match and take", PostOnlyWouldTake),
)


def _by_message(code: str | None, message: str) -> type[ExchangeError] | None:
    """The one place that reads Binance's free-text messages."""
    text = message.lower()
    for match_code, fragment, cls in _MESSAGES:
        if code == match_code and fragment in text:
            return cls
    return None


class _Inner(msgspec.Struct):
    code: int | None = None
    msg: str = ""


class _ReplaceData(msgspec.Struct):
    cancelResult: str = ""
    newOrderResult: str = ""
    cancelResponse: _Inner | None = None
    newOrderResponse: _Inner | None = None


class _ErrorBody(msgspec.Struct):
    code: int
    msg: str = ""
    data: _ReplaceData | None = None


_decode_error = msgspec.json.Decoder(_ErrorBody).decode


def parse_error(body: bytes) -> tuple[str | None, str] | None:
    """``(code, msg)`` of a Binance error body; for cancel-replace, of the part that failed."""
    error = _decode_error(body)
    data = error.data
    if data is not None:
        if data.cancelResult == "FAILURE" and data.cancelResponse is not None:
            inner = data.cancelResponse
            return _inner_code(inner), f"cancel-replace: cancel failed: {inner.msg}"
        if data.newOrderResult == "FAILURE" and data.newOrderResponse is not None:
            inner = data.newOrderResponse
            return (
                _inner_code(inner),
                f"cancel-replace: the original order was canceled; new order failed: {inner.msg}",
            )
    return str(error.code), error.msg


def _inner_code(inner: _Inner) -> str | None:
    return None if inner.code is None else str(inner.code)


class BinanceErrorTable(ErrorTable):
    """`ErrorTable` plus Binance's message-only distinctions (spot -2010)."""

    def build(
        self,
        code: str | None,
        message: str,
        endpoint: str,
        *,
        http_status: int | None = None,
        raw: bytes | str | None = None,
        retry_after: float | None = None,
    ) -> ExchangeError:
        special = _by_message(code, message)
        if special is not None and http_status not in (418, 429):
            return special(
                message,
                exchange=self.exchange,
                endpoint=endpoint,
                http_status=http_status,
                code=code,
                raw=raw,
            )
        return super().build(
            code, message, endpoint, http_status=http_status, raw=raw, retry_after=retry_after
        )


def error_table(venue: Venue) -> BinanceErrorTable:
    """The table for one venue: shared codes plus that venue's meaning of reused codes."""
    return BinanceErrorTable(EXCHANGE, {**CODES, **_VENUE_CODES[venue]}, parse_error)

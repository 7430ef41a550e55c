"""OKX v5 error codes → the LotusX hierarchy: one table for every path an error can take.

OKX wraps every REST reply in ``{"code", "msg", "data"}``. ``code == "0"`` is success; anything
else is an error even under HTTP 200. Operations on orders carry the real reason per item
(``data[i].sCode``/``sMsg``): a single operation that failed says ``code "1"`` at the top and the
reason in its item, a batch says ``"1"`` (all failed) or ``"2"`` (some failed). `envelope_error`
reads the item's code when there is one, so a failed single placement raises the same class as
that item would in a batch (`item_error`). HTTP 4xx/5xx bodies have the same shape
(`parse_error`). Unknown codes fall back on the HTTP status.
"""

# ruff: noqa: N815  (wire structs keep OKX's field names, so they match its docs)

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

__all__ = [
    "CODES",
    "EXCHANGE",
    "ItemStatusWire",
    "OkxErrorTable",
    "envelope_error",
    "error_table",
    "item_error",
    "parse_error",
]

EXCHANGE = "okx"

_INVALID = InvalidParameter
CODES: Mapping[str, type[ExchangeError]] = {
    # availability: the outcome of the request is unknown
    "50001": ExchangeUnavailable,  # service temporarily unavailable
    "50004": ExchangeUnavailable,  # endpoint request timeout
    "50005": ExchangeUnavailable,  # API offline or unavailable
    "50013": ExchangeUnavailable,  # systems are busy
    "50026": ExchangeUnavailable,  # system error
    # throttling
    "50011": RateLimitExceeded,
    "50040": RateLimitExceeded,  # too frequent operations
    "50061": RateLimitExceeded,  # sub-account order rate limit
    "51513": RateLimitExceeded,  # too many amend requests for one order
    # authentication and permission
    "50101": AuthenticationError,  # key does not match the environment (demo vs live)
    "50102": TimestampError,  # timestamp request expired
    "50103": AuthenticationError,
    "50104": AuthenticationError,
    "50105": AuthenticationError,  # passphrase incorrect
    "50106": AuthenticationError,
    "50107": AuthenticationError,
    "50111": AuthenticationError,  # invalid OK-ACCESS-KEY
    "50112": TimestampError,  # invalid OK-ACCESS-TIMESTAMP
    "50113": AuthenticationError,  # invalid signature
    "50114": AuthenticationError,
    "50007": PermissionDenied,  # account blocked
    "50009": PermissionDenied,
    "50012": PermissionDenied,
    "50027": PermissionDenied,
    "50030": PermissionDenied,  # no permission for this endpoint
    "50100": PermissionDenied,  # API frozen
    "50110": PermissionDenied,  # IP not whitelisted
    "51024": PermissionDenied,  # trading account frozen
    # request form
    "50000": BadRequest,
    "50002": BadRequest,
    "50006": BadRequest,
    "50014": _INVALID,
    "50015": _INVALID,
    "50016": _INVALID,
    "50024": _INVALID,
    "50115": BadRequest,
    "51000": _INVALID,
    "51001": BadSymbol,
    "51002": BadSymbol,
    "51012": BadSymbol,
    "51014": BadSymbol,
    "51015": BadSymbol,
    "51026": BadSymbol,
    "51006": _INVALID,  # price out of limit
    "51020": _INVALID,
    "51100": _INVALID,
    "51120": _INVALID,
    "51121": _INVALID,  # not a multiple of the lot size
    "51124": _INVALID,
    "51136": _INVALID,
    "51137": _INVALID,
    "51138": _INVALID,
    "51500": _INVALID,  # amend: give a new price or size
    "59102": _INVALID,  # leverage above the maximum
    "58210": _INVALID,
    "58212": _INVALID,
    # orders
    "51004": OrderRejected,  # above the tier's position limit
    "51009": OrderRejected,
    "51010": OrderRejected,
    "51011": OrderRejected,  # duplicated order id
    "51016": OrderRejected,  # duplicated client order id
    "51143": OrderRejected,
    "51403": OrderRejected,
    "51404": OrderRejected,
    "51410": OrderRejected,
    "51506": OrderRejected,
    "51512": OrderRejected,
    "51008": InsufficientFunds,
    "51119": InsufficientFunds,
    "51127": InsufficientFunds,
    "51131": InsufficientFunds,
    "58350": InsufficientFunds,
    "51169": ReduceOnlyRejected,  # nothing to reduce in this direction
    "51170": ReduceOnlyRejected,
    "51511": PostOnlyWouldTake,
    "51400": OrderNotFound,  # cancel: filled, canceled or does not exist
    "51401": OrderNotFound,
    "51402": OrderNotFound,
    "51405": OrderNotFound,
    "51503": OrderNotFound,  # amend: filled, canceled or does not exist
    "51509": OrderNotFound,
    "51510": OrderNotFound,
    "51600": OrderNotFound,
    "51603": OrderNotFound,  # order does not exist
    # funding account
    "58004": PermissionDenied,
    "58207": PermissionDenied,  # withdrawal address not whitelisted
}


class ItemStatusWire(msgspec.Struct):
    """The status every order-operation item carries (``"0"``: that item succeeded)."""

    sCode: str = "0"
    sMsg: str = ""
    ordId: str = ""
    clOrdId: str = ""


class _ErrorBody(msgspec.Struct):
    code: str | int
    msg: str = ""
    data: list[ItemStatusWire] | None = None


_decode_error = msgspec.json.Decoder(_ErrorBody).decode
_decode_items = msgspec.json.Decoder(list[ItemStatusWire]).decode


def _failed_item(items: list[ItemStatusWire] | None) -> ItemStatusWire | None:
    for item in items or ():
        if item.sCode not in ("", "0"):
            return item
    return None


def _reason(code: str, msg: str, items: list[ItemStatusWire] | None) -> tuple[str, str]:
    """The code and message to report: a single failed item's own, else the top level's."""
    item = _failed_item(items)
    if item is not None and code == "1" and len(items or ()) == 1:
        return item.sCode, item.sMsg or msg
    return code, msg


def parse_error(body: bytes) -> tuple[str | None, str] | None:
    """``(code, msg)`` of an OKX error body (HTTP 4xx/5xx), item reason first."""
    error = _decode_error(body)
    code, msg = _reason(str(error.code), error.msg, error.data)
    return code, msg


# Reasons some venues give only in text, whatever the code; matched case-insensitively.
_MESSAGES: tuple[tuple[str, type[ExchangeError]], ...] = (
    ("post-only order would take liquidity", PostOnlyWouldTake),
    ("post only order would take liquidity", PostOnlyWouldTake),
)


def _by_message(message: str) -> type[ExchangeError] | None:
    """The one place that reads OKX's free-text messages."""
    text = message.lower()
    return next((cls for fragment, cls in _MESSAGES if fragment in text), None)


class OkxErrorTable(ErrorTable):
    """`ErrorTable` plus the message-only distinction (a refused post-only order)."""

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
        special = _by_message(message) if code not in CODES else None
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


def error_table() -> OkxErrorTable:
    return OkxErrorTable(EXCHANGE, CODES, parse_error)


def envelope_error(
    table: ErrorTable,
    code: str,
    msg: str,
    data: bytes,
    endpoint: str,
    *,
    raw: bytes | None = None,
) -> ExchangeError:
    """The exception for an HTTP-200 envelope whose ``code`` is not ``"0"``."""
    items: list[ItemStatusWire] | None = None
    if data:
        try:
            items = _decode_items(data)
        except (msgspec.ValidationError, msgspec.DecodeError):
            items = None
    native, message = _reason(code, msg, items)
    return table.build(native, message or f"error {native}", endpoint, http_status=200, raw=raw)


def item_error(
    table: ErrorTable, item: ItemStatusWire, endpoint: str, raw: bytes | None = None
) -> ExchangeError:
    """The exception for one failed item of a batch (``sCode != "0"``)."""
    return table.build(item.sCode, item.sMsg or f"error {item.sCode}", endpoint, raw=raw)

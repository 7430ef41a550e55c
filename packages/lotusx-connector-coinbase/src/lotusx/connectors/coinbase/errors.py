"""Coinbase error strings → the LotusX hierarchy: one table for HTTP errors and in-body failures.

Coinbase answers a refused request with an HTTP error status and a body
``{"error": "INVALID_ARGUMENT", "message": ..., "error_details": ...}`` (gRPC-style names), a
bare ``Unauthorized`` for a bad JWT, and 429 over the rate limit. Order calls also fail with
HTTP 200: ``POST /orders`` says ``"success": false`` with an ``error_response`` naming a
``*_FAILURE_REASON``, ``/orders/batch_cancel`` gives each order a ``failure_reason``, and
``/orders/edit`` an ``edit_failure_reason``/``preview_failure_reason``. All of them are keys
of `CODES`. ``NOT_FOUND`` on an order call is `OrderNotFound`.
"""

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
    TimestampError,
)
from lotusx.core.transport.errors import ErrorTable

__all__ = [
    "CODES",
    "EXCHANGE",
    "ClientOrderIdReused",
    "CoinbaseErrorTable",
    "error_table",
    "parse_error",
]

EXCHANGE = "coinbase"

_INVALID = InvalidParameter
CODES: Mapping[str, type[ExchangeError]] = {
    # HTTP error bodies (gRPC status names)
    "UNAUTHENTICATED": AuthenticationError,
    "unauthorized": AuthenticationError,
    "PERMISSION_DENIED": PermissionDenied,
    "INVALID_ARGUMENT": _INVALID,
    "FAILED_PRECONDITION": BadRequest,
    "NOT_FOUND": BadRequest,  # OrderNotFound on order calls (`CoinbaseErrorTable.build`)
    "ALREADY_EXISTS": OrderRejected,
    "RESOURCE_EXHAUSTED": RateLimitExceeded,
    "rate_limit_exceeded": RateLimitExceeded,
    "INTERNAL": ExchangeUnavailable,
    "UNAVAILABLE": ExchangeUnavailable,
    "DEADLINE_EXCEEDED": ExchangeUnavailable,
    "UNKNOWN": ExchangeUnavailable,
    "EXPIRED_TOKEN": TimestampError,
    # POST /orders: error_response.error / new_order_failure_reason
    "UNKNOWN_FAILURE_REASON": OrderRejected,
    "UNSUPPORTED_ORDER_CONFIGURATION": _INVALID,
    "INVALID_SIDE": _INVALID,
    "INVALID_PRODUCT_ID": BadSymbol,
    "INVALID_SIZE_PRECISION": _INVALID,
    "INVALID_PRICE_PRECISION": _INVALID,
    "INSUFFICIENT_FUND": InsufficientFunds,
    "INVALID_LEDGER_BALANCE": InsufficientFunds,
    "ORDER_ENTRY_DISABLED": OrderRejected,
    "INELIGIBLE_PAIR": BadSymbol,
    "INVALID_LIMIT_PRICE_POST_ONLY": PostOnlyWouldTake,
    "INVALID_LIMIT_PRICE": _INVALID,
    "INVALID_NO_LIQUIDITY": OrderRejected,
    "INVALID_REQUEST": _INVALID,
    "COMMANDER_REJECTED_NEW_ORDER": OrderRejected,
    "INSUFFICIENT_FUNDS": InsufficientFunds,
    "IN_LIQUIDATION": OrderRejected,
    "INVALID_MARGIN_TYPE": _INVALID,
    "INVALID_LEVERAGE": _INVALID,
    "UNTRADABLE_PRODUCT": BadSymbol,
    "INVALID_FCM_TRADING_SESSION": OrderRejected,
    "GEOFENCING_RESTRICTION": PermissionDenied,
    "FOK_DISABLED": OrderRejected,
    "POST_ONLY_NOT_ALLOWED_WITH_FOK": _INVALID,
    # POST /orders: error_response.preview_failure_reason
    "UNKNOWN_PREVIEW_FAILURE_REASON": OrderRejected,
    "PREVIEW_MISSING_COMMISSION_RATE": OrderRejected,
    "PREVIEW_INVALID_SIDE": _INVALID,
    "PREVIEW_INVALID_ORDER_CONFIG": _INVALID,
    "PREVIEW_INVALID_PRODUCT_ID": BadSymbol,
    "PREVIEW_INVALID_SIZE_PRECISION": _INVALID,
    "PREVIEW_INVALID_PRICE_PRECISION": _INVALID,
    "PREVIEW_INVALID_LEDGER_BALANCE": InsufficientFunds,
    "PREVIEW_INSUFFICIENT_LEDGER_BALANCE": InsufficientFunds,
    "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY": PostOnlyWouldTake,
    "PREVIEW_INVALID_LIMIT_PRICE": _INVALID,
    "PREVIEW_INVALID_NO_LIQUIDITY": OrderRejected,
    "PREVIEW_INSUFFICIENT_FUND": InsufficientFunds,
    "PREVIEW_INVALID_STOP_PRICE": _INVALID,
    "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE": _INVALID,
    "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL": _INVALID,
    "PREVIEW_INVALID_QUOTE_SIZE_PRECISION": _INVALID,
    "PREVIEW_INVALID_QUOTE_SIZE_TOO_LARGE": _INVALID,
    "PREVIEW_INVALID_PRICE_TOO_LARGE": _INVALID,
    "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL": _INVALID,
    "PREVIEW_BREACHED_PRICE_LIMIT": OrderRejected,
    # POST /orders/batch_cancel: results[].failure_reason
    "UNKNOWN_CANCEL_FAILURE_REASON": OrderRejected,
    "INVALID_CANCEL_REQUEST": _INVALID,
    "UNKNOWN_CANCEL_ORDER": OrderNotFound,
    "COMMANDER_REJECTED_CANCEL_ORDER": OrderRejected,
    "DUPLICATE_CANCEL_REQUEST": OrderRejected,
    "INVALID_CANCEL_PRODUCT_ID": BadSymbol,
    "INVALID_CANCEL_FCM_TRADING_SESSION": OrderRejected,
    "NOT_ALLOWED_TO_CANCEL": OrderRejected,
    "ORDER_IS_FULLY_FILLED": OrderRejected,
    "ORDER_IS_BEING_REPLACED": OrderRejected,
    # POST /orders/edit: errors[].edit_failure_reason
    "UNKNOWN_EDIT_ORDER_FAILURE_REASON": OrderRejected,
    "COMMANDER_REJECTED_EDIT_ORDER": OrderRejected,
    "CANNOT_EDIT_TO_BELOW_FILLED_SIZE": _INVALID,
    "ORDER_NOT_FOUND": OrderNotFound,
    "CALLER_ID_MISMATCH": PermissionDenied,
    "ONLY_LIMIT_ORDER_EDITS_SUPPORTED": _INVALID,
    "INVALID_EDITED_SIZE": _INVALID,
    "INVALID_EDITED_PRICE": _INVALID,
    "INVALID_ORIGINAL_SIZE": _INVALID,
    "INVALID_ORIGINAL_PRICE": _INVALID,
    "EDIT_REQUEST_EQUAL_TO_ORIGINAL_REQUEST": _INVALID,
    "ONLY_OPEN_ORDERS_CAN_BE_EDITED": OrderRejected,
    "SIZE_IN_QUOTE_EDITS_NOT_ALLOWED": _INVALID,
    "ORDER_IS_ALREADY_BEING_REPLACED": OrderRejected,
    "CANNOT_EDIT_ORDER_PENDING_CANCEL": OrderRejected,
    "EXCEEDED_MAX_ALLOWED_EDIT_REQUEST_COUNT": OrderRejected,
    "PORTFOLIO_NOT_ALLOWED_FOR_EDITS": PermissionDenied,
    "CANNOT_CHANGE_SIDE_OF_ORDER": _INVALID,
    "CANNOT_CHANGE_PRODUCT_ID_OF_ORDER": _INVALID,
}


class ClientOrderIdReused(OrderRejected):
    """``POST /orders`` named an order that already held the ``client_order_id`` and differs
    from the request (product, side, size or price): nothing was placed. Coinbase: "If the ID
    provided is not unique, the order will not be created and the order corresponding with that
    ID will be returned instead"."""


# Reasons that only say "see the other field": the more specific one is reported instead.
UNSPECIFIC = frozenset(
    {
        "",
        "UNKNOWN_FAILURE_REASON",
        "UNKNOWN_PREVIEW_FAILURE_REASON",
        "UNKNOWN_EDIT_ORDER_FAILURE_REASON",
        "UNKNOWN_CANCEL_FAILURE_REASON",
    }
)


def pick_reason(*reasons: str | None) -> str:
    """The first specific reason among ``reasons``, else the first given, else ``""``."""
    given = [r for r in reasons if r]
    return next((r for r in given if r not in UNSPECIFIC), given[0] if given else "")


class _ErrorItem(msgspec.Struct):
    id: str = ""
    message: str = ""


class _ErrorBody(msgspec.Struct):
    error: str = ""
    message: str = ""
    error_details: str = ""
    errors: list[_ErrorItem] = msgspec.field(default_factory=list)  # Coinbase App style


_decode_error = msgspec.json.Decoder(_ErrorBody).decode


def parse_error(body: bytes) -> tuple[str | None, str] | None:
    """``(error, message)`` of a Coinbase error body; None for a body without either."""
    stripped = body.strip()
    if not stripped.startswith(b"{"):
        text = stripped[:200].decode("utf-8", "replace")
        return ("unauthorized", text) if text.lower().startswith("unauthorized") else None
    parsed = _decode_error(stripped)
    if not parsed.error and parsed.errors:
        return parsed.errors[0].id or None, parsed.errors[0].message
    message = parsed.message or parsed.error_details
    if parsed.error_details and parsed.error_details != message:
        message = f"{message} ({parsed.error_details})"
    if not parsed.error and not message:
        return None
    return parsed.error or None, message


class CoinbaseErrorTable(ErrorTable):
    """`ErrorTable` with one endpoint rule: ``NOT_FOUND`` from an order call is `OrderNotFound`."""

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
        if code == "NOT_FOUND" and endpoint.startswith("orders."):
            return OrderNotFound(
                message or "order not found",
                exchange=self.exchange,
                endpoint=endpoint,
                http_status=http_status,
                code=code,
                raw=raw,
            )
        return super().build(
            code, message, endpoint, http_status=http_status, raw=raw, retry_after=retry_after
        )


def error_table() -> CoinbaseErrorTable:
    return CoinbaseErrorTable(EXCHANGE, CODES, parse_error)


TABLE = error_table()

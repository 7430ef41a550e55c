"""One table maps Coinbase's error strings, naming exchange, call, code and message."""

from __future__ import annotations

import pytest

from lotusx.connectors.coinbase.errors import CODES, error_table, parse_error, pick_reason
from lotusx.core.errors import (
    AuthenticationError,
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
)

TABLE = error_table()


def test_http_error_body() -> None:
    body = b'{"error":"INVALID_ARGUMENT","error_details":"limit must be positive","message":"bad"}'
    error = TABLE.for_response(400, body, "products")
    assert isinstance(error, InvalidParameter)
    assert error.exchange == "coinbase" and error.endpoint == "products"
    assert error.code == "INVALID_ARGUMENT" and error.http_status == 400
    assert "limit must be positive" in str(error) and "bad" in str(error)


def test_unauthorized_plain_text() -> None:
    error = TABLE.for_response(401, b"Unauthorized\n", "accounts")
    assert isinstance(error, AuthenticationError) and error.code == "unauthorized"


def test_rate_limit_keeps_retry_after() -> None:
    error = TABLE.for_response(429, b'{"error":"RESOURCE_EXHAUSTED","message":"slow"}', "x", "2")
    assert isinstance(error, RateLimitExceeded) and error.retry_after == 2.0
    bare = TABLE.for_response(429, b"Too Many Requests", "x", None)
    assert isinstance(bare, RateLimitExceeded) and bare.retry_after is None


def test_not_found_is_order_not_found_on_order_calls_only() -> None:
    body = b'{"error":"NOT_FOUND","message":"order with this orderID was not found"}'
    assert isinstance(TABLE.for_response(404, body, "orders.get"), OrderNotFound)
    other = TABLE.for_response(404, body, "products")
    assert not isinstance(other, OrderNotFound) and other.code == "NOT_FOUND"


def test_server_errors_and_unknown_codes() -> None:
    assert isinstance(TABLE.for_response(503, b"", "time"), ExchangeUnavailable)
    odd = TABLE.for_response(403, b'{"error":"SOMETHING_NEW","message":"m"}', "accounts")
    assert isinstance(odd, PermissionDenied) and odd.code == "SOMETHING_NEW"
    assert parse_error(b"<html>") is None


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("INSUFFICIENT_FUND", InsufficientFunds),
        ("PREVIEW_INSUFFICIENT_FUND", InsufficientFunds),
        ("INVALID_LIMIT_PRICE_POST_ONLY", PostOnlyWouldTake),
        ("PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY", PostOnlyWouldTake),
        ("INVALID_PRODUCT_ID", BadSymbol),
        ("UNKNOWN_CANCEL_ORDER", OrderNotFound),
        ("ORDER_NOT_FOUND", OrderNotFound),
        ("CANNOT_EDIT_TO_BELOW_FILLED_SIZE", InvalidParameter),
        # create / edit / cancel reasons of the documented enums
        ("UNTRADABLE_PRODUCT", BadSymbol),
        ("GEOFENCING_RESTRICTION", PermissionDenied),
        ("FOK_DISABLED", OrderRejected),
        ("POST_ONLY_NOT_ALLOWED_WITH_FOK", InvalidParameter),
        ("INVALID_LEVERAGE", InvalidParameter),
        ("INVALID_MARGIN_TYPE", InvalidParameter),
        ("ORDER_IS_ALREADY_BEING_REPLACED", OrderRejected),
        ("CANNOT_EDIT_ORDER_PENDING_CANCEL", OrderRejected),
        ("EXCEEDED_MAX_ALLOWED_EDIT_REQUEST_COUNT", OrderRejected),
        ("ORDER_IS_FULLY_FILLED", OrderRejected),
    ],
)
def test_in_body_failures(code: str, cls: type[ExchangeError]) -> None:
    error = TABLE.build(code, "refused", "orders.create", http_status=200)
    assert type(error) is cls
    assert error.code == code and error.exchange == "coinbase" and "refused" in str(error)


def test_every_mapped_class_is_an_exchange_error() -> None:
    assert all(issubclass(cls, ExchangeError) for cls in CODES.values())
    # names the documented enums do not have
    assert not {"ORDER_IS_FILLED", "ORDER_IS_ALREADY_BEING_EDITED"} & set(CODES)


def test_pick_reason_prefers_the_specific_one() -> None:
    assert pick_reason("", "UNKNOWN_FAILURE_REASON", "INSUFFICIENT_FUND") == "INSUFFICIENT_FUND"
    assert pick_reason("UNKNOWN_FAILURE_REASON") == "UNKNOWN_FAILURE_REASON"
    assert pick_reason(None, "") == ""

"""Binance error bodies → the LotusX hierarchy (one table, venue-specific reused codes)."""

from __future__ import annotations

import pytest

from lotusx.connectors.binance.endpoints import Venue
from lotusx.connectors.binance.errors import error_table
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
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
    TimestampError,
)


def _body(code: int, msg: str) -> bytes:
    return f'{{"code":{code},"msg":"{msg}"}}'.encode()


@pytest.mark.parametrize(
    ("venue", "status", "code", "msg", "expected"),
    [
        (
            Venue.SPOT,
            400,
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
            TimestampError,
        ),
        (Venue.SPOT, 400, -1022, "Signature for this request is not valid.", AuthenticationError),
        (Venue.SPOT, 401, -2014, "API-key format invalid.", AuthenticationError),
        (
            Venue.SPOT,
            401,
            -2015,
            "Invalid API-key, IP, or permissions for action.",
            AuthenticationError,
        ),
        (Venue.SPOT, 400, -1121, "Invalid symbol.", BadSymbol),
        (Venue.SPOT, 400, -1013, "Filter failure: LOT_SIZE", InvalidParameter),
        (Venue.SPOT, 400, -1111, "Parameter 'price' has too much precision.", InvalidParameter),
        (Venue.SPOT, 400, -1100, "Illegal characters found in parameter 'x'.", InvalidParameter),
        (
            Venue.SPOT,
            400,
            -2010,
            "Account has insufficient balance for requested action.",
            InsufficientFunds,
        ),
        (Venue.SPOT, 400, -2010, "Order would immediately match and take.", PostOnlyWouldTake),
        (Venue.SPOT, 400, -2010, "Duplicate order sent.", OrderRejected),
        (Venue.SPOT, 400, -2011, "Unknown order sent.", OrderNotFound),
        (Venue.SPOT, 400, -2013, "Order does not exist.", OrderNotFound),
        (Venue.SPOT, 429, -1003, "Too much request weight used", RateLimitExceeded),
        (Venue.SPOT, 418, -1003, "Way too much request weight used; IP banned", IpBanned),
        (Venue.SPOT, 429, -1015, "Too many new orders", RateLimitExceeded),
        (Venue.SPOT, 503, -1001, "Internal error", ExchangeUnavailable),
        (Venue.SPOT, 400, -1125, "This listenKey does not exist.", BadRequest),
        (Venue.FUTURES, 400, -2019, "Margin is insufficient.", InsufficientFunds),
        (Venue.FUTURES, 400, -2018, "Balance is insufficient.", InsufficientFunds),
        (Venue.FUTURES, 400, -2022, "ReduceOnly Order is rejected.", ReduceOnlyRejected),
        (
            Venue.FUTURES,
            400,
            -5022,
            "Due to the order could not be executed as maker",
            PostOnlyWouldTake,
        ),
        (
            Venue.FUTURES,
            400,
            -4164,
            "Order's notional must be no smaller than 5.0",
            InvalidParameter,
        ),
        (
            Venue.FUTURES,
            400,
            -5028,
            "Timestamp for this request is outside of the ME recvWindow.",
            TimestampError,
        ),
        (Venue.FUTURES, 400, -2013, "Order does not exist.", OrderNotFound),
        (Venue.SPOT, 400, -2022, "Order cancel-replace failed.", OrderRejected),
    ],
)
def test_code_mapping(
    venue: Venue, status: int, code: int, msg: str, expected: type[ExchangeError]
) -> None:
    error = error_table(venue).for_response(status, _body(code, msg), "ep")
    assert type(error) is expected
    assert error.code == str(code)
    assert error.http_status == status
    assert error.exchange == "binance"


def test_spot_reduce_only_code_is_not_the_futures_meaning() -> None:
    error = error_table(Venue.SPOT).for_response(
        400, _body(-2022, "Order cancel-replace failed."), "ep"
    )
    assert not isinstance(error, ReduceOnlyRejected)


def test_cancel_replace_reports_the_failed_part() -> None:
    body = (
        b'{"code":-2022,"msg":"Order cancel-replace failed.","data":{"cancelResult":"FAILURE",'
        b'"newOrderResult":"NOT_ATTEMPTED",'
        b'"cancelResponse":{"code":-2011,"msg":"Unknown order sent."},'
        b'"newOrderResponse":null}}'
    )
    error = error_table(Venue.SPOT).for_response(400, body, "spot.order.cancelReplace")
    assert isinstance(error, OrderNotFound)
    assert error.code == "-2011"
    partial = (
        b'{"code":-2021,"msg":"Order cancel-replace partially failed.",'
        b'"data":{"cancelResult":"SUCCESS",'
        b'"newOrderResult":"FAILURE","cancelResponse":{"symbol":"BTCUSDT","orderId":1},'
        b'"newOrderResponse":{"code":-2010,"msg":"Order would immediately match and take."}}}'
    )
    error = error_table(Venue.SPOT).for_response(409, partial, "spot.order.cancelReplace")
    assert isinstance(error, PostOnlyWouldTake)
    assert "original order was canceled" in str(error)


def test_retry_after_and_unreadable_bodies() -> None:
    error = error_table(Venue.SPOT).for_response(429, _body(-1003, "x"), "ep", retry_after="7")
    assert isinstance(error, RateLimitExceeded)
    assert error.retry_after == 7.0
    html = error_table(Venue.FUTURES).for_response(502, b"<html>bad gateway</html>", "ep")
    assert isinstance(html, ExchangeUnavailable)
    unknown = error_table(Venue.FUTURES).for_response(400, _body(-9999, "new"), "ep")
    assert type(unknown) is BadRequest

"""The one error table: spot strings, futures strings, futures order statuses."""

from __future__ import annotations

import pytest

from lotusx.connectors.kraken.errors import (
    InvalidNonce,
    check_futures,
    check_spot,
    error_table,
    lookup_code,
    order_status_error,
    parse_error,
)
from lotusx.core.errors import (
    AuthenticationError,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidParameter,
    OrderNotFound,
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
)
from lotusx.core.transport.rest import Endpoint

SPOT = Endpoint("spot.AddOrder", "POST", "spot_rest", "/0/private/AddOrder", True)
FUT = Endpoint("futures.sendorder", "POST", "futures_rest", "/derivatives/api/v3/sendorder", True)


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("EAPI:Invalid key", AuthenticationError),
        ("EAPI:Invalid nonce", InvalidNonce),
        ("EOrder:Insufficient funds", InsufficientFunds),
        ("EQuery:Unknown asset pair", BadSymbol),
        ("EGeneral:Invalid arguments:volume", InvalidParameter),
        ("EService: Throttled: 1618426260", RateLimitExceeded),
        ("EService:Unavailable", ExchangeUnavailable),
        ("EOrder:Unknown order", OrderNotFound),
        ("EOrder:Post only order", PostOnlyWouldTake),
        ("apiLimitExceeded", RateLimitExceeded),
        ("nonceBelowThreshold", InvalidNonce),
        ("invalidArgument: size", InvalidParameter),
        ("postWouldExecute", PostOnlyWouldTake),
        ("wouldNotReducePosition", ReduceOnlyRejected),
        ("insufficientAvailableFunds", InsufficientFunds),
    ],
)
def test_lookup(code: str, cls: type[ExchangeError]) -> None:
    assert lookup_code(code) is cls


def test_spot_reply_with_error_raises_naming_exchange_call_and_code() -> None:
    raw = b'{"error":["EOrder:Insufficient funds"],"result":{}}'
    with pytest.raises(InsufficientFunds) as info:
        check_spot(None, SPOT, raw)
    err = info.value
    assert err.exchange == "kraken"
    assert err.endpoint == "spot.AddOrder"
    assert err.code == "EOrder:Insufficient funds"
    assert "EOrder:Insufficient funds" in str(err)


def test_spot_warnings_are_not_errors() -> None:
    check_spot(None, SPOT, b'{"error":["WGeneral:Something"],"result":{"count":1}}')


def test_futures_reply_errors() -> None:
    with pytest.raises(RateLimitExceeded):
        check_futures(None, FUT, b'{"result":"error","error":"apiLimitExceeded"}')
    with pytest.raises(AuthenticationError):
        check_futures(
            None, FUT, b'{"result":"error","errors":[{"code":1,"message":"authenticationError"}]}'
        )
    check_futures(None, FUT, b'{"result":"success","serverTime":"2020-01-01T00:00:00.000Z"}')


def test_unknown_codes_fall_back_on_http_status() -> None:
    table = error_table()
    assert type(table.build("EWeird:Thing", "x", "e", http_status=503)) is ExchangeUnavailable
    assert type(table.build("EWeird:Thing", "x", "e", http_status=200)) is ExchangeError


def test_parse_error_bodies() -> None:
    assert parse_error(b'{"error":["EAPI:Invalid key"]}') == (
        "EAPI:Invalid key",
        "EAPI:Invalid key",
    )
    assert parse_error(b'{"result":"error","error":"authenticationError"}') == (
        "authenticationError",
        "authenticationError",
    )
    assert parse_error(b"<html>") is None


def test_order_status_error() -> None:
    err = order_status_error("postWouldExecute", "futures.sendorder")
    assert isinstance(err, PostOnlyWouldTake)
    assert err.code == "postWouldExecute"


def test_codes_with_varying_details_do_not_grow_the_table() -> None:
    table = error_table()
    for n in range(3000):
        err = table.build(f"EService: Throttled: {1618426260 + n}", "x", "spot.Balance")
        assert isinstance(err, RateLimitExceeded)
        assert err.code == f"EService: Throttled: {1618426260 + n}"
    assert len(table.codes) <= 1024

"""One error table: envelope retCodes, HTTP-level errors, and per-item batch results."""

from __future__ import annotations

import msgspec
import pytest

from lotusx.connectors.bybit import BybitConnector
from lotusx.connectors.bybit import endpoints as ep
from lotusx.connectors.bybit.errors import Envelope, check_reply, error_table
from lotusx.connectors.bybit.wire import BatchItemWire
from lotusx.core.errors import (
    AuthenticationError,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidParameter,
    IpBanned,
    OrderNotFound,
    PermissionDenied,
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
    TimestampError,
)

decode = msgspec.json.Decoder(Envelope).decode


def check(raw: bytes) -> Envelope:
    """Decode a reply and run the connector's reply check on it, as `RestClient` does."""
    envelope = decode(raw)
    check_reply(envelope, ep.ORDER_CREATE, raw)
    return envelope


def _failing(code: int, msg: str = "msg") -> bytes:
    return (
        f'{{"retCode":{code},"retMsg":"{msg}","result":{{}},"retExtInfo":{{}},"time":1}}'
    ).encode()


def test_success_envelope_keeps_result_raw() -> None:
    env = decode(
        b'{"retCode":0,"retMsg":"OK","result":{"a":1},"retExtInfo":{},"time":1671017382656}'
    )
    assert bytes(env.result) == b'{"a":1}' and env.time == 1671017382656


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (10001, InvalidParameter),
        (10002, TimestampError),
        (10003, AuthenticationError),
        (10004, AuthenticationError),
        (10005, PermissionDenied),
        (10006, RateLimitExceeded),
        (10010, PermissionDenied),
        (10016, ExchangeUnavailable),
        (10029, BadSymbol),
        (110001, OrderNotFound),
        (110004, InsufficientFunds),
        (110007, InsufficientFunds),
        (110017, ReduceOnlyRejected),
        (170121, BadSymbol),
        (170131, InsufficientFunds),
        (170213, OrderNotFound),
        (170218, PostOnlyWouldTake),
    ],
)
def test_ret_codes_raise_through_the_reply_check(code: int, cls: type[ExchangeError]) -> None:
    with pytest.raises(cls) as info:
        check(_failing(code, "boom"))
    error = info.value
    assert type(error) is cls
    assert (error.code, error.exchange_message, error.endpoint) == (
        str(code),
        "boom",
        "order.create",
    )
    assert error.exchange == "bybit" and error.http_status == 200
    assert error.raw is not None and str(code) in error.raw


def test_unknown_code_is_a_plain_exchange_error() -> None:
    with pytest.raises(ExchangeError) as info:
        check(_failing(999999))
    assert type(info.value) is ExchangeError


def test_http_level_errors() -> None:
    table = error_table()
    banned = table.for_response(403, b"access too frequent", "market.tickers")
    assert isinstance(banned, IpBanned) and banned.retry_after == 600.0
    assert isinstance(table.for_response(429, b"", "x"), RateLimitExceeded)
    assert isinstance(table.for_response(503, b"", "x"), ExchangeUnavailable)
    parsed = table.for_response(400, _failing(10004, "Error sign"), "x")
    assert isinstance(parsed, AuthenticationError) and parsed.code == "10004"


def test_batch_items_map_through_the_same_table() -> None:
    ex = BybitConnector()
    envelope = decode(
        b'{"retCode":0,"retMsg":"OK","result":{"list":['
        b'{"category":"linear","symbol":"BTCUSDT","orderId":"a1","orderLinkId":"c1","createAt":"1"},'
        b'{"category":"linear","symbol":"BTCUSDT","orderId":"","orderLinkId":"c2","createAt":""},'
        b'{"category":"linear","symbol":"BTCUSDT","orderId":"","orderLinkId":"c3","createAt":""}]},'
        b'"retExtInfo":{"list":[{"code":0,"msg":"OK"},{"code":110007,"msg":"ab not enough"},'
        b'{"code":170218,"msg":"post only"}]},"time":1}'
    )
    answers = ex._batch_answers(ep.ORDER_CREATE_BATCH, envelope, 3)
    assert isinstance(answers[0], BatchItemWire) and answers[0].orderId == "a1"
    assert isinstance(answers[1], InsufficientFunds) and answers[1].code == "110007"
    assert isinstance(answers[2], PostOnlyWouldTake)
    assert answers[1].endpoint == "order.create-batch"
    with pytest.raises(ExchangeError, match="3 items for 2"):
        ex._batch_answers(ep.ORDER_CREATE_BATCH, envelope, 2)

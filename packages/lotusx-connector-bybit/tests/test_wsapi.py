"""The trade-socket dialect against Bybit's documented examples (websocket/trade/guideline)."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.bybit import BybitConnector
from lotusx.connectors.bybit import endpoints as ep
from lotusx.connectors.bybit.wsapi import (
    TradeProtocol,
    decode_reply,
    reply_error,
    request_message,
    to_envelope,
)
from lotusx.core.errors import (
    AuthenticationError,
    BadRequest,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidParameter,
    OrderNotFound,
    RateLimitExceeded,
)
from lotusx.core.transport.signing import Credentials

# The guideline's order.create request and response examples ("Referer" left out: no broker).
CREATE_REQUEST = {
    "reqId": "test-005",
    "header": {"X-BAPI-TIMESTAMP": "1711001595207", "X-BAPI-RECV-WINDOW": "8000"},
    "op": "order.create",
    "args": [
        {
            "symbol": "ETHUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "0.2",
            "price": "2800",
            "category": "linear",
            "timeInForce": "PostOnly",
        }
    ],
}
CREATE_REPLY = b"""{
    "reqId": "test-005", "retCode": 0, "retMsg": "OK", "op": "order.create",
    "data": {"orderId": "a4c1718e-fe53-4659-a118-1f6ecce04ad9", "orderLinkId": ""},
    "retExtInfo": {},
    "header": {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "9",
               "X-Bapi-Limit-Reset-Timestamp": "1711001595208",
               "Traceid": "38b7977b430f9bd228f4b19724794dfd", "Timenow": "1711001595209"},
    "connId": "cnt5leec0hvan15eukcg-2v"
}"""
# The guideline's order.create-batch response example: every item refused.
BATCH_REPLY = b"""{
    "retCode": 0, "retMsg": "OK", "op": "order.create-batch",
    "data": {"list": [
        {"category": "linear", "symbol": "SOLUSDT", "orderId": "", "orderLinkId": "batch-000",
         "createAt": ""},
        {"category": "linear", "symbol": "SOLUSDT", "orderId": "", "orderLinkId": "batch-001",
         "createAt": ""}]},
    "retExtInfo": {"list": [
        {"code": 10001, "msg": "position idx not match position mode"},
        {"code": 10001, "msg": "position idx not match position mode"}]},
    "header": {"Timenow": "1740453408556", "X-Bapi-Limit": "150", "X-Bapi-Limit-Status": "147",
               "X-Bapi-Limit-Reset-Timestamp": "1740453408555",
               "Traceid": "0e32b551b3e17aae77651aadf6a5be80"},
    "connId": "cupviqn88smf24t2kpb0-536o"
}"""
PONG = b'{"retCode":0,"retMsg":"OK","op":"pong","data":["1711002002529"],"connId":"c-2v"}'


def test_request_matches_the_documented_example() -> None:
    params = {
        "symbol": "ETHUSDT",
        "side": "Buy",
        "orderType": "Limit",
        "qty": Decimal("0.2"),
        "price": Decimal("2.8E+3"),  # sent in plain form, as REST does
        "category": "linear",
        "timeInForce": "PostOnly",
        "orderLinkId": None,  # absent values are left out, as REST does
    }
    sent = request_message("order.create", "test-005", params, 1711001595207, 8000)
    assert json.loads(sent) == CREATE_REQUEST


def test_reply_becomes_the_rest_envelope_with_timenow_as_its_time() -> None:
    reply = decode_reply(CREATE_REPLY, "order.create")
    envelope = to_envelope(reply)
    assert envelope.retCode == 0 and envelope.time == 1711001595209
    ack = msgspec.json.decode(envelope.result)
    assert ack == {"orderId": "a4c1718e-fe53-4659-a118-1f6ecce04ad9", "orderLinkId": ""}
    assert reply.header["X-Bapi-Limit-Status"] == "9"


def test_batch_reply_items_map_through_the_rest_batch_decoder() -> None:
    connector = BybitConnector()
    envelope = to_envelope(decode_reply(BATCH_REPLY, "order.create-batch"))
    answers = connector._batch_answers(ep.ORDER_CREATE_BATCH, envelope, 2)
    assert all(isinstance(a, InvalidParameter) and a.code == "10001" for a in answers)


def test_reply_id_reads_req_id_and_ignores_pongs() -> None:
    protocol = TradeProtocol(Credentials("k", "s"), lambda: 0)
    assert protocol.reply_id(CREATE_REPLY) == "test-005"
    assert protocol.reply_id(PONG) is None
    with pytest.raises(ValueError):
        protocol.reply_id(b"not json")


def test_request_ids_are_unique_per_connector_and_within_36_characters() -> None:
    a = TradeProtocol(Credentials("k", "s"), lambda: 0)
    b = TradeProtocol(Credentials("k", "s"), lambda: 0)
    assert a.request_id("1") != b.request_id("1")
    assert a.request_id("1") != a.request_id("2")
    assert len(a.request_id("9" * 40)) <= 36


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (110007, InsufficientFunds),
        (110001, OrderNotFound),
        (10006, RateLimitExceeded),
        (10429, RateLimitExceeded),
        (10403, RateLimitExceeded),
        (10404, BadRequest),
        (20006, BadRequest),
        (10016, ExchangeUnavailable),
        (10019, ExchangeUnavailable),
        (10003, AuthenticationError),
    ],
)
def test_reply_codes_map_to_the_rest_exceptions(code: int, kind: type[ExchangeError]) -> None:
    frame = msgspec.json.encode({"reqId": "1", "retCode": code, "retMsg": "x", "op": "o"})
    error = reply_error(decode_reply(frame, "order.create"), "order.create", frame)
    assert type(error) is kind and error.code == str(code)


def test_malformed_reply_is_an_exchange_error() -> None:
    with pytest.raises(ExchangeError, match="malformed trade reply"):
        decode_reply(b'{"reqId": "1"}', "order.create")


class _Connection:
    def __init__(self, replies: list[bytes]) -> None:
        self.sent: list[str] = []
        self.replies = replies

    async def send(self, message: str) -> None:
        self.sent.append(message)

    async def receive(self, timeout: float) -> bytes:
        return self.replies.pop(0)


async def test_auth_is_the_private_stream_signature_and_waits_for_its_reply() -> None:
    protocol = TradeProtocol(Credentials("XXXXXX", "secret"), lambda: 1711010111452)
    connection = _Connection([PONG, b'{"retCode":0,"retMsg":"OK","op":"auth","connId":"c"}'])
    await protocol.on_connect(connection)
    sent = json.loads(connection.sent[0])
    expires = 1711010121452  # now + 10 s, as the private stream asks
    signature = hmac.new(b"secret", f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    assert sent == {"op": "auth", "args": ["XXXXXX", expires, signature]}
    assert connection.replies == []


async def test_refused_auth_raises_authentication_error() -> None:
    protocol = TradeProtocol(Credentials("k", "s"), lambda: 0)
    refused = b'{"retCode":10004,"retMsg":"invalid sign","op":"auth","connId":"c"}'
    with pytest.raises(AuthenticationError, match="invalid sign"):
        await protocol.on_connect(_Connection([refused]))

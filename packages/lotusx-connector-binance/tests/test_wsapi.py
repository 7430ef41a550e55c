"""WebSocket API requests and replies, against the examples of Binance's WebSocket API docs."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.binance import endpoints as ep
from lotusx.connectors.binance import wire as w
from lotusx.connectors.binance.endpoints import DEFAULT_QUOTAS, Venue
from lotusx.connectors.binance.errors import error_table
from lotusx.connectors.binance.wsapi import (
    BinanceWsApi,
    OrderSocket,
    request_message,
    signature_payload,
    signed_params,
    ws_costs,
)
from lotusx.core.clock import Clock
from lotusx.core.errors import (
    BadRequest,
    InsufficientFunds,
    OrderNotFound,
    PostOnlyWouldTake,
    RateLimitExceeded,
)
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.transport.signing import Credentials, hmac_sha256_hex
from lotusx.core.transport.wsapi import WsApiClient

# The docs' example key pair ("SIGNED request example (HMAC)").
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
CREDS = Credentials(API_KEY, SECRET)


def test_signed_params_match_the_documented_hmac_example() -> None:
    params = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": Decimal("0.01000000"),
        "price": Decimal("52000.00"),
        "newOrderRespType": "ACK",
        "stopPrice": None,  # absent params are not signed
    }
    signed = signed_params(params, CREDS, 1645423376532, 100)
    assert signature_payload(signed) == (
        f"apiKey={API_KEY}&newOrderRespType=ACK&price=52000.00&quantity=0.01000000"
        "&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532"
        "&type=LIMIT"
    )
    assert signed["signature"] == (
        "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a"
    )
    # decimals as JSON strings, INT params as JSON integers
    assert (signed["price"], signed["recvWindow"], signed["timestamp"]) == (
        "52000.00",
        100,
        1645423376532,
    )
    frame = msgspec.json.decode(request_message("7", "order.place", signed))
    assert frame == {"id": "7", "method": "order.place", "params": signed}


@pytest.mark.parametrize(
    ("params", "signature"),
    [
        (  # "Place new order" example
            {
                "symbol": "BTCUSDT",
                "side": "SELL",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "price": "23416.10000000",
                "quantity": "0.00847000",
                "apiKey": API_KEY,
                "timestamp": 1660801715431,
            },
            "15af09e41c36f3cc61378c2fbe2c33719a03dd5eba8d0f9206fbda44de717c88",
        ),
        (  # "Cancel order" example
            {
                "symbol": "BTCUSDT",
                "origClientOrderId": "4d96324ff9d44481926157",
                "apiKey": API_KEY,
                "timestamp": 1660801715830,
            },
            "33d5b721f278ae17a52f004a82a6f68a70c68e7dd6776ed0be77a455ab855282",
        ),
    ],
)
def test_signature_payload_of_the_documented_method_examples(
    params: dict[str, object], signature: str
) -> None:
    assert hmac_sha256_hex(SECRET, signature_payload(params)) == signature


def test_order_ids_travel_as_json_integers() -> None:
    signed = signed_params({"symbol": "BTCUSDT", "orderId": "12510053279"}, CREDS, 1, 5000)
    assert signed["orderId"] == 12510053279


def test_reply_id_reads_string_and_integer_ids() -> None:
    proto = BinanceWsApi(Venue.SPOT)
    assert proto.reply_id(b'{"id":"e2a85d9f","status":200,"result":{}}') == "e2a85d9f"
    assert proto.reply_id(b'{"id":12,"status":200,"result":{}}') == "12"
    assert proto.reply_id(b'{"id":null,"status":400,"error":{"code":-1135}}') is None
    with pytest.raises(ValueError):
        proto.reply_id(b"not json")
    assert proto.heartbeat.interval == 20.0  # the server pings every 20 s
    assert BinanceWsApi(Venue.FUTURES).heartbeat.interval == 180.0


def test_ws_costs_are_the_rest_twins_without_raw_requests() -> None:
    assert ws_costs(ep.SPOT_ORDER) == {"weight": 1, "orders": 1}
    assert ws_costs(ep.SPOT_AMEND_KEEP_PRIORITY) == {"weight": 4}
    assert ws_costs(ep.FUT_ORDER) == {"weight": 0, "orders": 1}


def _socket(venue: Venue = Venue.SPOT) -> OrderSocket:
    limiter = RateLimiter("binance", list(DEFAULT_QUOTAS[venue]))
    client = WsApiClient("binance", "ws://127.0.0.1:1", BinanceWsApi(venue), limiter=limiter)
    return OrderSocket(
        client,
        CREDS,
        recv_window=5000,
        clock=Clock("binance"),
        errors=error_table(venue),
        limiter=limiter,
    )


# The docs' "Place new order" success reply (RESULT shape), trimmed.
_PLACED = (
    b'{"id":"e2a8","status":200,"result":{"symbol":"BTCUSDT","orderId":12510053279,'
    b'"orderListId":-1,"clientOrderId":"a097fe6304b20a7e4fc436","transactTime":1655716096505,'
    b'"price":"0.10000000","origQty":"10.00000000","executedQty":"0.00000000",'
    b'"cummulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT",'
    b'"side":"BUY","workingTime":1655716096505},"rateLimits":['
    b'{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":12},'
    b'{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000,"count":4043},'
    b'{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,'
    b'"count":321}]}'
)


def test_a_result_decodes_like_rest_and_its_rate_limit_counts_reach_the_limiter() -> None:
    socket = _socket()
    wire = socket.decode(_PLACED, w.SpotOrderWire, "spot.order.new", socket._limiter.now_ms())
    assert (wire.orderId, wire.status, wire.origQty) == (12510053279, "NEW", Decimal(10))
    limiter = socket._limiter
    assert (limiter.used("orders_10s"), limiter.used("orders_1d"), limiter.used("weight_1m")) == (
        12,
        4043,
        321,
    )


def test_error_replies_map_through_the_rest_error_table() -> None:
    socket = _socket()
    now = socket._limiter.now_ms()
    insufficient = (
        b'{"id":"1","status":400,"error":{"code":-2010,'
        b'"msg":"Account has insufficient balance for requested action."}}'
    )
    with pytest.raises(InsufficientFunds) as funds:
        socket.decode(insufficient, w.SpotOrderWire, "spot.order.new", now)
    assert (funds.value.code, funds.value.http_status) == ("-2010", 400)
    # cancelReplace partly failed (409): the error is the part that failed
    partial = (
        b'{"id":"2","status":409,"error":{"code":-2021,"msg":"Order cancel-replace partially '
        b'failed.","data":{"cancelResult":"SUCCESS","newOrderResult":"FAILURE",'
        b'"newOrderResponse":{"code":-2010,"msg":"Order would immediately match and take."}}}}'
    )
    with pytest.raises(PostOnlyWouldTake, match="original order was canceled"):
        socket.decode(partial, w.CancelReplaceWire, "spot.order.cancelReplace", now)
    gone = b'{"id":"3","status":400,"error":{"code":-2011,"msg":"Unknown order sent."}}'
    with pytest.raises(OrderNotFound):
        socket.decode(gone, w.SpotOrderWire, "spot.order.cancel", now)
    unknown = b'{"id":"4","status":400,"error":{"code":-9999,"msg":"?"}}'
    with pytest.raises(BadRequest):  # a code not in the table: by status
        socket.decode(unknown, w.SpotOrderWire, "spot.order.new", now)


def test_a_429_reply_pauses_the_shared_limiter_until_retry_after() -> None:
    socket = _socket()
    limiter = socket._limiter
    throttled = (
        b'{"id":"4","status":429,"error":{"code":-1003,"msg":"Too much request weight used.",'
        b'"data":{"serverTime":1659142907531,"retryAfter":1659142910531}}}'
    )
    with pytest.raises(RateLimitExceeded) as exc:
        socket.decode(throttled, w.SpotOrderWire, "spot.order.new", limiter.now_ms())
    assert exc.value.retry_after == 3.0
    assert limiter._paused_until >= limiter.now_ms() + 2900

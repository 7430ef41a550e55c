"""Orders built from Kraken's order-action answers (documented bodies), no read-back."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.kraken import wire as w
from lotusx.core.errors import ExchangeError
from lotusx.core.types import (
    AmendRequest,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

SPOT = Symbol("BTC", "USD")
PERP = Symbol("BTC", "USD", "USD")
NOW = 1_700_000_000_123

REQUEST = OrderRequest(
    SPOT,
    Side.BUY,
    OrderType.LIMIT,
    Decimal("1.25"),
    Decimal("27500.0"),
    TimeInForce.IOC,
    "c-1",
)


def test_add_order_answer_is_the_request_accepted() -> None:
    raw = (
        b'{"error":[],"result":{"descr":{"order":"buy 1.25000000 XBTUSD @ limit 27500.0"},'
        b'"txid":["OU22CG-KLAF2-FWUDD7"]}}'
    )
    ack = w.decode_result(raw, w.AddOrderWire)
    order = w.spot_accepted(ack, REQUEST, NOW)
    assert order.order_id == "OU22CG-KLAF2-FWUDD7"
    assert order.client_order_id == "c-1"
    # The answer tells nothing of matching: an IOC order is ACCEPTED, not EXPIRED or FILLED.
    assert order.status is OrderStatus.ACCEPTED
    assert (order.quantity, order.price, order.time_in_force) == (
        Decimal("1.25"),
        Decimal("27500.0"),
        TimeInForce.IOC,
    )
    assert order.filled_quantity == 0 and order.average_price is None
    assert order.created_at == order.updated_at == NOW


@pytest.mark.parametrize("txids", [b"[]", b'[""]', b'["OA-1","OB-2"]'])
def test_add_order_answer_without_one_txid_is_a_typed_error(txids: bytes) -> None:
    ack = w.decode_result(b'{"error":[],"result":{"txid":' + txids + b"}}", w.AddOrderWire)
    with pytest.raises(ExchangeError, match="txid"):
        w.spot_accepted(ack, REQUEST, NOW)


def test_add_order_batch_items() -> None:
    raw = (
        b'{"error":[],"result":{"orders":[{"txid":"65LRD3-AHGRA-YAH8V5","descr":{"order":'
        b'"buy 1.02010000 XBTUSD @ limit 29000.0"}},{"error":"EOrder:Insufficient funds"},'
        b'{"descr":{"order":"x"}}]}}'
    )
    answer = w.decode_result(raw, w.AddOrderBatchWire)
    first, refused, empty = answer.orders
    order = w.spot_batch_accepted(first, REQUEST, NOW)
    assert (order.order_id, order.status) == ("65LRD3-AHGRA-YAH8V5", OrderStatus.ACCEPTED)
    assert refused.error == "EOrder:Insufficient funds" and refused.order_id is None
    with pytest.raises(ExchangeError, match="without a txid"):
        w.spot_batch_accepted(empty, REQUEST, NOW)


def _known() -> Order:
    return w.spot_accepted(
        w.AddOrderWire(txid=["OU22CG-KLAF2-FWUDD7"]),
        msgspec.structs.replace(REQUEST, time_in_force=TimeInForce.GTC),
        NOW - 5_000,
    )


def test_amend_order_answer_amends_the_known_order_in_place() -> None:
    ack = w.decode_result(b'{"error":[],"result":{"amend_id":"TTW6PD-RC36L-ZZSWNU"}}', w.AmendWire)
    request = AmendRequest(SPOT, order_id="OU22CG-KLAF2-FWUDD7", price=Decimal("27400.0"))
    amended = w.spot_amended(ack, _known(), request, NOW)
    assert amended.order_id == "OU22CG-KLAF2-FWUDD7"  # AmendOrder keeps the txid
    assert (amended.price, amended.quantity) == (Decimal("27400.0"), Decimal("1.25"))
    assert (amended.created_at, amended.updated_at) == (NOW - 5_000, NOW)
    with pytest.raises(ExchangeError, match="amend_id"):
        w.spot_amended(w.AmendWire(amend_id=""), _known(), request, NOW)


def test_cancel_order_answer() -> None:
    ack = w.decode_result(b'{"error":[],"result":{"count":1}}', w.CancelWire)
    canceled = w.spot_canceled(ack, _known(), NOW)
    assert (canceled.status, canceled.updated_at) == (OrderStatus.CANCELED, NOW)
    assert canceled.created_at == NOW - 5_000
    pending = w.decode_result(b'{"error":[],"result":{"count":0,"pending":true}}', w.CancelWire)
    assert w.spot_cancel_took(pending)
    nothing = w.decode_result(b'{"error":[],"result":{"count":0}}', w.CancelWire)
    assert not w.spot_cancel_took(nothing)
    with pytest.raises(ExchangeError, match="count 0"):
        w.spot_canceled(nothing, _known(), NOW)
    with pytest.raises(ExchangeError, match="count -1"):
        w.spot_cancel_took(w.CancelWire(count=-1))


FREQUEST = OrderRequest(PERP, Side.BUY, OrderType.LIMIT, Decimal(1), Decimal(9400))


def test_futures_send_without_events_is_accepted_with_the_received_time() -> None:
    raw = (
        b'{"result":"success","sendStatus":{"order_id":"179f9af8-e45e-469d-b3e9-2fd4675cb7d0",'
        b'"status":"placed","receivedTime":"2019-09-05T16:33:50.734Z"}}'
    )
    status = msgspec.json.decode(raw, type=w.FSendWire).sendStatus
    assert w.futures_order_from_events(status, PERP) is None
    order = w.futures_accepted(status, FREQUEST, "f-1", NOW)
    assert order.order_id == "179f9af8-e45e-469d-b3e9-2fd4675cb7d0"
    assert (order.status, order.client_order_id) == (OrderStatus.ACCEPTED, "f-1")
    assert order.created_at == 1567701230734
    ioc = w.FStatusWire(status="iocWouldNotExecute")
    assert w.futures_accepted(ioc, FREQUEST, "f-1", NOW).status is OrderStatus.EXPIRED
    with pytest.raises(ExchangeError, match="order id"):
        w.futures_accepted(w.FStatusWire(status="placed"), FREQUEST, "f-1", NOW)


def test_futures_edit_status_sample_is_the_order_after_the_edit() -> None:
    raw = (
        b'{"result":"success","editStatus":{"status":"edited","orderId":'
        b'"022774bc-2c4a-4f26-9317-436c8d85746d","receivedTime":"2019-09-05T16:47:47.521Z",'
        b'"orderEvents":[{"type":"EDIT","old":{"orderId":"022774bc-2c4a-4f26-9317-436c8d85746d",'
        b'"type":"lmt","symbol":"PF_XBTUSD","side":"buy","quantity":1000,"filled":0,'
        b'"limitPrice":9400,"reduceOnly":false,"timestamp":"2019-09-05T16:41:35.173Z",'
        b'"lastUpdateTimestamp":"2019-09-05T16:41:35.173Z"},"new":{"orderId":'
        b'"022774bc-2c4a-4f26-9317-436c8d85746d","type":"lmt","symbol":"PF_XBTUSD","side":"buy",'
        b'"quantity":1501,"filled":0,"limitPrice":7200,"reduceOnly":false,"timestamp":'
        b'"2019-09-05T16:41:35.173Z","lastUpdateTimestamp":"2019-09-05T16:47:47.519Z"}}]},'
        b'"serverTime":"2019-09-05T16:47:47.521Z"}'
    )
    status = msgspec.json.decode(raw, type=w.FEditWire).editStatus
    order = w.futures_order_from_events(status, PERP)
    assert order is not None
    assert (order.price, order.quantity, order.status) == (
        Decimal(7200),
        Decimal(1501),
        OrderStatus.NEW,
    )
    assert order.updated_at == 1567702067519


def test_futures_cancel_status_sample() -> None:
    raw = (
        b'{"result":"success","cancelStatus":{"status":"cancelled","order_id":'
        b'"cb4e34f6-4eb3-4d4b-9724-4c3035b99d47","receivedTime":"2020-07-22T13:26:20.806Z",'
        b'"orderEvents":[{"uid":"cb4e34f6-4eb3-4d4b-9724-4c3035b99d47","order":{"orderId":'
        b'"cb4e34f6-4eb3-4d4b-9724-4c3035b99d47","cliOrdId":"1234568","type":"lmt","symbol":'
        b'"PF_XBTUSD","side":"buy","quantity":5500,"filled":0,"limitPrice":8000,"reduceOnly":'
        b'false,"timestamp":"2020-07-22T13:25:56.366Z","lastUpdateTimestamp":'
        b'"2020-07-22T13:25:56.366Z"},"type":"CANCEL"}]},"serverTime":"2020-07-22T13:26:20.806Z"}'
    )
    status = msgspec.json.decode(raw, type=w.FCancelWire).cancelStatus
    order = w.futures_order_from_events(status, PERP)
    assert order is not None
    assert (order.status, order.client_order_id) == (OrderStatus.CANCELED, "1234568")


def test_futures_cancel_without_events_applies_to_the_known_order() -> None:
    known = w.futures_accepted(
        w.FStatusWire(status="placed", order_id="o-9"), FREQUEST, "f-9", NOW - 1_000
    )
    cancelled = w.FStatusWire(status="cancelled", receivedTime="2023-11-14T22:13:20.500Z")
    canceled = w.futures_canceled(cancelled, known, NOW)
    assert (canceled.status, canceled.updated_at) == (OrderStatus.CANCELED, 1700000000500)
    filled = w.futures_canceled(w.FStatusWire(status="filled"), known, NOW)
    assert (filled.status, filled.filled_quantity, filled.updated_at) == (
        OrderStatus.FILLED,
        Decimal(1),
        NOW,
    )
    edited = w.futures_amended(
        w.FStatusWire(status="edited"), known, AmendRequest(PERP, "o-9", price=Decimal(9300)), NOW
    )
    assert (edited.price, edited.status, edited.updated_at) == (
        Decimal(9300),
        OrderStatus.ACCEPTED,
        NOW,
    )

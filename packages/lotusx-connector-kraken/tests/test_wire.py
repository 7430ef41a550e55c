"""Wire decoding of documented samples, exact timestamps, symbol and asset mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotusx.connectors.kraken import wire as w
from lotusx.core.errors import ExchangeError
from lotusx.core.types import OrderStatus, OrderType, Side, Symbol, TimeInForce


@given(st.integers(min_value=0, max_value=4_000_000_000), st.integers(0, 999_999_999))
def test_seconds_text_to_ms_is_exact(seconds: int, nanos: int) -> None:
    text = f"{seconds}.{nanos:09d}"
    assert w.seconds_to_ms(Decimal(text)) == seconds * 1000 + nanos // 1_000_000
    as_json = msgspec.json.decode(text.encode(), type=Decimal)  # a JSON number, never a float
    assert w.seconds_to_ms(as_json) == seconds * 1000 + nanos // 1_000_000


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)))
def test_iso_to_ms(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    expected = (aware - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    assert w.iso_to_ms(aware.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) == expected
    nanos = aware.strftime("%Y-%m-%dT%H:%M:%S.%f") + "789Z"
    assert w.iso_to_ms(nanos) == expected


def test_documented_timestamp_samples() -> None:
    assert w.seconds_to_ms(Decimal("1616492376.594")) == 1616492376594
    assert w.seconds_to_ms(Decimal("1688671834.8918867")) == 1688671834891
    assert w.iso_to_ms("2020-07-22T13:37:27.077Z") == 1595425047077
    assert w.iso_to_ms("2023-09-25T07:48:36.925533Z") == 1695628116925


def test_asset_names() -> None:
    assert w.unified_asset("XBT") == "BTC"
    assert w.unified_asset("XDG") == "DOGE"
    assert w.unified_asset("ETH") == "ETH"
    assert w.native_asset("BTC") == "XBT"


ASSETS = {
    "XXBT": w.AssetWire(altname="XBT"),
    "ZUSD": w.AssetWire(altname="USD"),
}
PAIR = msgspec.json.decode(
    b'{"altname":"XBTUSD","wsname":"XBT/USD","base":"XXBT","quote":"ZUSD","pair_decimals":1,'
    b'"lot_decimals":8,"ordermin":"0.0001","costmin":"0.5","tick_size":"0.1","status":"online"}',
    type=w.AssetPairWire,
)


def test_spot_symbol_from_asset_pairs() -> None:
    sym = w.spot_symbol(PAIR, ASSETS)
    assert sym == Symbol("BTC", "USD")
    inst = w.spot_instrument("XXBTZUSD", PAIR, sym)
    assert inst.native_id == "XXBTZUSD"
    assert (inst.tick_size, inst.lot_size, inst.min_quantity) == (
        Decimal("0.1"),
        Decimal("0.00000001"),
        Decimal("0.0001"),
    )
    assert inst.min_notional == Decimal("0.5")
    assert w.spot_symbol(PAIR, {}) == Symbol("BTC", "USD")  # wsname when Assets lacks them


def test_spot_trades_sample() -> None:
    raw = (
        b'{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,'
        b'"b","m","",61044952]],"last":"1688671969993150842"}}'
    )
    result = w.decode_result(raw, dict[str, list[w.SpotTradeRow] | str])
    rows = result["XXBTZUSD"]
    assert isinstance(rows, list)
    trade = w.spot_trade(rows[0], Symbol("BTC", "USD"))
    assert trade.price == Decimal("30243.40000")
    assert trade.side is Side.BUY
    assert trade.trade_id == "61044952"
    assert trade.timestamp == 1688669597827


def test_spot_order_sample() -> None:
    raw = (
        b'{"status":"open","opentm":1688666559.8974,"descr":{"pair":"XBTUSD","type":"buy",'
        b'"ordertype":"limit","price":"30010.0","order":"buy 1.25 XBTUSD @ limit 30010.0"},'
        b'"vol":"1.25000000","vol_exec":"0.37500000","cost":"11253.7","fee":"0.0","price":"30010.0",'
        b'"oflags":"fciq,post","cl_ord_id":"abc"}'
    )
    wire = msgspec.json.decode(raw, type=w.SpotOrderWire)
    order = w.spot_order("OQCLML-BW3P3-BUCMWZ", wire, Symbol("BTC", "USD"))
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.type is OrderType.LIMIT
    assert order.time_in_force is TimeInForce.POST_ONLY
    assert order.filled_quantity == Decimal("0.375")
    assert order.created_at == 1688666559897
    assert order.client_order_id == "abc"


def test_futures_send_status_sample() -> None:
    raw = (
        b'{"result":"success","sendStatus":{"order_id":"179f9af8-e45e-469d-b3e9-2fd4675cb7d0",'
        b'"status":"placed","receivedTime":"2019-09-05T16:33:50.734Z","orderEvents":[{"order":'
        b'{"orderId":"179f9af8-e45e-469d-b3e9-2fd4675cb7d0","cliOrdId":null,"type":"lmt",'
        b'"symbol":"PF_XBTUSD","side":"buy","quantity":10000,"filled":0,"limitPrice":9400,'
        b'"reduceOnly":false,"timestamp":"2019-09-05T16:33:50.734Z","lastUpdateTimestamp":'
        b'"2019-09-05T16:33:50.734Z"},"reducedQuantity":null,"type":"PLACE"}]},'
        b'"serverTime":"2019-09-05T16:33:50.734Z"}'
    )
    answer = msgspec.json.decode(raw, type=w.FSendWire)
    order = w.futures_order_from_events(answer.sendStatus, Symbol("BTC", "USD", "USD"))
    assert order is not None
    assert order.status is OrderStatus.NEW
    assert order.price == Decimal(9400)
    assert order.created_at == 1567701230734


def test_futures_execution_fills_the_order() -> None:
    raw = (
        b'{"status":"placed","orderEvents":[{"type":"EXECUTION","executionId":"e1","price":100.5,'
        b'"amount":2,"orderPriorExecution":{"orderId":"o1","type":"mkt","symbol":"PF_XBTUSD",'
        b'"side":"sell","quantity":2,"filled":0,"timestamp":"2024-01-01T00:00:00.000Z"}}]}'
    )
    status = msgspec.json.decode(raw, type=w.FStatusWire)
    order = w.futures_order_from_events(status, Symbol("BTC", "USD", "USD"))
    assert order is not None
    assert order.status is OrderStatus.FILLED
    assert order.average_price == Decimal("100.5")


def test_executions_merge_keeps_the_order_whole() -> None:
    sym = Symbol("BTC", "USD")
    new = msgspec.json.decode(
        b'{"order_id":"O1","exec_type":"new","symbol":"BTC/USD","side":"buy","order_type":"limit",'
        b'"order_qty":1.0,"limit_price":100.0,"order_status":"new","cum_qty":0,'
        b'"timestamp":"2023-09-22T10:33:05.709950Z","cl_ord_id":"c1"}',
        type=w.ExecWire,
    )
    trade = msgspec.json.decode(
        b'{"order_id":"O1","exec_type":"trade","exec_id":"T1","last_qty":0.4,"last_price":100.0,'
        b'"order_status":"partially_filled","cum_qty":0.4,"liquidity_ind":"m",'
        b'"fees":[{"asset":"USD","qty":0.01}],"timestamp":"2023-09-22T10:33:06.000000Z"}',
        type=w.ExecWire,
    )
    state = w.merge_exec(new, trade)
    order = w.exec_order(state, sym)
    fill = w.exec_fill(state, sym)
    assert order is not None and fill is not None
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.quantity == Decimal("1.0") and order.filled_quantity == Decimal("0.4")
    assert fill.trade_id == "T1" and fill.is_maker and fill.fee == Decimal("0.01")
    assert fill.client_order_id == "c1"


def test_leverage_brackets_from_margin_levels() -> None:
    raw = (
        b'{"symbol":"PF_XBTUSD","type":"flexible_futures","tickSize":0.5,"contractSize":1,'
        b'"contractValueTradePrecision":4,"base":"BTC","quote":"USD","marginLevels":['
        b'{"numNonContractUnits":0,"initialMargin":0.02,"maintenanceMargin":0.01},'
        b'{"numNonContractUnits":500000,"initialMargin":0.04,"maintenanceMargin":0.02}]}'
    )
    wire = msgspec.json.decode(raw, type=w.FInstrumentWire)
    assert w.is_linear_perpetual(wire)
    sym = w.futures_symbol(wire)
    assert sym == Symbol("BTC", "USD", "USD")
    inst = w.futures_instrument(wire, sym)
    assert (inst.tick_size, inst.lot_size) == (Decimal("0.5"), Decimal("0.0001"))
    brackets = w.leverage_brackets(wire, sym)
    assert [b.max_leverage for b in brackets] == [Decimal(50), Decimal(25)]
    assert brackets[0].notional_cap == Decimal(500000)


def test_futures_book_messages_keep_the_number_text() -> None:
    delta = msgspec.json.decode(
        b'{"feed":"book","product_id":"PI_XBTUSD","side":"sell","seq":30007489,'
        b'"price":11741.5,"qty":10000.0,"timestamp":1565342713929}',
        type=w.FWsBookWire,
    )
    assert (w.raw_text(delta.price), w.raw_text(delta.qty)) == ("11741.5", "10000.0")
    assert delta.seq == 30007489 and delta.side == "sell"
    snap = msgspec.json.decode(
        b'{"feed":"book_snapshot","product_id":"PI_XBTUSD","timestamp":1612269825817,'
        b'"seq":326072249,"tickSize":null,"bids":[{"price":34892.5,"qty":6385}],'
        b'"asks":[{"price":34911.5,"qty":20598}]}',
        type=w.FWsBookWire,
    )
    assert snap.price == w.NULL_RAW
    assert [(w.raw_text(lv.price), w.raw_text(lv.qty)) for lv in snap.bids] == [("34892.5", "6385")]


def test_spot_v2_book_levels_keep_the_number_text() -> None:
    message = msgspec.json.decode(
        b'{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":'
        b'45283.5,"qty":0.10000000}],"asks":[{"price":45285.2,"qty":0.00100000}],'
        b'"checksum":3310070434}]}',
        type=w.WsBookWire,
    )
    data = message.data[0]
    assert w.ws_levels(data.bids) == [("45283.5", "0.10000000")]
    assert w.ws_levels(data.asks) == [("45285.2", "0.00100000")]
    assert data.checksum == 3310070434


def test_futures_subaccounts_sample() -> None:
    answer = msgspec.json.decode(
        b'{"result":"success","serverTime":"2022-03-31T20:38:53.677Z","masterAccountUid":'
        b'"ba598ca1-65c1-4f48-927d-0e2b647d627a","subaccounts":[{"accountUid":"7f5c528e-2285-'
        b'45f2-9d5a-9e4d6c8b7a11","email":"sub@example.com","fullName":"Sub One",'
        b'"holdingAccounts":[{"currency":"gbp","amount":0}],"futuresAccounts":[],'
        b'"flexAccount":{"currencies":[]}}]}',
        type=w.FSubaccountsWire,
    )
    [sub] = answer.subaccounts
    assert sub.email == "sub@example.com" and sub.accountUid.startswith("7f5c528e")


def test_futures_chart_candles_sample() -> None:
    answer = msgspec.json.decode(
        b'{"candles":[{"time":1680000000000,"open":"27000.5","high":"27100","low":"26950.5",'
        b'"close":"27050","volume":12.34}],"more_candles":false}',
        type=w.FCandlesWire,
    )
    candle = w.futures_candle(answer.candles[0], Symbol("BTC", "USD", "USD"), "1m", 60_000, 0)
    assert (candle.open, candle.volume, candle.open_time) == (
        Decimal("27000.5"),
        Decimal("12.34"),
        1680000000000,
    )
    assert not candle.closed


def test_bad_numbers_are_refused_not_coerced() -> None:
    assert w.raw_text(msgspec.Raw(b"1e-05")) == "0.00001"
    assert w.raw_text(msgspec.Raw(b'"0.10"')) == "0.10"
    for bad in (b"null", b'"NaN"', b"-1", b'"abc"', b'"Infinity"'):
        with pytest.raises(ValueError):
            w.raw_text(msgspec.Raw(bad))
    depth = msgspec.json.decode(
        b'{"asks":[["NaN","1",1]],"bids":[["100.0","1.0",1]]}', type=w.DepthWire
    )
    with pytest.raises(ExchangeError, match="bad book level"):
        w.spot_orderbook(depth, Symbol("BTC", "USD"), 10, 0)


def test_bad_timestamp_is_a_typed_error() -> None:
    with pytest.raises(ExchangeError, match="bad timestamp"):
        w.iso_to_ms("yesterday")


def test_orders_status_entry_names_the_order_kind_not_its_type() -> None:
    """`orders/status` answers `order.type` ORDER (or TRIGGER_ORDER); a limit price makes it a
    limit order."""
    body = b"""{"orders": [{"order": {"type": "ORDER", "orderId": "910d02f3",
        "cliOrdId": "c1", "symbol": "PF_XBTUSD", "side": "buy", "quantity": 5, "filled": 0,
        "limitPrice": 2, "reduceOnly": false, "timestamp": "2023-03-15T15:05:50.905Z",
        "lastUpdateTimestamp": "2023-03-15T15:05:50.905Z"},
        "status": "ENTERED_BOOK", "updateReason": null, "error": null}]}"""
    (item,) = msgspec.json.decode(body, type=w.FOrderStatusWire).orders
    order = w.futures_status_order(item, Symbol("BTC", "USD", "USD"))
    assert (order.type, order.time_in_force, order.status) == (
        OrderType.LIMIT,
        TimeInForce.GTC,
        OrderStatus.NEW,
    )
    assert (order.price, order.client_order_id) == (Decimal(2), "c1")
    item.order.type = "SOMETHING_ELSE"
    with pytest.raises(ExchangeError, match="futures order kind"):
        w.futures_status_order(item, Symbol("BTC", "USD", "USD"))

"""Wire conversions of Bybit's documented example payloads (bybit-exchange/docs, docs/v5)."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.bybit import wire as w
from lotusx.connectors.bybit.errors import Envelope
from lotusx.core.errors import ExchangeError, InvalidOrderError
from lotusx.core.types import (
    AmendRequest,
    MarginMode,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    Symbol,
    TimeInForce,
    TransferStatus,
)

SPOT = Symbol("BTC", "USDT")
PERP = Symbol("BTC", "USDT", "USDT")
D = Decimal


def dec(kind: type[w.V], text: str) -> w.V:
    return msgspec.json.decode(text, type=kind)


# market/instrument.mdx, response examples
LINEAR_INSTRUMENT = """{"category":"linear","list":[{"symbol":"BTCUSDT","symbolId":5,
"contractType":"LinearPerpetual","status":"Trading","baseCoin":"BTC","quoteCoin":"USDT",
"launchTime":"1585526400000","deliveryTime":"0","deliveryFeeRate":"","priceScale":"2",
"leverageFilter":{"minLeverage":"1","maxLeverage":"100.00","leverageStep":"0.01"},
"priceFilter":{"minPrice":"0.10","maxPrice":"1999999.80","tickSize":"0.10"},
"lotSizeFilter":{"maxOrderQty":"1190.000","minOrderQty":"0.001","qtyStep":"0.001",
"postOnlyMaxOrderQty":"1190.000","maxMktOrderQty":"500.000","minNotionalValue":"5"},
"unifiedMarginTrade":true,"fundingInterval":480,"settleCoin":"USDT","copyTrading":"both",
"upperFundingRate":"0.00375","lowerFundingRate":"-0.00375","isPreListing":false,
"preListingInfo":null,"symbolType":""}],"nextPageCursor":""}"""
SPOT_INSTRUMENT = """{"category":"spot","list":[{"symbolId":9,"symbol":"BTCUSDT","baseCoin":"BTC",
"quoteCoin":"USDT","innovation":"0","status":"Trading","marginTrading":"utaOnly","stTag":"0",
"lotSizeFilter":{"basePrecision":"0.000001","quotePrecision":"0.0000001",
"minOrderQty":"0.000011","maxOrderQty":"83","minOrderAmt":"5","maxOrderAmt":"8000000",
"maxLimitOrderQty":"83","maxMarketOrderQty":"41.5","postOnlyMaxLimitOrderSize":"60000"},
"priceFilter":{"tickSize":"0.1"},"symbolType":""}]}"""


def test_linear_instrument() -> None:
    page = dec(w.InstrumentsWire, LINEAR_INSTRUMENT)
    inst = w.to_instrument(page.items[0], "linear")
    assert inst is not None
    assert inst.symbol == PERP and inst.native_id == "BTCUSDT"
    assert (inst.tick_size, inst.lot_size, inst.min_quantity) == (D("0.1"), D("0.001"), D("0.001"))
    assert (inst.max_quantity, inst.min_notional, inst.active) == (D("1190"), D("5"), True)
    assert page.nextPageCursor == ""


def test_spot_instrument() -> None:
    inst = w.to_instrument(dec(w.InstrumentsWire, SPOT_INSTRUMENT).items[0], "spot")
    assert inst is not None and inst.symbol == SPOT
    assert (inst.tick_size, inst.lot_size) == (D("0.1"), D("0.000001"))
    assert (inst.min_quantity, inst.max_quantity, inst.min_notional) == (
        D("0.000011"),
        D("83"),
        D("5"),
    )


def test_dated_and_non_trading_instruments() -> None:
    text = LINEAR_INSTRUMENT.replace("LinearPerpetual", "LinearFutures")
    assert w.to_instrument(dec(w.InstrumentsWire, text).items[0], "linear") is None
    closed = SPOT_INSTRUMENT.replace('"Trading"', '"Closed"')
    inst = w.to_instrument(dec(w.InstrumentsWire, closed).items[0], "spot")
    assert inst is not None and not inst.active
    broken = SPOT_INSTRUMENT.replace('"tickSize":"0.1"', '"tickSize":"x"')
    with pytest.raises(ExchangeError, match="tickSize"):
        w.to_instrument(dec(w.InstrumentsWire, broken).items[0], "spot")


def test_rest_orderbook() -> None:  # market/orderbook.mdx
    book = dec(
        w.BookWire,
        '{"s":"BTCUSDT","a":[["16638.64","0.008479"]],"b":[["16638.27","0.305749"]],'
        '"ts":1672765737733,"u":5277055,"seq":3887177875}',
    )
    ob = w.to_orderbook(book, SPOT, 10, 0)
    assert ob.best_bid is not None and ob.best_bid.price == D("16638.27")
    assert ob.best_ask is not None and ob.best_ask.quantity == D("0.008479")
    # The cross sequence: comparable with the WebSocket books and other depths (u is not).
    assert (ob.sequence, ob.timestamp) == (3887177875, 1672765737733)


def test_ws_orderbook_snapshot_and_delta_examples() -> None:  # websocket/public/orderbook.mdx
    snapshot = dec(
        w.WsMessageWire,
        '{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT",'
        '"b":[["16493.50","0.006"],["16493.00","0.100"]],"a":[["16611.00","0.029"],'
        '["16612.00","0.213"]],"u":18521288,"seq":7961638724},"cts":1672304484976}',
    )
    data = dec(w.BookWire, bytes(snapshot.data))
    assert (snapshot.topic, snapshot.type, snapshot.cts) == (
        "orderbook.50.BTCUSDT",
        "snapshot",
        1672304484976,
    )
    assert (data.u, data.seq, data.b[0]) == (18521288, 7961638724, ("16493.50", "0.006"))
    delta = dec(
        w.WsMessageWire,
        '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1687940967466,"data":{"s":"BTCUSDT",'
        '"b":[["30247.20","30.028"],["30245.40","0.224"],["30242.10","1.593"],'
        '["30240.30","1.305"],["30240.00","0"]],"a":[["30248.70","0"],["30249.30","0.892"],'
        '["30249.50","1.778"],["30249.60","0"],["30251.90","2.947"],["30252.20","0.659"],'
        '["30252.50","4.591"]],"u":177400507,"seq":66544703342},"cts":1687940967464}',
    )
    body = dec(w.BookWire, bytes(delta.data))
    assert delta.type == "delta" and body.u == 177400507 and len(body.a) == 7
    assert body.b[-1] == ("30240.00", "0")


def test_recent_trades_and_klines() -> None:
    trades = dec(
        w.TradesWire,
        '{"category":"spot","list":[{"execId":"2100000000007764263","symbol":"BTCUSDT",'
        '"price":"16618.49","size":"0.00012","side":"Buy","time":"1672052955758",'
        '"isBlockTrade":false}]}',
    )
    trade = w.to_trade(trades.items[0], SPOT)
    assert (trade.trade_id, trade.price, trade.quantity, trade.side, trade.timestamp) == (
        "2100000000007764263",
        D("16618.49"),
        D("0.00012"),
        Side.BUY,
        1672052955758,
    )
    rows = dec(
        w.KlinesWire,
        '{"symbol":"BTCUSD","category":"inverse","list":[["1670608800000","17071","17073",'
        '"17027","17055.5","268611","15.74462667"]]}',
    )
    candle = w.to_candle(rows.items[0], SPOT, "1h", 1670608800000 + 3_600_000)
    assert (candle.open, candle.high, candle.low, candle.close, candle.volume) == (
        D("17071"),
        D("17073"),
        D("17027"),
        D("17055.5"),
        D("268611"),
    )
    assert candle.closed
    assert not w.to_candle(rows.items[0], SPOT, "1h", 1670608800001).closed
    assert w.native_interval("1d") == "D" and w.unified_interval("60") == "1h"
    with pytest.raises(InvalidOrderError):
        w.native_interval("7m")


def test_tickers_mark_and_funding() -> None:  # market/tickers.mdx (inverse example)
    page = dec(
        w.TickersWire,
        '{"category":"inverse","list":[{"symbol":"BTCUSD","lastPrice":"16597.00",'
        '"indexPrice":"16598.54","markPrice":"16596.00","prevPrice24h":"16464.50",'
        '"highPrice24h":"30912.50","lowPrice24h":"15700.00","volume24h":"49337318",'
        '"fundingRate":"-0.001034","nextFundingTime":"1672387200000","predictedDeliveryPrice":"",'
        '"basisRate":"","ask1Size":"1","bid1Price":"16596.00","ask1Price":"16597.50",'
        '"bid1Size":"1"}]}',
    )
    t = page.items[0]
    mark = w.to_mark_price(t, PERP, 1672376496682)
    assert (mark.mark_price, mark.index_price) == (D("16596.00"), D("16598.54"))
    funding = w.to_current_funding(t, PERP)
    assert (funding.rate, funding.funding_time) == (D("-0.001034"), 1672387200000)
    ticker = w.to_ticker(t, PERP, 1)
    assert (ticker.bid, ticker.ask, ticker.high_24h) == (
        D("16596.00"),
        D("16597.50"),
        D("30912.50"),
    )


def test_open_order_example() -> None:  # order/open-order.mdx
    page = dec(
        w.OrdersWire,
        '{"list":[{"orderId":"fd4300ae-7847-404e-b947-b46980a4d140","orderLinkId":"test-000005",'
        '"symbol":"ETHUSDT","price":"1600.00","qty":"0.10","side":"Buy","isLeverage":"",'
        '"positionIdx":1,"orderStatus":"New","cancelType":"UNKNOWN","rejectReason":"EC_NoError",'
        '"avgPrice":"0","leavesQty":"0.10","cumExecQty":"0.00","cumExecValue":"0",'
        '"cumExecFee":"0","timeInForce":"GTC","orderType":"Limit","reduceOnly":false,'
        '"createdTime":"1684738540559","updatedTime":"1684738540561"}],'
        '"nextPageCursor":"page_args%3Dfd43","category":"linear"}',
    )
    order = w.to_order(page.items[0], PERP)
    assert order.order_id == "fd4300ae-7847-404e-b947-b46980a4d140"
    assert order.client_order_id == "test-000005"
    assert (order.price, order.quantity, order.filled_quantity) == (D("1600.00"), D("0.10"), 0)
    assert order.average_price is None  # "0" with nothing filled
    assert (order.status, order.type, order.time_in_force) == (
        OrderStatus.NEW,
        OrderType.LIMIT,
        TimeInForce.GTC,
    )
    assert (order.created_at, order.updated_at) == (1684738540559, 1684738540561)


@pytest.mark.parametrize(
    ("native", "status"),
    [
        ("PartiallyFilled", OrderStatus.PARTIALLY_FILLED),
        ("Filled", OrderStatus.FILLED),
        ("Cancelled", OrderStatus.CANCELED),
        ("PartiallyFilledCanceled", OrderStatus.CANCELED),
        ("Rejected", OrderStatus.REJECTED),
        ("Untriggered", OrderStatus.NEW),
    ],
)
def test_order_statuses(native: str, status: OrderStatus) -> None:
    assert w.order_status(native) is status


def test_unknown_enum_values_raise() -> None:
    with pytest.raises(ExchangeError, match="order status"):
        w.order_status("Sleeping")
    with pytest.raises(ExchangeError, match="side"):
        w.side_of("buy")
    with pytest.raises(ExchangeError, match="not a number"):
        w.num("")
    assert w.opt_num("") is None


def test_market_order_has_no_price() -> None:
    row = w.OrderWire(
        "1",
        "BTCUSDT",
        "Sell",
        "Market",
        "Filled",
        price="0",
        qty="1",
        avgPrice="100.5",
        cumExecQty="1",
        timeInForce="IOC",
    )
    order = w.to_order(row, SPOT)
    assert order.price is None and order.average_price == D("100.5")


def test_order_params() -> None:
    spot_market = OrderRequest(SPOT, Side.BUY, OrderType.MARKET, D("0.01"))
    params = w.order_params(spot_market, "spot", "BTCUSDT", "lxid")
    assert params == {
        "category": "spot",
        "symbol": "BTCUSDT",
        "side": "Buy",
        "orderType": "Market",
        "qty": D("0.01"),
        "marketUnit": "baseCoin",
        "orderLinkId": "lxid",
    }
    post_only = OrderRequest(
        PERP, Side.SELL, OrderType.LIMIT, D("1"), D("100"), TimeInForce.POST_ONLY, reduce_only=True
    )
    params = w.order_params(post_only, "linear", "BTCUSDT", "cid")
    assert params["timeInForce"] == "PostOnly" and params["reduceOnly"] is True
    assert params["positionIdx"] == 0 and params["price"] == D("100")
    assert "category" not in w.batch_item(params)
    with pytest.raises(InvalidOrderError, match="IOC"):
        w.order_params(
            OrderRequest(SPOT, Side.BUY, OrderType.MARKET, D("1"), time_in_force=TimeInForce.FOK),
            "spot",
            "BTCUSDT",
            "c",
        )


def test_execution_example_and_fee_asset() -> None:  # order/execution.mdx
    page = dec(
        w.ExecutionsWire,
        '{"nextPageCursor":"132766%3A2","category":"linear","list":[{"symbol":"ETHPERP",'
        '"orderType":"Market","orderLinkId":"","side":"Buy","orderId":"8c065341-7b52",'
        '"stopOrderType":"UNKNOWN","leavesQty":"0","execTime":"1672282722429","feeCurrency":"",'
        '"isMaker":false,"execFee":"0.071409","feeRate":"0.0006","execId":"e0cbe81d-0f18",'
        '"markPrice":"1183.54","execPrice":"1190.15","orderQty":"0.1","orderPrice":"1236.9",'
        '"execValue":"119.015","execType":"Trade","execQty":"0.1","closedSize":"","seq":4688002127}]}',
    )
    perp = Symbol("ETH", "USDC", "USDC")
    fill = w.to_fill(page.items[0], perp)
    assert (fill.trade_id, fill.price, fill.quantity, fill.fee) == (
        "e0cbe81d-0f18",
        D("1190.15"),
        D("0.1"),
        D("0.071409"),
    )
    assert fill.fee_asset == "USDC" and fill.client_order_id is None and not fill.is_maker
    spot_sell = msgspec.structs.replace(page.items[0], side="Sell")
    assert w.fee_asset(spot_sell, SPOT) == "USDT"
    assert w.fee_asset(page.items[0], SPOT) == "BTC"


def test_wallet_balance_example() -> None:  # account/wallet-balance.mdx
    page = dec(
        w.WalletWire,
        '{"list":[{"totalEquity":"18070.32797922","accountType":"UNIFIED","coin":[{'
        '"availableToBorrow":"2.5","availableToWithdraw":"0.805994","equity":"0.805994",'
        '"walletBalance":"0.805994","locked":"0.1","coin":"BTC"},{"coin":"ETH",'
        '"walletBalance":"0"}]}]}',
    )
    balances = w.wallet_balances(page.items[0], "unified")
    assert len(balances) == 1
    assert (balances[0].asset, balances[0].free, balances[0].locked) == (
        "BTC",
        D("0.705994"),
        D("0.1"),
    )
    assert balances[0].total == D("0.805994")


def test_position_rows() -> None:
    row = w.PositionWire(
        "BTCUSDT",
        side="Sell",
        size="0.5",
        avgPrice="30000",
        markPrice="29000",
        unrealisedPnl="500",
        leverage="10",
        tradeMode=1,
        positionIM="1500",
        liqPrice="",
        updatedTime="1700000000000",
    )
    position = w.to_position(row, PERP)
    assert (position.side, position.quantity, position.entry_price) == (
        PositionSide.SHORT,
        D("0.5"),
        D("30000"),
    )
    assert position.margin_mode is MarginMode.ISOLATED and position.margin == D("1500")
    assert position.liquidation_price is None and position.leverage == D("10")
    flat = w.to_position(w.PositionWire("BTCUSDT", side="", size="0"), PERP, D("5"))
    assert flat.side is PositionSide.FLAT and flat.leverage == D("5")


def test_risk_limit_tiers_as_brackets() -> None:
    page = dec(
        w.RiskLimitsWire,
        '{"category":"linear","list":[{"id":2,"symbol":"BTCUSDT","riskLimitValue":"4000000",'
        '"maintenanceMargin":"0.01","initialMargin":"0.02","isLowestRisk":0,"maxLeverage":"50.00",'
        '"mmDeduction":"10000"},{"id":1,"symbol":"BTCUSDT","riskLimitValue":"2000000",'
        '"maintenanceMargin":0.005,"initialMargin":"0.01","isLowestRisk":1,"maxLeverage":"100.00",'
        '"mmDeduction":""}]}',
    )
    brackets = w.to_brackets(page.items, PERP)
    assert [b.tier for b in brackets] == [1, 2]
    assert [(b.notional_floor, b.notional_cap) for b in brackets] == [
        (0, D("2000000")),
        (D("2000000"), D("4000000")),
    ]
    assert [b.maintenance_margin_rate for b in brackets] == [D("0.005"), D("0.01")]
    assert [b.maintenance_amount for b in brackets] == [0, D("10000")]


def test_deposit_and_withdrawal_records() -> None:
    deposits = dec(
        w.DepositRecordsWire,
        '{"rows":[{"id":"1319723","coin":"USDT","chain":"ETH","amount":"10000","txID":"skip",'
        '"status":3,"toAddress":"test-amount-address","tag":"","depositFee":"",'
        '"successAt":"1672134274000","confirmations":"10000"}],"nextPageCursor":"eyJ"}',
    )
    deposit = w.to_deposit(deposits.rows[0])
    assert (deposit.deposit_id, deposit.amount, deposit.status, deposit.timestamp) == (
        "1319723",
        D("10000"),
        TransferStatus.COMPLETED,
        1672134274000,
    )
    withdrawals = dec(
        w.WithdrawRecordsWire,
        '{"rows":[{"coin":"USDT","chain":"ETH","amount":"77","txID":"","status":"SecurityCheck",'
        '"toAddress":"0x99ced1","tag":"","withdrawFee":"10","createTime":"1670922217000",'
        '"updateTime":"1670922217000","withdrawId":"9976","withdrawType":0},{"coin":"USDT",'
        '"chain":"internalAddressChain","amount":"20.1234","txID":"","status":"success",'
        '"toAddress":"999805","tag":"","withdrawFee":"0","createTime":"1698889833000",'
        '"updateTime":"1698889846000","withdrawId":"13310","withdrawType":1}]}',
    )
    first, second = (w.to_withdrawal(r) for r in withdrawals.rows)
    assert (first.withdrawal_id, first.fee, first.status, first.tx_id) == (
        "9976",
        D("10"),
        TransferStatus.PENDING,
        None,
    )
    assert second.status is TransferStatus.COMPLETED and second.amount == D("20.1234")
    with pytest.raises(ExchangeError):
        w.to_deposit(msgspec.structs.replace(deposits.rows[0], status=99))


def test_stream_payloads() -> None:
    trade = dec(
        w.PublicTradeWire,
        '{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick",'
        '"i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}',
    )
    t = w.public_trade(trade, PERP)
    assert (t.trade_id, t.side, t.price, t.timestamp) == (
        "20f43950-d8dd-5b31-9112-a178eb6023af",
        Side.BUY,
        D("16578.50"),
        1672304486865,
    )
    kline = dec(
        w.KlineEventWire,
        '{"start":1672324800000,"end":1672325099999,"interval":"5","open":"16649.5",'
        '"close":"16677","high":"16677","low":"16608","volume":"2.081","turnover":"34666.4",'
        '"confirm":false,"timestamp":1672324988882}',
    )
    candle = w.kline_event(kline, PERP)
    assert (candle.interval, candle.open_time, candle.closed) == ("5m", 1672324800000, False)


# order/create-order.mdx, order/amend-order.mdx, order/cancel-order.mdx: response examples
CREATE_ACK = (
    '{"retCode":0,"retMsg":"OK","result":{"orderId":"1321003749386327552",'
    '"orderLinkId":"spot-test-postonly"},"retExtInfo":{},"time":1672211918471}'
)
AMEND_ACK = (
    '{"retCode":0,"retMsg":"OK","result":{"orderId":"c6f055d9-7f21-4079-913d-e6523a9cfffa",'
    '"orderLinkId":"linear-004"},"retExtInfo":{},"time":1672217093461}'
)
CANCEL_ACK = (
    '{"retCode":0,"retMsg":"OK","result":{"orderId":"c6f055d9-7f21-4079-913d-e6523a9cfffa",'
    '"orderLinkId":"linear-004"},"retExtInfo":{},"time":1672217377164}'
)


def _ack(text: str) -> tuple[w.IdsWire, int]:
    envelope = dec(Envelope, text)
    return msgspec.json.decode(envelope.result, type=w.IdsWire), envelope.time


def test_create_ack_is_an_accepted_order() -> None:
    ack, at_ms = _ack(CREATE_ACK)
    request = OrderRequest(
        SPOT,
        Side.BUY,
        OrderType.LIMIT,
        D("0.1"),
        D("15600"),
        TimeInForce.POST_ONLY,
        "spot-test-postonly",
    )
    order = w.to_placed(request, ack, "spot-test-postonly", at_ms)
    assert (order.order_id, order.client_order_id) == ("1321003749386327552", "spot-test-postonly")
    assert order.status is OrderStatus.ACCEPTED  # the ack tells no state
    assert (order.price, order.quantity, order.filled_quantity) == (D("15600"), D("0.1"), 0)
    assert order.average_price is None
    assert (order.side, order.type, order.time_in_force) == (
        Side.BUY,
        OrderType.LIMIT,
        TimeInForce.POST_ONLY,
    )
    assert order.created_at == order.updated_at == 1672211918471  # the envelope's time


def test_create_ack_carries_the_generated_client_id() -> None:
    ack = w.IdsWire("42", "lxgenerated")
    request = OrderRequest(PERP, Side.SELL, OrderType.MARKET, D("1"), reduce_only=True)
    order = w.to_placed(request, ack, "lxgenerated", 5)
    assert order.client_order_id == "lxgenerated" and order.price is None and order.reduce_only


def test_malformed_create_acks_raise() -> None:
    request = OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, D("1"), D("1"), client_order_id="a")
    with pytest.raises(ExchangeError, match="without an orderId"):
        w.to_placed(request, w.IdsWire(""), "a", 1)
    with pytest.raises(ExchangeError, match="orderLinkId 'b'"):
        w.to_placed(request, w.IdsWire("1", "b"), "a", 1)
    with pytest.raises(msgspec.ValidationError):  # no orderId at all
        msgspec.json.decode(b'{"orderLinkId":"a"}', type=w.IdsWire)


def _known(status: OrderStatus = OrderStatus.NEW) -> Order:
    return Order(
        symbol=PERP,
        order_id="c6f055d9-7f21-4079-913d-e6523a9cfffa",
        client_order_id="linear-004",
        side=Side.BUY,
        type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        quantity=D("0.2"),
        price=D("30000"),
        filled_quantity=D("0.05"),
        average_price=D("30000"),
        status=status,
        reduce_only=False,
        created_at=1672217000000,
        updated_at=1672217000000,
    )


def test_amend_ack_applies_the_amendment_to_the_known_order() -> None:
    ack, at_ms = _ack(AMEND_ACK)
    known = _known()
    order = w.to_amended(known, AmendRequest(PERP, known.order_id, price=D("30100")), ack, at_ms)
    assert (order.price, order.quantity) == (D("30100"), D("0.2"))
    assert (order.status, order.filled_quantity) == (OrderStatus.NEW, D("0.05"))
    assert (order.created_at, order.updated_at) == (1672217000000, 1672217093461)
    resized = w.to_amended(known, AmendRequest(PERP, known.order_id, quantity=D("0.3")), ack, 9)
    assert (resized.price, resized.quantity) == (D("30000"), D("0.3"))
    with pytest.raises(ExchangeError, match="names order 'other'"):
        w.to_amended(known, AmendRequest(PERP, known.order_id, price=D("1")), w.IdsWire("other"), 1)


def test_cancel_ack_cancels_the_known_order() -> None:
    ack, at_ms = _ack(CANCEL_ACK)
    order = w.to_canceled(_known(OrderStatus.PARTIALLY_FILLED), ack, at_ms)
    assert order.status is OrderStatus.CANCELED
    assert order.filled_quantity == D("0.05")  # as last known: the ack tells no fills
    assert order.updated_at == 1672217377164
    with pytest.raises(ExchangeError, match="orderLinkId 'linear-005'"):
        w.to_canceled(_known(), w.IdsWire(_known().order_id, "linear-005"), 1)

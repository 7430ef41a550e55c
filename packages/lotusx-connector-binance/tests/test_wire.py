"""Conversion of Binance's documented example payloads to core types."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.binance import wire as w
from lotusx.connectors.binance.endpoints import Venue
from lotusx.core.errors import ExchangeError
from lotusx.core.types import (
    MarginMode,
    OrderRequest,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    Symbol,
    TimeInForce,
    TransferStatus,
)

D = Decimal
SPOT = Symbol("ETH", "BTC")
PERP = Symbol("BTC", "USDT", "USDT")

SPOT_INFO = b"""{"timezone":"UTC","serverTime":1565246363776,
 "rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},
               {"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50}],
 "exchangeFilters":[],
 "symbols":[{"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","baseAssetPrecision":8,
   "quoteAsset":"BTC","quotePrecision":8,"quoteAssetPrecision":8,
   "orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],"icebergAllowed":true,
   "filters":[{"filterType":"PRICE_FILTER","minPrice":"0.00000100","maxPrice":"100000.00000000",
               "tickSize":"0.00000100"},
              {"filterType":"LOT_SIZE","minQty":"0.00100000","maxQty":"100000.00000000",
               "stepSize":"0.00100000"},
              {"filterType":"ICEBERG_PARTS","limit":10},
              {"filterType":"NOTIONAL","minNotional":"10.00000000","applyMinToMarket":false,
               "maxNotional":"10000.00000000","applyMaxToMarket":false,"avgPriceMins":5}],
   "permissions":[],"permissionSets":[["SPOT","MARGIN"]]}]}"""

FUT_INFO = b"""{"exchangeFilters":[],
 "rateLimits":[{"interval":"MINUTE","intervalNum":1,"limit":2400,"rateLimitType":"REQUEST_WEIGHT"}],
 "serverTime":1565613908500,"assets":[{"asset":"USDT","marginAvailable":true}],
 "symbols":[{"symbol":"BLZUSDT","pair":"BLZUSDT","contractType":"PERPETUAL","status":"TRADING",
   "baseAsset":"BLZ","quoteAsset":"USDT","marginAsset":"USDT","pricePrecision":5,
   "quantityPrecision":0,
   "filters":[{"filterType":"PRICE_FILTER","maxPrice":"300","minPrice":"0.0001","tickSize":"0.0001"},
              {"filterType":"LOT_SIZE","maxQty":"10000000","minQty":"1","stepSize":"1"},
              {"filterType":"MAX_NUM_ORDERS","limit":200},
              {"filterType":"MIN_NOTIONAL","notional":"5.0"},
              {"filterType":"PERCENT_PRICE","multiplierUp":"1.1500","multiplierDown":"0.8500",
               "multiplierDecimal":4}]},
  {"symbol":"BTCUSDT_250926","pair":"BTCUSDT","contractType":"CURRENT_QUARTER","status":"TRADING",
   "baseAsset":"BTC","quoteAsset":"USDT","marginAsset":"USDT",
   "filters":[{"filterType":"PRICE_FILTER","tickSize":"0.1"},
              {"filterType":"LOT_SIZE","minQty":"0.001","stepSize":"0.001"}]}],
 "timezone":"UTC"}"""


def test_spot_instrument_filters() -> None:
    info = msgspec.json.decode(SPOT_INFO, type=w.ExchangeInfoWire)
    inst = w.to_instrument(info.symbols[0], Venue.SPOT)
    assert inst is not None
    assert inst.symbol == SPOT
    assert inst.native_id == "ETHBTC"
    assert (inst.tick_size, inst.lot_size) == (D("0.000001"), D("0.001"))
    assert (inst.min_quantity, inst.max_quantity, inst.min_notional) == (
        D("0.001"),
        D("100000"),
        D("10"),
    )
    assert inst.active
    rule = w.to_rate_limit_rule(info.rateLimits[1], Venue.SPOT, 3)
    assert (rule.kind, rule.scope, rule.window_ms, rule.limit, rule.used) == (
        "spot:orders",
        "account",
        10_000,
        50,
        3,
    )


def test_futures_instruments_perpetuals_only() -> None:
    info = msgspec.json.decode(FUT_INFO, type=w.ExchangeInfoWire)
    perp, quarterly = (w.to_instrument(s, Venue.FUTURES) for s in info.symbols)
    assert quarterly is None
    assert perp is not None
    assert perp.symbol == Symbol("BLZ", "USDT", "USDT")
    assert str(perp.symbol) == "BLZ/USDT:USDT"
    assert (perp.tick_size, perp.lot_size, perp.min_quantity, perp.min_notional) == (
        D("0.0001"),
        D("1"),
        D("1"),
        D("5"),
    )


def test_malformed_decimal_is_a_typed_error_not_zero() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(
            b'{"id":1,"price":"abc","qty":"1","time":1,"isBuyerMaker":true}', type=w.TradeWire
        )


def test_orderbook_depth_and_trades() -> None:
    depth = msgspec.json.decode(
        b'{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"],["3.9","1"]],'
        b'"asks":[["4.00000200","12.00000000"]]}',
        type=w.DepthWire,
    )
    book = w.to_orderbook(depth, SPOT, 1, 99)
    assert book.sequence == 1027024
    assert book.bids == (w.BookLevel(D("4"), D("431")),)
    assert book.best_ask is not None and book.best_ask.price == D("4.000002")
    trade = msgspec.json.decode(
        b'{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012",'
        b'"time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}',
        type=w.TradeWire,
    )
    converted = w.to_trade(trade, SPOT)
    assert (converted.side, converted.trade_id, converted.price) == (
        Side.SELL,
        "28457",
        D("4.000001"),
    )


def test_kline_array() -> None:
    raw = (
        b'[[1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",'
        b'1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"]]'
    )
    (kline,) = msgspec.json.decode(raw, type=list[w.KlineWire])
    candle = w.to_candle(kline, SPOT, "1m", now_ms=1499644800000)
    assert (candle.open, candle.high, candle.low, candle.close) == (
        D("0.01634790"),
        D("0.8"),
        D("0.015758"),
        D("0.015771"),
    )
    assert candle.closed
    assert not w.to_candle(kline, SPOT, "1m", now_ms=1499644700000).closed


def test_spot_order_shapes() -> None:
    order = msgspec.json.decode(
        b'{"symbol":"LTCBTC","orderId":1,"orderListId":-1,"clientOrderId":"myOrder1","price":"0.1",'
        b'"origQty":"1.0","executedQty":"0.5","cummulativeQuoteQty":"0.05","status":"PARTIALLY_FILLED",'
        b'"timeInForce":"GTC","type":"LIMIT","side":"BUY","stopPrice":"0.0","icebergQty":"0.0",'
        b'"time":1499827319559,"updateTime":1499827319560,"isWorking":true}',
        type=w.SpotOrderWire,
    )
    converted = w.spot_order(order, SPOT)
    assert converted.status is OrderStatus.PARTIALLY_FILLED
    assert converted.average_price == D("0.1")
    assert (converted.created_at, converted.updated_at) == (1499827319559, 1499827319560)
    cancel = msgspec.json.decode(
        b'{"symbol":"LTCBTC","origClientOrderId":"myOrder1","orderId":4,"orderListId":-1,'
        b'"clientOrderId":"cancelMyOrder1","transactTime":1684804350068,"price":"2.00000000",'
        b'"origQty":"1.00000000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000",'
        b'"status":"CANCELED","timeInForce":"GTC","type":"LIMIT_MAKER","side":"SELL"}',
        type=w.SpotOrderWire,
    )
    canceled = w.spot_order(cancel, SPOT)
    assert canceled.client_order_id == "myOrder1"  # the order's id, not the cancel's
    assert (canceled.type, canceled.time_in_force) == (OrderType.LIMIT, TimeInForce.POST_ONLY)
    assert canceled.average_price is None


def test_amend_keep_priority_shape() -> None:
    amended = msgspec.json.decode(
        b'{"transactTime":1741926410255,"executionId":75,"amendedOrder":{"symbol":"BTCUSDT",'
        b'"orderId":33,"orderListId":-1,"origClientOrderId":"5xrgbMyg6z36NzBn2pbT8H",'
        b'"clientOrderId":"PFaq6hIHxqFENGfdtn4J6Q","price":"6.00000000","qty":"5.00000000",'
        b'"executedQty":"0.00000000","preventedQty":"0.00000000","quoteOrderQty":"0.00000000",'
        b'"cumulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT",'
        b'"side":"SELL","workingTime":1741926410242,"selfTradePreventionMode":"NONE"}}',
        type=w.SpotAmendWire,
    )
    order = w.spot_amended(amended, SPOT, created_at=5)
    assert (order.quantity, order.price, order.side, order.created_at) == (D(5), D(6), Side.SELL, 5)


def test_futures_order_and_unknown_enum() -> None:
    raw = (
        b'{"clientOrderId":"testOrder","cumQty":"0","cumQuote":"0","executedQty":"0",'
        b'"orderId":22542179,"avgPrice":"0.00000","origQty":"10","price":"0","reduceOnly":true,'
        b'"side":"BUY","positionSide":"BOTH","status":"NEW","stopPrice":"9300","closePosition":false,'
        b'"symbol":"BTCUSDT","timeInForce":"GTX","type":"MARKET","origType":"MARKET",'
        b'"updateTime":1566818724722}'
    )
    order = w.futures_order(msgspec.json.decode(raw, type=w.FuturesOrderWire), PERP)
    assert order.reduce_only
    assert order.price is None and order.average_price is None
    assert order.time_in_force is TimeInForce.POST_ONLY
    bad = msgspec.json.decode(raw.replace(b'"NEW"', b'"WEIRD"'), type=w.FuturesOrderWire)
    with pytest.raises(ExchangeError, match="WEIRD"):
        w.futures_order(bad, PERP)


def test_spot_new_order_result_ack_is_the_order_after_matching() -> None:
    ack = msgspec.json.decode(
        b'{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"6gCrw2kRUAF9CvJDGP16IP",'
        b'"transactTime":1507725176595,"price":"0.00000000","origQty":"10.00000000",'
        b'"executedQty":"10.00000000","origQuoteOrderQty":"0.000000",'
        b'"cummulativeQuoteQty":"10.00000000","status":"FILLED","timeInForce":"GTC",'
        b'"type":"MARKET","side":"SELL","workingTime":1507725176595,'
        b'"selfTradePreventionMode":"NONE"}',
        type=w.SpotOrderWire,
    )
    order = w.spot_order(ack, SPOT)
    assert (order.order_id, order.client_order_id) == ("28", "6gCrw2kRUAF9CvJDGP16IP")
    assert (order.status, order.filled_quantity, order.average_price) == (
        OrderStatus.FILLED,
        D(10),
        D(1),
    )
    assert (order.type, order.price, order.side) == (OrderType.MARKET, None, Side.SELL)
    assert order.created_at == order.updated_at == 1507725176595


def test_cancel_and_modify_acks_keep_the_known_creation_time() -> None:
    spot_cancel = msgspec.json.decode(
        b'{"symbol":"LTCBTC","origClientOrderId":"myOrder1","orderId":4,"orderListId":-1,'
        b'"clientOrderId":"cancelMyOrder1","transactTime":1684804350068,"price":"2.00000000",'
        b'"origQty":"1.00000000","executedQty":"0.40000000","cummulativeQuoteQty":"0.80000000",'
        b'"status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"SELL"}',
        type=w.SpotOrderWire,
    )
    canceled = w.spot_order(spot_cancel, SPOT, created_at=1684804000000)
    assert (canceled.created_at, canceled.updated_at) == (1684804000000, 1684804350068)
    assert (canceled.status, canceled.filled_quantity) == (OrderStatus.CANCELED, D("0.4"))
    assert canceled.average_price == D(2)
    assert w.spot_order(spot_cancel, SPOT).created_at == 1684804350068  # unknown: the ack's
    modified = msgspec.json.decode(
        b'{"orderId":20072994037,"symbol":"BTCUSDT","pair":"BTCUSDT","status":"NEW",'
        b'"clientOrderId":"LJ9R4QZDihCaS8UAOOLpgW","price":"30005","avgPrice":"0.0",'
        b'"origQty":"1","executedQty":"0","cumQty":"0","cumBase":"0","timeInForce":"GTC",'
        b'"type":"LIMIT","reduceOnly":false,"closePosition":false,"side":"BUY",'
        b'"positionSide":"LONG","stopPrice":"0","workingType":"CONTRACT_PRICE",'
        b'"priceProtect":false,"origType":"LIMIT","priceMatch":"NONE",'
        b'"selfTradePreventionMode":"NONE","goodTillDate":0,"updateTime":1629182711600}',
        type=w.FuturesOrderWire,
    )
    order = w.futures_order(modified, PERP, created_at=1629182000000)
    assert (order.price, order.quantity, order.status) == (D(30005), D(1), OrderStatus.NEW)
    assert (order.created_at, order.updated_at) == (1629182000000, 1629182711600)


def test_futures_new_order_result_ack_reports_fills() -> None:
    ack = msgspec.json.decode(
        b'{"clientOrderId":"testOrder","cumQty":"2","cumQuote":"60000","executedQty":"2",'
        b'"orderId":22542179,"avgPrice":"30000.00000","origQty":"10","price":"30000",'
        b'"reduceOnly":false,"side":"BUY","positionSide":"BOTH","status":"PARTIALLY_FILLED",'
        b'"stopPrice":"0","closePosition":false,"symbol":"BTCUSDT","timeInForce":"GTC",'
        b'"type":"LIMIT","origType":"LIMIT","updateTime":1566818724722,'
        b'"workingType":"CONTRACT_PRICE","priceProtect":false,"priceMatch":"NONE",'
        b'"selfTradePreventionMode":"NONE","goodTillDate":0}',
        type=w.FuturesOrderWire,
    )
    order = w.futures_order(ack, PERP)
    assert (order.status, order.filled_quantity, order.average_price) == (
        OrderStatus.PARTIALLY_FILLED,
        D(2),
        D(30000),
    )
    assert order.created_at == order.updated_at == 1566818724722


CANCEL_REPLACE = (
    b'{"cancelResult":"SUCCESS","newOrderResult":"SUCCESS","cancelResponse":{"symbol":"BTCUSDT",'
    b'"origClientOrderId":"DnLo3vTAQcjha43lAZhZ0y","orderId":9,"orderListId":-1,'
    b'"clientOrderId":"osxN3JXAtJvKvCqGeMWMVR","transactTime":1684804350068,'
    b'"price":"0.01000000","origQty":"0.000100","executedQty":"0.00000000",'
    b'"cummulativeQuoteQty":"0.00000000","status":"CANCELED","timeInForce":"GTC",'
    b'"type":"LIMIT","side":"SELL","selfTradePreventionMode":"NONE"},'
    b'"newOrderResponse":{"symbol":"BTCUSDT","orderId":10,"orderListId":-1,'
    b'"clientOrderId":"wOceeeOzNORyLiQfw7jd8S","transactTime":1652928801803,'
    b'"price":"0.02000000","origQty":"0.040000","executedQty":"0.00000000",'
    b'"cummulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT",'
    b'"side":"BUY","workingTime":1669277163808,"fills":[],"selfTradePreventionMode":"NONE"}}'
)


def test_cancel_replace_ack_is_the_replacement() -> None:
    wire = msgspec.json.decode(CANCEL_REPLACE, type=w.CancelReplaceWire)
    order = w.spot_replaced(wire, SPOT)
    assert (order.order_id, order.client_order_id) == ("10", "wOceeeOzNORyLiQfw7jd8S")
    assert (order.price, order.quantity, order.status) == (D("0.02"), D("0.04"), OrderStatus.NEW)
    assert wire.cancelResponse is not None
    old = w.spot_order(wire.cancelResponse, SPOT)
    assert (old.order_id, old.client_order_id, old.status) == (
        "9",
        "DnLo3vTAQcjha43lAZhZ0y",
        OrderStatus.CANCELED,
    )
    without = msgspec.json.decode(
        b'{"cancelResult":"SUCCESS","newOrderResult":"SUCCESS"}', type=w.CancelReplaceWire
    )
    with pytest.raises(ExchangeError, match="without a new order"):
        w.spot_replaced(without, SPOT)


def test_order_params() -> None:
    post = OrderRequest(
        PERP,
        Side.SELL,
        OrderType.LIMIT,
        D("0.010"),
        D("30000.5"),
        TimeInForce.POST_ONLY,
        reduce_only=True,
    )
    params = w.futures_order_params(post, "BTCUSDT", "cid")
    assert params["timeInForce"] == "GTX" and params["reduceOnly"] == "true"
    assert w.batch_item(params)["quantity"] == "0.010"
    spot_post = OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, D(1), D("0.1"), TimeInForce.POST_ONLY)
    spot = w.spot_order_params(spot_post, "ETHBTC", "cid")
    assert spot["type"] == "LIMIT_MAKER" and "timeInForce" not in spot
    ioc = w.spot_order_params(
        OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, D(1), D("0.1"), TimeInForce.IOC),
        "ETHBTC",
        "c",
    )
    assert (ioc["type"], ioc["timeInForce"]) == ("LIMIT", "IOC")
    market = w.spot_order_params(
        OrderRequest(SPOT, Side.BUY, OrderType.MARKET, D(1)), "ETHBTC", "c"
    )
    assert market["type"] == "MARKET" and "timeInForce" not in market and market["price"] is None


def test_fills_balances_positions() -> None:
    spot_fill = msgspec.json.decode(
        b'{"symbol":"BNBBTC","id":28457,"orderId":100234,"orderListId":-1,"price":"4.00000100",'
        b'"qty":"12.00000000","quoteQty":"48.000012","commission":"10.10000000",'
        b'"commissionAsset":"BNB","time":1499865549590,"isBuyer":true,"isMaker":false,'
        b'"isBestMatch":true}',
        type=w.SpotFillWire,
    )
    fill = w.spot_fill(spot_fill, SPOT)
    assert (fill.side, fill.fee, fill.fee_asset, fill.is_maker) == (
        Side.BUY,
        D("10.1"),
        "BNB",
        False,
    )
    fut_fill = msgspec.json.decode(
        b'{"buyer":false,"commission":"-0.07819010","commissionAsset":"USDT","id":698759,'
        b'"maker":false,"orderId":25851813,"price":"7819.01","qty":"0.002","quoteQty":"15.63802",'
        b'"realizedPnl":"-0.91539999","side":"SELL","positionSide":"SHORT","symbol":"BTCUSDT",'
        b'"time":1569514978020}',
        type=w.FuturesFillWire,
    )
    assert w.futures_fill(fut_fill, PERP).fee == D("-0.07819010")
    account = msgspec.json.decode(
        b'{"makerCommission":15,"balances":[{"asset":"BTC","free":"4723846.89208129",'
        b'"locked":"0.00000000"},{"asset":"LTC","free":"0","locked":"0"}],"uid":1}',
        type=w.SpotAccountWire,
    )
    assert [b.asset for b in w.spot_balances(account)] == ["BTC"]
    fut_balance = msgspec.json.decode(
        b'[{"accountAlias":"SgsR","asset":"USDT","balance":"122607.35137903",'
        b'"crossWalletBalance":"23.72469206","crossUnPnl":"0.00000000",'
        b'"availableBalance":"23.72469206","maxWithdrawAmount":"23.72469206",'
        b'"marginAvailable":true,"updateTime":1617939110373}]',
        type=list[w.FuturesBalanceWire],
    )[0]
    balance = w.futures_balance(
        fut_balance.asset, fut_balance.balance, fut_balance.crossWalletBalance
    )
    assert balance.total == D("122607.35137903") and balance.wallet == "futures"
    risk = msgspec.json.decode(
        b'{"entryPrice":"6563.6","breakEvenPrice":"0.0","marginType":"isolated",'
        b'"isAutoAddMargin":"false","isolatedMargin":"15.5","leverage":"10",'
        b'"liquidationPrice":"5930.78","markPrice":"6679.50671178","maxNotionalValue":"20000000",'
        b'"positionAmt":"-0.010","notional":"-66.8","isolatedWallet":"15","symbol":"BTCUSDT",'
        b'"unRealizedProfit":"-1.15900000","positionSide":"BOTH","updateTime":7}',
        type=w.PositionRiskWire,
    )
    position = w.to_position(risk, PERP)
    assert (position.side, position.quantity, position.margin_mode) == (
        PositionSide.SHORT,
        D("0.010"),
        MarginMode.ISOLATED,
    )
    assert (position.liquidation_price, position.margin, position.leverage) == (
        D("5930.78"),
        D("15.5"),
        D(10),
    )


def test_leverage_brackets_numbers() -> None:
    raw = (
        b'[{"symbol":"ETHUSDT","notionalCoef":1.50,"brackets":[{"bracket":2,"initialLeverage":50,'
        b'"notionalCap":50000,"notionalFloor":10000,"maintMarginRatio":0.01,"cum":35},'
        b'{"bracket":1,"initialLeverage":75,"notionalCap":10000,"notionalFloor":0,'
        b'"maintMarginRatio":0.0065,"cum":0}]}]'
    )
    (entry,) = msgspec.json.decode(raw, type=list[w.SymbolBracketsWire])
    first, second = w.to_brackets(entry, PERP)
    assert (first.tier, first.maintenance_margin_rate, first.max_leverage) == (
        1,
        D("0.0065"),
        D(75),
    )
    assert (second.notional_floor, second.maintenance_amount) == (D(10000), D(35))


def test_user_data_events() -> None:
    report = msgspec.json.decode(
        b'{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW",'
        b'"S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000",'
        b'"F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":4293153,'
        b'"l":"0.40000000","z":"0.40000000","L":"0.10264410","n":"0.0004","N":"ETH",'
        b'"T":1499405658657,"t":77,"I":8641984,"w":true,"m":true,"M":false,"O":1499405658600,'
        b'"Z":"0.041057640","Y":"0","Q":"0.00000000"}',
        type=w.ExecutionReportWire,
    )
    order, fill = w.execution_report(report, SPOT)
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.average_price == D("0.1026441")
    assert fill is not None
    assert (fill.trade_id, fill.quantity, fill.fee, fill.is_maker) == (
        "77",
        D("0.4"),
        D("0.0004"),
        True,
    )
    update = msgspec.json.decode(
        b'{"e":"ORDER_TRADE_UPDATE","E":1568879465651,"T":1568879465650,"o":{"s":"BTCUSDT",'
        b'"c":"TEST","S":"SELL","o":"LIMIT","f":"GTC","q":"0.001","p":"7103.04","ap":"0",'
        b'"sp":"0","x":"NEW","X":"NEW","i":8886774,"l":"0","z":"0","L":"0","T":1568879465650,'
        b'"t":0,"b":"0","a":"9.91","m":false,"R":false,"wt":"CONTRACT_PRICE","ot":"LIMIT",'
        b'"ps":"BOTH","cp":false,"rp":"0","pP":false,"si":0,"ss":0}}',
        type=w.OrderTradeUpdateWire,
    )
    fut_order, no_fill = w.order_trade_update(update, PERP)
    assert (
        no_fill is None and fut_order.average_price is None and fut_order.client_order_id == "TEST"
    )
    account = msgspec.json.decode(
        b'{"e":"ACCOUNT_UPDATE","E":1564745798939,"T":1564745798938,"a":{"m":"ORDER",'
        b'"B":[{"a":"USDT","wb":"122624.12345678","cw":"100.12345678","bc":"50.12345678"}],'
        b'"P":[{"s":"BTCUSDT","pa":"0.5","ep":"30000","bep":"0","cr":"200","up":"1.5",'
        b'"mt":"isolated","iw":"1500","ps":"BOTH"}]}}',
        type=w.AccountUpdateWire,
    )
    (bal,) = account.a.B
    assert w.futures_balance(bal.a, bal.wb, bal.cw).locked == D("122524")
    position = w.update_position(account.a.P[0], PERP, D(20), account.T)
    assert (position.side, position.margin, position.leverage) == (
        PositionSide.LONG,
        D(1500),
        D(20),
    )


def test_withdrawal_and_deposit_statuses() -> None:
    row = msgspec.json.decode(
        b'{"id":"b6ae22b3aa844210a7041aee7589627c","amount":"8.91000000","transactionFee":"0.004",'
        b'"coin":"USDT","status":6,"address":"0x94df8b352de7f46f64b01d3666bf6e936e44ce60",'
        b'"txId":"0xb5ef8c13b968a406cc62a93a8bd80f9e9a906ef1b3fcf20a2e48573c17659268",'
        b'"applyTime":"2019-10-12 11:12:02","network":"ETH","transferType":0}',
        type=w.WithdrawWire,
    )
    withdrawal = w.to_withdrawal(row)
    assert withdrawal.status is TransferStatus.COMPLETED
    assert withdrawal.timestamp == 1570878722000
    assert withdrawal.fee == D("0.004")
    deposit = msgspec.json.decode(
        b'{"id":"769800519366885376","amount":"0.001","coin":"BNB","network":"BNB","status":0,'
        b'"address":"bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23","addressTag":"101764890",'
        b'"txId":"98A3EA56","insertTime":1661493146000,"transferType":0,"confirmTimes":"1/1"}',
        type=w.DepositWire,
    )
    assert w.to_deposit(deposit).status is TransferStatus.PENDING
    with pytest.raises(ExchangeError):
        w.parse_apply_time("12/10/2019")

"""Decoding of documented reply and push shapes, and their conversion to core types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotusx.connectors.coinbase import wire as w
from lotusx.connectors.coinbase.connector import rfc3339
from lotusx.core.errors import ExchangeError, InvalidOrderError
from lotusx.core.types import (
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

BTC_USD = Symbol("BTC", "USD")


# ----------------------------------------------------------------------------- RFC 3339


def test_rfc3339_nanoseconds_truncate_to_the_millisecond() -> None:
    assert w.ms("2023-02-09T20:32:50.714964855Z") == 1675974770714
    assert w.ms("2023-02-09T20:32:50Z") == 1675974770000
    assert w.ms("2023-02-09T20:32:50.7Z") == 1675974770700
    assert w.ms("1970-01-01T00:00:00Z") == 0
    assert w.ms("2023-02-09T22:32:50.5+02:00") == 1675974770500
    assert w.ms("1969-12-31T23:59:59.9999Z") == -1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2023-02-09",
        "2023-02-09T20:32:50",  # no offset
        "2023-02-30T00:00:00Z",
        "2023-02-09T24:00:00Z",
        "2023-02-09T20:32:50.1234567891Z",  # ten fractional digits
        "1675974770714",
        "2023-02-09T20:32:50.714+25:00",
    ],
)
def test_rfc3339_refuses_what_is_not_one(text: str) -> None:
    with pytest.raises(ExchangeError, match="coinbase"):
        w.ms(text)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.integers(0, 999),
    st.integers(0, 9),
    st.integers(-23 * 60, 23 * 60),
)
def test_rfc3339_parses_exactly(moment: datetime, nanos: int, digits: int, offset_min: int) -> None:
    instant = moment.replace(tzinfo=UTC)
    exact_ns = (instant - _EPOCH) // timedelta(microseconds=1) * 1000 + nanos
    frac9 = f"{instant.microsecond:06d}{nanos:03d}"
    frac = frac9[:digits]
    exact_ns -= int(frac9) - int(frac.ljust(9, "0") or "0")  # what the kept digits say
    local = instant + timedelta(minutes=offset_min)
    sign = "+" if offset_min >= 0 else "-"
    hh, mm = divmod(abs(offset_min), 60)
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "")
    text += f"{sign}{hh:02d}:{mm:02d}" if offset_min else "Z"
    assert w.ms(text) == exact_ns // 1_000_000


@given(st.integers(-2_000_000_000_000, 5_000_000_000_000))
def test_rfc3339_round_trip(ms: int) -> None:
    assert w.ms(rfc3339(ms)) == ms


# ----------------------------------------------------------------------------- products

PRODUCTS = b"""{"products":[
 {"product_id":"BTC-USD","price":"140.21","price_percentage_change_24h":"9.43%",
  "volume_24h":"1908432","volume_percentage_change_24h":"9.43%","base_increment":"0.00000001",
  "quote_increment":"0.01","quote_min_size":"1","quote_max_size":"150000000",
  "base_min_size":"0.00000001","base_max_size":"3400","base_name":"Bitcoin",
  "quote_name":"US Dollar",
  "watched":true,"is_disabled":false,"new":true,"status":"online","cancel_only":false,
  "limit_only":false,"post_only":false,"trading_disabled":false,"auction_mode":false,
  "product_type":"SPOT","quote_currency_id":"USD","base_currency_id":"BTC",
  "fcm_trading_session_details":null,"mid_market_price":"140.22","alias":"","alias_to":["BTC-USDC"],
  "base_display_symbol":"BTC","quote_display_symbol":"USD","view_only":false,
  "price_increment":"0.01","display_name":"BTC-USD"},
 {"product_id":"BIT-28JUL23-CDE","base_increment":"1","quote_increment":"5","base_min_size":"1",
  "product_type":"FUTURE","status":"online","base_currency_id":"","quote_currency_id":"USD",
  "price_increment":"5"}],
 "num_products":2}"""


def test_products_to_spot_instruments() -> None:
    reply = msgspec.json.decode(PRODUCTS, type=w.ProductsWire)
    found = [i for p in reply.products if (i := w.to_instrument(p)) is not None]
    assert len(found) == 1
    inst = found[0]
    assert inst.symbol == BTC_USD and str(inst.symbol) == "BTC/USD"
    assert inst.native_id == "BTC-USD"
    assert (inst.tick_size, inst.lot_size) == (Decimal("0.01"), Decimal("0.00000001"))
    assert (inst.min_quantity, inst.max_quantity) == (Decimal("0.00000001"), Decimal(3400))
    assert inst.min_notional == Decimal(1) and inst.active


def test_disabled_product_is_inactive() -> None:
    product = msgspec.json.decode(PRODUCTS, type=w.ProductsWire).products[0]
    inst = w.to_instrument(msgspec.structs.replace(product, cancel_only=True))
    assert inst is not None and not inst.active


def test_product_without_increments_is_refused() -> None:
    product = msgspec.json.decode(PRODUCTS, type=w.ProductsWire).products[0]
    with pytest.raises(ExchangeError, match="base_increment"):
        w.to_instrument(msgspec.structs.replace(product, base_increment=""))


# ----------------------------------------------------------------------------- market data

BOOK = b"""{"pricebook":{"product_id":"BTC-USD",
 "bids":[{"price":"65000.00","size":"0.5"},{"price":"64999.99","size":"1.25"}],
 "asks":[{"price":"65000.01","size":"0.75"}],"time":"2024-01-01T00:00:00.123456Z"},
 "last":"65000","mid_market":"65000.005","spread_bps":"0.0015","spread_absolute":"0.01"}"""


def test_product_book() -> None:
    reply = msgspec.json.decode(BOOK, type=w.BookReplyWire)
    book = w.to_orderbook(reply.pricebook, BTC_USD, 1, 0)
    assert [(lv.price, lv.quantity) for lv in book.bids] == [(Decimal(65000), Decimal("0.5"))]
    assert book.asks[0].price == Decimal("65000.01")
    assert book.timestamp == 1704067200123 and book.sequence == 0


@pytest.mark.parametrize("side", ["bids", "asks"])
def test_product_book_without_a_side_is_refused(side: str) -> None:
    # Found by the fault suite: a pricebook missing "asks" was read as a book with no asks.
    body = msgspec.json.decode(BOOK)
    del body["pricebook"][side]
    with pytest.raises(msgspec.ValidationError, match=side):
        msgspec.json.decode(msgspec.json.encode(body), type=w.BookReplyWire)


TICKER = b"""{"trades":[
 {"trade_id":"34b080bf-fcfd-445a-832b-46b5ddc65601","product_id":"BTC-USD","price":"140.91",
  "size":"4","time":"2021-05-31T09:59:59.000Z","side":"BUY","bid":"291.13","ask":"292.40",
  "exchange":"CBE"},
 {"trade_id":"1","product_id":"BTC-USD","price":"140.90","size":"1","time":"2021-05-31T09:59:58Z",
  "side":"SELL"}],
 "best_bid":"291.13","best_ask":"292.40"}"""


def test_ticker_and_trades() -> None:
    reply = msgspec.json.decode(TICKER, type=w.TickerReplyWire)
    ticker = w.to_ticker(reply, BTC_USD, 0)
    assert (ticker.last, ticker.bid, ticker.ask) == (
        Decimal("140.91"),
        Decimal("291.13"),
        Decimal("292.40"),
    )
    assert ticker.timestamp == 1622455199000
    trade = w.to_trade(reply.trades[1], BTC_USD)
    # Coinbase's "SELL" is the maker's side: the taker bought
    assert (trade.trade_id, trade.side, trade.quantity) == ("1", Side.BUY, Decimal(1))


CANDLES = b"""{"candles":[{"start":"1639508050","low":"140.21","high":"140.21","open":"140.21",
 "close":"140.21","volume":"56437345"}]}"""


def test_candles() -> None:
    row = msgspec.json.decode(CANDLES, type=w.CandlesReplyWire).candles[0]
    candle = w.to_candle(row, BTC_USD, "1m", 1639508050000 + 60_000)
    assert candle.open_time == 1639508050000 and candle.closed
    assert candle.volume == Decimal(56437345)
    assert w.granularity("1h") == ("ONE_HOUR", 3_600_000)
    with pytest.raises(InvalidOrderError, match="interval"):
        w.granularity("3m")


def test_time() -> None:
    wire = msgspec.json.decode(
        b'{"iso":"2023-05-11T21:25:17.551Z","epochSeconds":"1683840317","epochMillis":"1683840317551"}',
        type=w.TimeWire,
    )
    assert w.server_ms(wire) == 1683840317551
    assert w.server_ms(w.TimeWire(iso="2023-05-11T21:25:17.551Z")) == 1683840317551


# ----------------------------------------------------------------------------- orders

ORDER = b"""{"order":{"order_id":"0000-000000-000000","product_id":"BTC-USD","user_id":"2222",
 "order_configuration":{"limit_limit_gtc":{"base_size":"0.001","limit_price":"10000.00",
 "post_only":false}},"side":"BUY","client_order_id":"11111-000000-000000","status":"OPEN",
 "time_in_force":"GOOD_UNTIL_CANCELLED","created_time":"2021-05-31T09:59:59.000Z",
 "completion_percentage":"50","filled_size":"0.0005","average_filled_price":"9999.5",
 "fee":"","number_of_fills":"2","filled_value":"5","pending_cancel":false,"size_in_quote":false,
 "total_fees":"0.05","size_inclusive_of_fees":false,"total_value_after_fees":"5.05",
 "trigger_status":"INVALID_ORDER_TYPE","order_type":"LIMIT","reject_reason":"","settled":false,
 "product_type":"SPOT","reject_message":"","cancel_message":"","order_placement_source":"RETAIL_ADVANCED",
 "outstanding_hold_amount":"5","is_liquidation":false,"last_fill_time":"2021-05-31T10:00:01.5Z",
 "edit_history":[],"leverage":"","margin_type":"UNKNOWN_MARGIN_TYPE"}}"""


def test_order() -> None:
    row = msgspec.json.decode(ORDER, type=w.GetOrderReplyWire).order
    order = w.to_order(row, BTC_USD)
    assert order.order_id == "0000-000000-000000"
    assert order.client_order_id == "11111-000000-000000"
    assert (order.side, order.type, order.time_in_force) == (
        Side.BUY,
        OrderType.LIMIT,
        TimeInForce.GTC,
    )
    assert (order.quantity, order.price) == (Decimal("0.001"), Decimal(10000))
    assert order.filled_quantity == Decimal("0.0005")
    assert order.average_price == Decimal("9999.5")
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert (order.created_at, order.updated_at) == (1622455199000, 1622455201500)


@pytest.mark.parametrize(
    ("config", "kind", "tif"),
    [
        (b'{"sor_limit_ioc":{"base_size":"1","limit_price":"2"}}', OrderType.LIMIT, "ioc"),
        (b'{"limit_limit_fok":{"base_size":"1","limit_price":"2"}}', OrderType.LIMIT, "fok"),
        (
            b'{"limit_limit_gtc":{"base_size":"1","limit_price":"2","post_only":true}}',
            OrderType.LIMIT,
            "post_only",
        ),
        (b'{"market_market_ioc":{"base_size":"1"}}', OrderType.MARKET, "ioc"),
    ],
)
def test_order_shapes(config: bytes, kind: OrderType, tif: str) -> None:
    raw = (
        b'{"order_id":"1","product_id":"BTC-USD","side":"SELL","status":"CANCELLED",'
        b'"filled_size":"0","order_configuration":' + config + b"}"
    )
    order = w.to_order(msgspec.json.decode(raw, type=w.OrderWire), BTC_USD)
    assert (order.type, order.time_in_force.value) == (kind, tif)
    assert order.status is OrderStatus.CANCELED and order.quantity == Decimal(1)


# Found by the fault suite (malformed order bodies): each was read as a plausible order.
@pytest.mark.parametrize(
    ("fields", "config", "error"),
    [
        ("", b'{"limit_limit_gtc":{"base_size":"1","limit_price":"2"}}', "filled_size"),
        ('"filled_size":"-1",', b'{"limit_limit_gtc":{"base_size":"1","limit_price":"2"}}',
         "negative"),
        ('"filled_size":"0",', b'{"limit_limit_gtc":{"limit_price":"2"}}', "base_size"),
        ('"filled_size":"0",', b'{"limit_limit_gtc":{"base_size":"","limit_price":"2"}}',
         "base_size"),
        ('"filled_size":"0",', b'{"limit_limit_gtc":{"base_size":"-1","limit_price":"2"}}',
         "base_size"),
        ('"filled_size":"0",', b'{"limit_limit_gtc":{"base_size":"1"}}', "limit_price"),
        ('"filled_size":"0",', b'{"sor_limit_ioc":{"base_size":"1","limit_price":"0"}}',
         "limit_price"),
    ],
)  # fmt: skip
def test_orders_missing_or_impossible_sizes_are_refused(
    fields: str, config: bytes, error: str
) -> None:
    raw = (
        b'{"order_id":"1","product_id":"BTC-USD","side":"BUY","status":"OPEN",'
        + fields.encode()
        + b'"order_configuration":'
        + config
        + b"}"
    )
    with pytest.raises((ExchangeError, msgspec.ValidationError), match=error):
        w.to_order(msgspec.json.decode(raw, type=w.OrderWire), BTC_USD)


def test_quote_sized_market_order_is_as_large_as_its_fills() -> None:
    raw = (
        b'{"order_id":"1","product_id":"BTC-USD","side":"BUY","status":"FILLED",'
        b'"filled_size":"0.25","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}'
    )
    order = w.to_order(msgspec.json.decode(raw, type=w.OrderWire), BTC_USD)
    assert order.quantity == order.filled_quantity == Decimal("0.25") and order.price is None


def test_unknown_status_and_stop_orders_are_refused() -> None:
    raw = (
        b'{"order_id":"1","product_id":"BTC-USD","side":"BUY","status":"%s",'
        b'"filled_size":"0","order_configuration":%s}'
    )
    bad_status = raw % (b"WEIRD", b'{"market_market_ioc":{"base_size":"1"}}')
    with pytest.raises(ExchangeError, match="order status"):
        w.to_order(msgspec.json.decode(bad_status, type=w.OrderWire), BTC_USD)
    stop = raw % (b"OPEN", b'{"stop_limit_stop_limit_gtc":{"base_size":"1"}}')
    row = msgspec.json.decode(stop, type=w.OrderWire)
    assert not w.is_handled(row)
    with pytest.raises(ExchangeError):
        w.to_order(row, BTC_USD)


@pytest.mark.parametrize(
    ("tif", "otype", "expected"),
    [
        (
            TimeInForce.GTC,
            OrderType.LIMIT,
            {"limit_limit_gtc": {"base_size": "0.5", "limit_price": "100", "post_only": False}},
        ),
        (
            TimeInForce.POST_ONLY,
            OrderType.LIMIT,
            {"limit_limit_gtc": {"base_size": "0.5", "limit_price": "100", "post_only": True}},
        ),
        (
            TimeInForce.IOC,
            OrderType.LIMIT,
            {"sor_limit_ioc": {"base_size": "0.5", "limit_price": "100"}},
        ),
        (
            TimeInForce.FOK,
            OrderType.LIMIT,
            {"limit_limit_fok": {"base_size": "0.5", "limit_price": "100"}},
        ),
        (TimeInForce.IOC, OrderType.MARKET, {"market_market_ioc": {"base_size": "0.5"}}),
    ],
)
def test_order_body(tif: TimeInForce, otype: OrderType, expected: dict[str, object]) -> None:
    price = Decimal("100.00") if otype is OrderType.LIMIT else None
    request = OrderRequest(BTC_USD, Side.SELL, otype, Decimal("0.50"), price, tif, "c1")
    body = w.order_body(request, "BTC-USD", "c1")
    encoded = msgspec.json.decode(
        msgspec.json.encode(body, enc_hook=lambda d: format(d, "f")), type=dict
    )
    assert encoded == {
        "client_order_id": "c1",
        "product_id": "BTC-USD",
        "side": "SELL",
        "order_configuration": expected,
    }


def test_reduce_only_is_refused_on_spot() -> None:
    request = OrderRequest(
        BTC_USD, Side.SELL, OrderType.MARKET, Decimal(1), None, TimeInForce.IOC, "c", True
    )
    with pytest.raises(InvalidOrderError, match="reduce_only"):
        w.order_body(request, "BTC-USD", "c")


def test_create_replies() -> None:
    ok = msgspec.json.decode(
        b"""{"success":true,"success_response":{"order_id":"11111-00000-000000",
        "product_id":"BTC-USD","side":"BUY","client_order_id":"0000-00000-000000"},
        "order_configuration":{"market_market_ioc":{"quote_size":"10"}}}""",
        type=w.CreateReplyWire,
    )
    assert ok.success and w.created_id(ok) == "11111-00000-000000"
    failed = msgspec.json.decode(
        b"""{"success":false,"error_response":{"error":"UNKNOWN_FAILURE_REASON",
        "message":"insufficient balance","error_details":"",
        "preview_failure_reason":"PREVIEW_INSUFFICIENT_FUND",
        "new_order_failure_reason":"UNKNOWN_FAILURE_REASON"}}""",
        type=w.CreateReplyWire,
    )
    assert not failed.success and w.created_id(failed) == ""
    assert failed.error_response is not None


FILLS = b"""{"fills":[{"entry_id":"22222-2222222-22222222","trade_id":"1111-11111-111111",
 "order_id":"0000-000000-000000","trade_time":"2021-05-31T09:59:59.000Z","trade_type":"FILL",
 "price":"10000.00","size":"0.001","commission":"1.25","product_id":"BTC-USD",
 "sequence_timestamp":"2021-05-31T09:58:59.000Z","liquidity_indicator":"MAKER",
 "size_in_quote":false,"user_id":"3333-333333-3333333","side":"BUY"}],"cursor":"789100"}"""


def test_fills() -> None:
    reply = msgspec.json.decode(FILLS, type=w.FillsReplyWire)
    fill = w.to_fill(reply.fills[0], BTC_USD, "c1")
    assert (fill.trade_id, fill.order_id, fill.client_order_id) == (
        "1111-11111-111111",
        "0000-000000-000000",
        "c1",
    )
    assert (fill.price, fill.quantity, fill.fee, fill.fee_asset) == (
        Decimal(10000),
        Decimal("0.001"),
        Decimal("1.25"),
        "USD",
    )
    assert fill.is_maker and fill.side is Side.BUY and fill.timestamp == 1622455199000
    assert reply.cursor == "789100"


# ----------------------------------------------------------------------------- account

ACCOUNTS = b"""{"accounts":[{"uuid":"8bfc20d7-f7c6-4422-bf07-8243ca4169fe","name":"BTC Wallet",
 "currency":"BTC","available_balance":{"value":"1.23","currency":"BTC"},"default":false,
 "active":true,"created_at":"2021-05-31T09:59:59.000Z","updated_at":"2021-05-31T09:59:59.000Z",
 "deleted_at":null,"type":"ACCOUNT_TYPE_CRYPTO","ready":true,"hold":{"value":"0.5","currency":"BTC"},
 "retail_portfolio_id":"b87a2d3f-8a1e-49b3-a4ea-402d8c389aca"}],
 "has_next":true,"cursor":"789100","size":1}"""


def test_accounts() -> None:
    reply = msgspec.json.decode(ACCOUNTS, type=w.AccountsReplyWire)
    balance = w.to_balance(reply.accounts[0], "spot")
    assert (balance.asset, balance.free, balance.locked, balance.wallet) == (
        "BTC",
        Decimal("1.23"),
        Decimal("0.5"),
        "spot",
    )
    assert reply.has_next and reply.cursor == "789100"


def test_transaction_summary_and_portfolios() -> None:
    summary = msgspec.json.decode(
        b"""{"total_volume":1000,"total_fees":25,"fee_tier":{"pricing_tier":"<$10k",
        "usd_from":"0","usd_to":"10000","taker_fee_rate":"0.0010","maker_fee_rate":"0.0020",
        "aop_from":"","aop_to":""},"margin_rate":{"value":"0.5"},"advanced_trade_only_volume":1000}""",
        type=w.TransactionSummaryWire,
    )
    fee = w.to_fee(summary, BTC_USD)
    assert (fee.maker, fee.taker) == (Decimal("0.0020"), Decimal("0.0010"))
    portfolios = msgspec.json.decode(
        b"""{"portfolios":[{"name":"Default","uuid":"u1","type":"DEFAULT","deleted":false}]}""",
        type=w.PortfoliosReplyWire,
    )
    assert portfolios.portfolios[0].uuid == "u1"


def test_malformed_amount_is_an_exchange_error() -> None:
    wire = w.AccountWire("BTC", w.AmountWire("NaN"))
    with pytest.raises(ExchangeError, match="coinbase"):
        w.to_balance(wire, "spot")


# ----------------------------------------------------------------------------- pushes

L2 = b"""{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z",
 "sequence_num":0,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[
 {"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.73","new_quantity":"0.06317902"},
 {"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21921.74","new_quantity":"0.2"}]}]}"""


def test_l2_push() -> None:
    message = msgspec.json.decode(L2, type=w.L2MessageWire)
    bids, asks = w.split_updates(message.events[0].updates)
    assert bids == [("21921.73", "0.06317902")] and asks == [("21921.74", "0.2")]
    bad = [w.L2UpdateWire("middle", "1", "1")]
    with pytest.raises(ExchangeError, match="side"):
        w.split_updates(bad)


TRADES = b"""{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z",
 "sequence_num":0,"events":[{"type":"snapshot","trades":[{"trade_id":"000000000",
 "product_id":"ETH-USD","price":"1260.01","size":"0.3","side":"BUY",
 "time":"2019-08-14T20:42:27.265Z"}]}]}"""


def test_market_trades_push() -> None:
    message = msgspec.json.decode(TRADES, type=w.TradesMessageWire)
    trade = w.ws_trade(message.events[0].trades[0], Symbol("ETH", "USD"))
    assert (trade.price, trade.quantity, trade.timestamp) == (
        Decimal("1260.01"),
        Decimal("0.3"),
        1565815347265,
    )


USER = b"""{"channel":"user","client_id":"","timestamp":"2023-02-09T20:33:57.609931463Z",
 "sequence_num":0,"events":[{"type":"update","orders":[{"order_id":"XXX",
 "client_order_id":"YYY","cumulative_quantity":"0.4","leaves_quantity":"0.6","avg_price":"100.5",
 "total_fees":"0.1","status":"OPEN","product_id":"BTC-USD",
 "creation_time":"2022-12-07T19:42:18.719312Z","order_side":"BUY","order_type":"Limit",
 "limit_price":"101","time_in_force":"GOOD_UNTIL_CANCELLED","post_only":false}]}]}"""


def test_user_push() -> None:
    message = msgspec.json.decode(USER, type=w.UserMessageWire)
    row = message.events[0].orders[0]
    order = w.user_order(row, BTC_USD, None, 1_700_000_000_000)
    assert (order.quantity, order.filled_quantity, order.price) == (
        Decimal(1),
        Decimal("0.4"),
        Decimal(101),
    )
    assert order.status is OrderStatus.PARTIALLY_FILLED and order.type is OrderType.LIMIT
    canceled = msgspec.structs.replace(row, status="CANCELLED", leaves_quantity="0")
    assert w.user_order(canceled, BTC_USD, Decimal(1), 0).quantity == Decimal(1)


def test_a_rest_read_after_a_push_is_not_older_than_the_push() -> None:
    # Found by the fault suite (private gaps): a push's updated_at was its time of receipt, so
    # the REST state of an order canceled in a gap (updated_at = its creation, Coinbase gives
    # no cancel time) looked older than the last push and the catch-up dropped the cancel.
    message = msgspec.json.decode(USER, type=w.UserMessageWire)
    row = msgspec.structs.replace(message.events[0].orders[0], cumulative_quantity="0")
    pushed = w.user_order(row, BTC_USD, None, 1_900_000_000_000)  # received much later
    rest = msgspec.json.decode(
        b'{"order_id":"%s","product_id":"BTC-USD","side":"BUY","status":"CANCELLED",'
        b'"filled_size":"0","created_time":"%s",'
        b'"order_configuration":{"limit_limit_gtc":{"base_size":"1","limit_price":"101"}}}'
        % (row.order_id.encode(), row.creation_time.encode()),
        type=w.OrderWire,
    )
    read = w.to_order(rest, BTC_USD)
    assert read.status is OrderStatus.CANCELED
    assert pushed.updated_at <= read.updated_at
    assert pushed.created_at == read.created_at


def test_market_trades_side_is_the_makers() -> None:
    """``market_trades`` sends the maker's side; `Trade.side` is the taker's (the opposite)."""
    raw = b"""{"trade_id":"7","product_id":"BTC-USD","price":"10","size":"2","side":"BUY",
     "time":"2019-08-14T20:42:27.265Z"}"""
    trade = w.ws_trade(msgspec.json.decode(raw, type=w.WsTradeWire), BTC_USD)
    assert trade.side is Side.SELL


def test_transient_statuses_are_open() -> None:
    """EDIT_QUEUED (an edit being applied) and UNKNOWN_ORDER_STATUS are open, not errors."""
    for status in ("EDIT_QUEUED", "UNKNOWN_ORDER_STATUS", "QUEUED", "CANCEL_QUEUED", "PENDING"):
        assert w.order_status(status, Decimal(0)) is OrderStatus.NEW
        assert w.order_status(status, Decimal(1)) is OrderStatus.PARTIALLY_FILLED


def test_bodies_send_plain_decimal_strings() -> None:
    """Amounts go out as plain decimal strings in every body, never ``5E-7``/``6E+4``."""
    request = OrderRequest(
        BTC_USD,
        Side.BUY,
        OrderType.LIMIT,
        Decimal("5E-7"),
        Decimal("6E+4"),
        TimeInForce.GTC,
        "c",
    )
    cfg = w.order_body(request, "BTC-USD", "c")["order_configuration"]
    assert cfg == {
        "limit_limit_gtc": {"base_size": "0.0000005", "limit_price": "60000", "post_only": False}
    }
    market = OrderRequest(BTC_USD, Side.SELL, OrderType.MARKET, Decimal("1E-8"))
    assert w.order_configuration(market) == {"market_market_ioc": {"base_size": "0.00000001"}}
    assert w.edit_body("o", Decimal("6E+4"), Decimal("5E-7")) == {
        "order_id": "o",
        "price": "60000",
        "size": "0.0000005",
    }
    moved = w.move_funds_body(Decimal("1.50E-6"), "BTC", "a", "b")
    assert moved["funds"] == {"value": "0.0000015", "currency": "BTC"}


def test_market_fok_and_post_only() -> None:
    """MARKET+FOK is market_market_fok (documented), MARKET+POST_ONLY is refused."""
    fok = OrderRequest(BTC_USD, Side.BUY, OrderType.MARKET, Decimal("0.5"), None, TimeInForce.FOK)
    assert w.order_configuration(fok) == {"market_market_fok": {"base_size": "0.5"}}
    post = OrderRequest(
        BTC_USD, Side.BUY, OrderType.MARKET, Decimal("0.5"), None, TimeInForce.POST_ONLY
    )
    with pytest.raises(InvalidOrderError):
        w.order_configuration(post)
    raw = b"""{"order_id":"o","product_id":"BTC-USD","side":"BUY","status":"FILLED",
     "filled_size":"0.5","order_configuration":{"market_market_fok":{"base_size":"0.5"}}}"""
    row = msgspec.json.decode(raw, type=w.OrderWire)
    order = w.to_order(row, BTC_USD)
    assert w.is_handled(row) and (order.type, order.time_in_force) == (
        OrderType.MARKET,
        TimeInForce.FOK,
    )


def test_a_quote_sized_limit_order_gets_a_base_quantity() -> None:
    """A limit order sized by quote_size (placed elsewhere) converts: quote / price, floored
    to 1e-8; it never stops a listing."""
    raw = b"""{"order_id":"q","product_id":"BTC-USD","side":"BUY","status":"OPEN",
     "filled_size":"0","order_configuration":{"limit_limit_gtc":{"quote_size":"100",
     "limit_price":"30000","post_only":false}}}"""
    order = w.to_order(msgspec.json.decode(raw, type=w.OrderWire), BTC_USD)
    assert order.quantity == Decimal("0.00333333") and order.price == Decimal(30000)


def test_quote_sized_fill_quantity_is_rounded_to_the_base_step() -> None:
    raw = b"""{"trade_id":"t","order_id":"o","trade_time":"2024-01-01T00:00:00Z",
     "price":"30000","size":"10","side":"BUY","size_in_quote":true}"""
    fill = w.to_fill(msgspec.json.decode(raw, type=w.FillWire), BTC_USD)
    assert fill.quantity == Decimal("0.00033333")

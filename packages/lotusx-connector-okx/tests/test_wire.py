"""Wire conversions of OKX's documented payload shapes, contract sizes included."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotusx.connectors.okx import wire as w
from lotusx.core.errors import ExchangeError, InvalidOrderError
from lotusx.core.types import (
    AmendRequest,
    Instrument,
    MarginMode,
    MarketKind,
    OrderRequest,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    Symbol,
    TimeInForce,
    TransferStatus,
)

SPOT_WIRE = (
    b'{"instType":"SPOT","instId":"BTC-USDT","uly":"","instFamily":"","baseCcy":"BTC",'
    b'"quoteCcy":"USDT","settleCcy":"","ctVal":"","ctMult":"","ctValCcy":"","optType":"",'
    b'"stk":"","listTime":"1606468572000","expTime":"","lever":"10","tickSz":"0.1",'
    b'"lotSz":"0.00000001","minSz":"0.00001","ctType":"","alias":"","state":"live",'
    b'"maxLmtSz":"9999999999","maxMktSz":"1000000"}'
)
SWAP_WIRE = (
    b'{"instType":"SWAP","instId":"BTC-USDT-SWAP","uly":"BTC-USDT","instFamily":"BTC-USDT",'
    b'"baseCcy":"","quoteCcy":"","settleCcy":"USDT","ctVal":"0.01","ctMult":"1",'
    b'"ctValCcy":"BTC","listTime":"1606468572000","lever":"100","tickSz":"0.1","lotSz":"1",'
    b'"minSz":"1","ctType":"linear","state":"live","maxLmtSz":"100000","maxMktSz":"10000"}'
)
INVERSE_WIRE = SWAP_WIRE.replace(b'"linear"', b'"inverse"')


def _inst(raw: bytes) -> Instrument:
    inst = w.to_instrument(msgspec.json.decode(raw, type=w.InstrumentWire))
    assert inst is not None
    return inst


SPOT = _inst(SPOT_WIRE)
SWAP = _inst(SWAP_WIRE)


def test_instruments_in_base_units() -> None:
    assert SPOT.symbol == Symbol("BTC", "USDT") and SPOT.native_id == "BTC-USDT"
    assert (SPOT.tick_size, SPOT.lot_size, SPOT.min_quantity) == (
        Decimal("0.1"),
        Decimal("0.00000001"),
        Decimal("0.00001"),
    )
    assert SPOT.contract_size == 1
    assert SWAP.symbol == Symbol.parse("BTC/USDT:USDT") and SWAP.native_id == "BTC-USDT-SWAP"
    assert SWAP.contract_size == Decimal("0.01")
    assert SWAP.lot_size == Decimal("0.01") and SWAP.min_quantity == Decimal("0.01")
    assert SWAP.max_quantity == Decimal(1000)
    assert w.to_instrument(msgspec.json.decode(INVERSE_WIRE, type=w.InstrumentWire)) is None


def test_a_broken_number_is_an_error_not_zero() -> None:
    bad = msgspec.json.decode(SPOT_WIRE.replace(b'"0.1"', b'"abc"'), type=w.InstrumentWire)
    with pytest.raises(ExchangeError, match="tickSz"):
        w.to_instrument(bad)


@given(
    ct_val=st.sampled_from(["0.0001", "0.001", "0.01", "0.1", "1", "10", "100"]),
    lot=st.sampled_from(["0.01", "0.1", "1", "10"]),
    lots=st.integers(min_value=1, max_value=10**7),
)
def test_contract_conversion_round_trips(ct_val: str, lot: str, lots: int) -> None:
    raw = SWAP_WIRE.replace(b'"0.01"', f'"{ct_val}"'.encode()).replace(
        b'"lotSz":"1"', f'"lotSz":"{lot}"'.encode()
    )
    inst = _inst(raw)
    contracts = Decimal(lot) * lots
    base = contracts * Decimal(ct_val)
    assert w.to_contracts(base, inst) == contracts
    assert w.from_contracts(contracts, inst) == base
    assert base % inst.lot_size == 0


@given(lots=st.integers(min_value=1, max_value=10**6), extra=st.integers(1, 9))
def test_a_fraction_of_a_lot_is_refused(lots: int, extra: int) -> None:
    base = SWAP.lot_size * lots + SWAP.lot_size * extra / 10
    with pytest.raises(InvalidOrderError, match="contract_size"):
        w.to_contracts(base, SWAP)


def test_order_bodies() -> None:
    spot = OrderRequest(Symbol("BTC", "USDT"), Side.BUY, OrderType.MARKET, Decimal("0.5"))
    assert w.order_body(spot, SPOT, "abc", MarginMode.CROSS) == {
        "instId": "BTC-USDT",
        "tdMode": "cash",
        "clOrdId": "abc",
        "side": "buy",
        "ordType": "market",
        "sz": "0.5",
        "tgtCcy": "base_ccy",
    }
    perp = OrderRequest(
        SWAP.symbol,
        Side.SELL,
        OrderType.LIMIT,
        Decimal("1.5"),
        Decimal("60000.0"),
        TimeInForce.POST_ONLY,
        reduce_only=True,
    )
    assert w.order_body(perp, SWAP, "c1", MarginMode.ISOLATED) == {
        "instId": "BTC-USDT-SWAP",
        "tdMode": "isolated",
        "clOrdId": "c1",
        "side": "sell",
        "ordType": "post_only",
        "sz": "150",
        "px": "60000",
        "reduceOnly": True,
    }
    for tif, kind in [
        (TimeInForce.GTC, "limit"),
        (TimeInForce.IOC, "ioc"),
        (TimeInForce.FOK, "fok"),
    ]:
        req = OrderRequest(SPOT.symbol, Side.BUY, OrderType.LIMIT, Decimal(1), Decimal(1), tif)
        assert w.ord_type(req) == kind
    amend = AmendRequest(SWAP.symbol, order_id="7", quantity=Decimal("0.2"))
    assert w.amend_body(amend, SWAP, "7", None) == {
        "instId": "BTC-USDT-SWAP",
        "ordId": "7",
        "newSz": "20",
    }
    with pytest.raises(InvalidOrderError):
        w.amend_body(AmendRequest(SWAP.symbol, order_id="7"), SWAP, "7", None)


ORDER = (
    b'{"accFillSz":"0.00192834","algoClOrdId":"","algoId":"","attachAlgoClOrdId":"",'
    b'"avgPx":"51858","cTime":"1708587373361","cancelSource":"","category":"normal",'
    b'"ccy":"","clOrdId":"","fee":"-0.00000192834","feeCcy":"BTC","fillPx":"51858",'
    b'"fillSz":"0.00192834","fillTime":"1708587373361","instId":"BTC-USDT","instType":"SPOT",'
    b'"lever":"","ordId":"680800019749904384","ordType":"market","pnl":"0","posSide":"",'
    b'"px":"","pxType":"","pxUsd":"","pxVol":"","quickMgnType":"","rebate":"0",'
    b'"rebateCcy":"USDT","reduceOnly":"false","side":"buy","slOrdPx":"","slTriggerPx":"",'
    b'"source":"","state":"filled","stpId":"","stpMode":"","sz":"100","tag":"",'
    b'"tdMode":"cash","tgtCcy":"quote_ccy","tpOrdPx":"","tpTriggerPx":"",'
    b'"tradeId":"744876980","uTime":"1708587373362"}'
)


def test_documented_order_sized_in_quote() -> None:
    order = w.to_order(msgspec.json.decode(ORDER, type=w.OrderWire), SPOT)
    assert order.type is OrderType.MARKET and order.price is None
    assert order.status is OrderStatus.FILLED
    assert order.quantity == order.filled_quantity == Decimal("0.00192834")
    assert order.average_price == Decimal(51858)
    assert order.client_order_id is None and not order.reduce_only
    assert (order.created_at, order.updated_at) == (1708587373361, 1708587373362)


def _swap_order(**fields: str) -> w.OrderWire:
    base = {
        "instId": "BTC-USDT-SWAP",
        "instType": "SWAP",
        "ordId": "1",
        "clOrdId": "c1",
        "px": "60000",
        "sz": "25",
        "ordType": "limit",
        "side": "buy",
        "state": "partially_filled",
        "accFillSz": "5",
        "avgPx": "60000",
        "reduceOnly": "true",
        "cTime": "1",
        "uTime": "2",
    }
    return msgspec.convert(base | fields, w.OrderWire)


def test_swap_orders_and_pushed_fills_in_base_units() -> None:
    wire = _swap_order(
        tradeId="9", fillSz="5", fillPx="60000", fillFee="-0.6", fillFeeCcy="USDT", execType="M"
    )
    order = w.to_order(wire, SWAP)
    assert (order.quantity, order.filled_quantity) == (Decimal("0.25"), Decimal("0.05"))
    assert order.status is OrderStatus.PARTIALLY_FILLED and order.reduce_only
    fill = w.pushed_fill(wire, SWAP)
    assert fill is not None
    assert (fill.quantity, fill.fee, fill.is_maker) == (Decimal("0.05"), Decimal("0.6"), True)
    assert w.pushed_fill(_swap_order(), SWAP) is None
    refused = w.to_order(
        _swap_order(ordType="post_only", state="canceled", cancelSource="31"), SWAP
    )
    assert refused.status is OrderStatus.REJECTED
    assert refused.time_in_force is TimeInForce.POST_ONLY
    with pytest.raises(ExchangeError, match="ordType"):
        w.to_order(_swap_order(ordType="twap"), SWAP)


# Acknowledgements as OKX documents them (the ``data`` items of trade/order, amend-order and
# cancel-order; the batch endpoints answer a list of the same items).
PLACED_ACK = (
    b'[{"clOrdId":"oktswap6","ordId":"312269865356374016","tag":"","ts":"1695190491421",'
    b'"sCode":"0","sMsg":""}]'
)
AMENDED_ACK = (
    b'[{"clOrdId":"","ordId":"312269865356374016","ts":"1695190491425","reqId":"b12344",'
    b'"sCode":"0","sMsg":""}]'
)
CANCELED_ACK = (
    b'[{"clOrdId":"oktswap6","ordId":"312269865356374016","ts":"1695190491430",'
    b'"sCode":"0","sMsg":""}]'
)
CLOCK = 1_700_000_000_000  # the connector's clock: used only where an ack has no ts


def _ack(raw: bytes, **fields: str) -> w.OrderAckWire:
    (ack,) = msgspec.json.decode(raw, type=list[w.OrderAckWire])
    return msgspec.structs.replace(ack, **fields)


def _swap_request(**fields: object) -> OrderRequest:
    base: dict[str, object] = {
        "symbol": SWAP.symbol,
        "side": Side.BUY,
        "type": OrderType.LIMIT,
        "quantity": Decimal("0.05"),  # 5 contracts of 0.01 BTC on the wire
        "price": Decimal("60000.1"),
        "time_in_force": TimeInForce.POST_ONLY,
        "client_order_id": "oktswap6",
    }
    return msgspec.convert(base | fields, OrderRequest)


def test_a_placement_ack_is_the_request_accepted() -> None:
    request = _swap_request()
    assert w.order_body(request, SWAP, "oktswap6", MarginMode.CROSS)["sz"] == "5"
    order = w.to_accepted(_ack(PLACED_ACK), request, "oktswap6", CLOCK)
    assert order.status is OrderStatus.ACCEPTED
    assert (order.order_id, order.client_order_id) == ("312269865356374016", "oktswap6")
    # base units, as requested (never the 5 contracts sent), and what a read of it reports
    assert order.quantity == Decimal("0.05")
    assert order.quantity == w.to_order(_swap_order(sz="5"), SWAP).quantity
    assert (order.price, order.time_in_force, order.side) == (
        Decimal("60000.1"),
        TimeInForce.POST_ONLY,
        Side.BUY,
    )
    assert (order.filled_quantity, order.average_price) == (0, None)
    assert order.created_at == order.updated_at == 1695190491421
    assert w.to_accepted(_ack(PLACED_ACK, ts=""), request, "oktswap6", CLOCK).created_at == CLOCK


def test_amend_and_cancel_acks_apply_to_the_known_order() -> None:
    placed = w.to_accepted(_ack(PLACED_ACK), _swap_request(), "oktswap6", CLOCK)
    amend = AmendRequest(SWAP.symbol, client_order_id="oktswap6", quantity=Decimal("0.08"))
    amended = w.to_amended(_ack(AMENDED_ACK), placed, amend, CLOCK)
    assert (amended.order_id, amended.client_order_id) == (placed.order_id, "oktswap6")
    assert (amended.quantity, amended.price) == (Decimal("0.08"), placed.price)
    assert (amended.status, amended.created_at, amended.updated_at) == (
        OrderStatus.ACCEPTED,
        1695190491421,
        1695190491425,
    )
    canceled = w.to_canceled(_ack(CANCELED_ACK), amended, CLOCK)
    assert canceled.status is OrderStatus.CANCELED
    assert (canceled.quantity, canceled.updated_at) == (Decimal("0.08"), 1695190491430)
    assert w.to_canceled(_ack(CANCELED_ACK, ts=""), amended, CLOCK).updated_at == CLOCK


def test_malformed_acks_are_errors_not_guesses() -> None:
    request = _swap_request()
    placed = w.to_accepted(_ack(PLACED_ACK), request, "oktswap6", CLOCK)
    with pytest.raises(ExchangeError, match="without an ordId"):
        w.to_accepted(_ack(PLACED_ACK, ordId=""), request, "oktswap6", CLOCK)
    with pytest.raises(ExchangeError, match="clOrdId"):
        w.to_accepted(_ack(PLACED_ACK, clOrdId="other"), request, "oktswap6", CLOCK)
    with pytest.raises(ExchangeError, match="ts"):
        w.to_accepted(_ack(PLACED_ACK, ts="soon"), request, "oktswap6", CLOCK)
    with pytest.raises(ExchangeError, match="ordId"):
        w.to_canceled(_ack(CANCELED_ACK, ordId="42"), placed, CLOCK)
    with pytest.raises(ExchangeError, match="ordId"):
        w.to_amended(
            _ack(AMENDED_ACK, ordId=""), placed, AmendRequest(SWAP.symbol, order_id="1"), CLOCK
        )
    with pytest.raises(msgspec.ValidationError, match="sCode"):
        msgspec.json.decode(b'[{"ordId":"1","clOrdId":"a"}]', type=list[w.OrderAckWire])


def test_documented_book_snapshot_and_levels() -> None:
    raw = (
        b'{"asks":[["8476.98","415","0","13"],["8477","7","0","2"]],'
        b'"bids":[["8476.97","256","0","12"],["8475.55","101","0","1"]],'
        b'"ts":"1597026383085","checksum":-855196043,"prevSeqId":-1,"seqId":123456}'
    )
    book = msgspec.json.decode(raw, type=w.BookWire)
    assert w.text_levels(book.asks) == [("8476.98", "415"), ("8477", "7")]
    spot = w.to_orderbook(book, SPOT, 1)
    assert spot.sequence == 123456 and spot.timestamp == 1597026383085
    assert [(lv.price, lv.quantity) for lv in spot.bids] == [(Decimal("8476.97"), Decimal(256))]
    perp = w.to_orderbook(book, SWAP, 5)
    assert perp.asks[0].quantity == Decimal("4.15")  # 415 contracts of 0.01 BTC


def test_market_data_shapes() -> None:
    trade = msgspec.json.decode(
        b'{"instId":"BTC-USDT-SWAP","side":"sell","sz":"12","px":"29963.2",'
        b'"tradeId":"242720720","ts":"1654161646974"}',
        type=w.TradeWire,
    )
    t = w.to_trade(trade, SWAP)
    assert (t.side, t.quantity, t.price) == (Side.SELL, Decimal("0.12"), Decimal("29963.2"))
    candle = msgspec.json.decode(
        b'["1597026383085","3.721","3.743","3.677","3.708","8422410","22698348.04828491",'
        b'"12698348.04828491","0"]',
        type=w.CandleWire,
    )
    c = w.to_candle(candle, SPOT, "1m")
    assert (c.open, c.high, c.low, c.close, c.closed) == (
        Decimal("3.721"),
        Decimal("3.743"),
        Decimal("3.677"),
        Decimal("3.708"),
        False,
    )
    assert w.to_candle(candle, SWAP, "1m").volume == Decimal("84224.1")
    assert [w.bar(i) for i in ("1m", "15m", "1h", "4h", "6h", "1d", "1w", "1M")] == [
        "1m",
        "15m",
        "1H",
        "4H",
        "6Hutc",
        "1Dutc",
        "1Wutc",
        "1Mutc",
    ]
    with pytest.raises(ValueError):
        w.bar("1x")
    funding = msgspec.json.decode(
        b'{"fundingRate":"0.0001515","fundingTime":"1703088000000","instId":"BTC-USD-SWAP",'
        b'"nextFundingTime":"1703116800000","nextFundingRate":""}',
        type=w.FundingRateWire,
    )
    rate = w.to_current_funding(funding, SWAP.symbol)
    assert rate.rate == Decimal("0.0001515") and rate.next_funding_time == 1703116800000


def test_account_shapes() -> None:
    balance = msgspec.json.decode(
        b'[{"totalEq":"1","uTime":"1","details":[{"ccy":"USDT","availBal":"100",'
        b'"frozenBal":"5","cashBal":"105","eq":"105"},{"ccy":"BTC","availBal":"",'
        b'"frozenBal":"0","cashBal":"0.5"},{"ccy":"ETH","availBal":"0","frozenBal":"0"}]}]',
        type=list[w.AccountBalanceWire],
    )
    out = {b.asset: b for b in w.trading_balances(balance)}
    assert set(out) == {"USDT", "BTC"}
    assert (out["USDT"].free, out["USDT"].locked, out["USDT"].wallet) == (
        Decimal(100),
        Decimal(5),
        "trading",
    )
    assert out["BTC"].free == Decimal("0.5")
    position = msgspec.json.decode(
        b'{"instId":"BTC-USDT-SWAP","instType":"SWAP","pos":"-30","posSide":"net",'
        b'"avgPx":"60000","markPx":"59000","upl":"3","lever":"10","mgnMode":"isolated",'
        b'"margin":"18","liqPx":"65000.5","uTime":"5"}',
        type=w.PositionWire,
    )
    p = w.to_position(position, SWAP)
    assert (p.side, p.quantity, p.leverage, p.margin) == (
        PositionSide.SHORT,
        Decimal("0.3"),
        Decimal(10),
        Decimal(18),
    )
    assert p.liquidation_price == Decimal("65000.5")
    fee = w.TradeFeeWire(maker="-0.0008", taker="-0.001", makerU="-0.0002", takerU="-0.0005")
    assert (w.to_fee(fee, SPOT).maker, w.to_fee(fee, SPOT).taker) == (
        Decimal("0.0008"),
        Decimal("0.001"),
    )
    assert w.to_fee(fee, SWAP).maker == Decimal("0.0002")
    tiers = msgspec.json.decode(
        b'[{"tier":"2","minSz":"20001","maxSz":"40000","mmr":"0.005","imr":"0.01",'
        b'"maxLever":"100"},{"tier":"1","minSz":"0","maxSz":"20000","mmr":"0.004",'
        b'"imr":"0.008","maxLever":"125"}]',
        type=list[w.TierWire],
    )
    brackets = w.to_brackets(tiers, SWAP)
    assert [b.tier for b in brackets] == [1, 2]
    assert brackets[0].notional_cap == Decimal(200)  # 20000 contracts × 0.01 BTC
    assert brackets[1].max_leverage == 100 and brackets[1].maintenance_margin_rate == Decimal(
        "0.005"
    )


def test_funds_shapes() -> None:
    withdrawal = msgspec.json.decode(
        b'{"chain":"ETH-Ethereum","fee":"0.007","ccy":"ETH","clientId":"","amt":"0.029809",'
        b'"txId":"0x35c","from":"","to":"0xa","toAddr":"0xa","state":"2",'
        b'"ts":"1655251200000","wdId":"15447421"}',
        type=w.WithdrawalWire,
    )
    out = w.to_withdrawal(withdrawal)
    assert out.status is TransferStatus.COMPLETED and out.fee == Decimal("0.007")
    assert out.network == "ETH-Ethereum" and out.address == "0xa"
    deposit = msgspec.json.decode(
        b'{"actualDepBlkConfirm":"2","amt":"1","areaCodeFrom":"","ccy":"USDT",'
        b'"chain":"USDT-TRC20","depId":"88","from":"","fromWdId":"","state":"2",'
        b'"to":"TN4","ts":"1674038705000","txId":"fa"}',
        type=w.DepositWire,
    )
    assert w.to_deposit(deposit).status is TransferStatus.COMPLETED
    assert w.chain("USDT", "TRC20") == "USDT-TRC20" and w.chain("USDT", "USDT-TRC20") == (
        "USDT-TRC20"
    )
    with pytest.raises(ExchangeError, match="withdrawal state"):
        w.withdrawal_status("99")


def test_market_kind_tables() -> None:
    assert w.INST_TYPE[MarketKind.LINEAR] == "SWAP"
    assert w.KIND_OF_INST_TYPE["SPOT"] is MarketKind.SPOT

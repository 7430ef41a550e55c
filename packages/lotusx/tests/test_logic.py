"""Pure pieces of the CLI: spreads, percentiles, the demo's resting order, market choice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lotusx.cli.demo import choose_markets
from lotusx.cli.latency import percentile
from lotusx.cli.render import fmt_bps, fmt_decimal
from lotusx.cli.roundtrip import AWAY, resting_buy
from lotusx.cli.spreads import Quote, fee_adjusted, spreads
from lotusx.core.types import Instrument, OrderType, Side, Symbol, TimeInForce

D = Decimal


def quote(exchange: str, symbol: str, bid: str, ask: str, taker: str) -> Quote:
    sym = Symbol.parse(symbol)
    return Quote(exchange, symbol, sym.base, sym.quote, D(bid), D(ask), D(taker))


def test_fee_adjusted_spread_is_exact_decimal() -> None:
    a = quote("x", "BTC/USDT", "99", "100", "0.001")
    b = quote("y", "BTC/USDT", "101", "102", "0.0005")
    spread = fee_adjusted(a, b)
    assert spread.buy_price == D("100.1")  # 100 × 1.001
    assert spread.sell_price == D("100.9495")  # 101 × 0.9995
    assert spread.edge == D("0.8495")
    assert spread.edge_bps == D("0.8495") / D("100.1") * 10_000
    assert isinstance(spread.edge_bps, Decimal)


def test_spreads_cross_exchange_only_when_several_exchanges() -> None:
    quotes = [
        quote("x", "BTC/USDT", "99", "100", "0.001"),
        quote("x", "BTC/USDT:USDT", "99", "100", "0.0005"),
        quote("y", "BTC/USDT", "101", "102", "0.001"),
        quote("y", "ETH/USDT", "1", "2", "0.001"),
    ]
    pairs = {(s.buy.label, s.sell.label) for s in spreads(quotes)}
    assert pairs == {
        ("x BTC/USDT", "y BTC/USDT"),
        ("y BTC/USDT", "x BTC/USDT"),
        ("x BTC/USDT:USDT", "y BTC/USDT"),
        ("y BTC/USDT", "x BTC/USDT:USDT"),
    }
    found = spreads(quotes)
    assert [s.edge_bps for s in found] == sorted((s.edge_bps for s in found), reverse=True)


def test_spreads_single_exchange_compares_spot_and_perp() -> None:
    quotes = [
        quote("x", "BTC/USDT", "99", "100", "0.001"),
        quote("x", "BTC/USDT:USDT", "98", "99", "0.0005"),
    ]
    pairs = {(s.buy.symbol, s.sell.symbol) for s in spreads(quotes)}
    assert pairs == {("BTC/USDT", "BTC/USDT:USDT"), ("BTC/USDT:USDT", "BTC/USDT")}


def test_percentile_nearest_rank() -> None:
    samples = [D(n) for n in range(1, 101)]
    assert percentile(samples, 50) == D(50)
    assert percentile(samples, 95) == D(95)
    assert percentile(samples, 99) == D(99)
    assert percentile([D(7)], 99) == D(7)
    with pytest.raises(ValueError):
        percentile([], 50)


def perp() -> Instrument:
    return Instrument(
        Symbol.parse("BTC/USDT:USDT"),
        "BTCUSDT",
        tick_size=D("0.1"),
        lot_size=D("0.001"),
        min_quantity=D("0.001"),
        min_notional=D("100"),
    )


def test_resting_buy_is_valid_and_far_below_the_market() -> None:
    inst = perp()
    order = resting_buy(inst, D("65000.3"))
    assert order.side is Side.BUY and order.type is OrderType.LIMIT
    assert order.time_in_force is TimeInForce.POST_ONLY
    assert order.price == D("63050.2")  # 65000.3 × 0.97 = 63050.291, floored to the tick
    assert order.price <= D("65000.3") * AWAY
    assert order.quantity == D("0.002")  # 100 × 1.2 / 63050.2 = 0.0019.. → rounded up
    inst.check_order(order)
    assert order.price * order.quantity >= inst.min_notional  # type: ignore[operator]


def test_choose_markets_prefers_pairs_with_spot_and_perp() -> None:
    def inst(text: str) -> Instrument:
        return Instrument(Symbol.parse(text), text, D("0.1"), D("0.1"), D("0.1"))

    listed = [inst("SOL/USDT"), inst("BTC/USDT:USDT"), inst("BTC/USD:BTC"), inst("BTC/USDT")]
    chosen = [str(i.symbol) for i in choose_markets(listed, limit=3)]
    assert chosen == ["BTC/USDT", "BTC/USDT:USDT", "SOL/USDT"]  # inverse left out


def test_formatting_keeps_decimals() -> None:
    assert fmt_decimal(D("65000.10000000"), D("0.10")) == "65,000.1"
    assert fmt_decimal(D("0.00010000"), D("0.00001")) == "0.00010"
    assert fmt_decimal(None) == "—"
    assert fmt_bps(D("-13.987")) == "-13.99 bps"
    assert fmt_bps(D("0.2"), signed=False) == "0.20 bps"

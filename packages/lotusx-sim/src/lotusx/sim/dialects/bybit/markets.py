"""Instruments listed by the simulated Bybit: spot pairs and USDT linear perpetuals."""

from __future__ import annotations

from decimal import Decimal

from lotusx.sim.market import MarketSpec, make_brackets
from lotusx.sim.model import MarketKind

SPOT, LINEAR = "spot", "linear"
D = Decimal

BTC_RISK = [
    (100, "2000000", "0.005"),
    (50, "4000000", "0.01"),
    (25, "6000000", "0.02"),
    (20, "8000000", "0.025"),
    (10, "10000000", "0.05"),
    (5, "20000000", "0.1"),
]
ETH_RISK = [
    (100, "1000000", "0.005"),
    (50, "2000000", "0.01"),
    (25, "3000000", "0.02"),
    (10, "5000000", "0.05"),
    (5, "10000000", "0.1"),
]


def _spot(symbol: str, base: str, lot: str, min_qty: str, max_qty: str, price: str) -> MarketSpec:
    return MarketSpec(
        SPOT,
        symbol,
        base,
        "USDT",
        MarketKind.SPOT,
        tick=D("0.01"),
        lot=D(lot),
        min_qty=D(min_qty),
        max_qty=D(max_qty),
        min_notional=D(1),
        initial_price=D(price),
        maker_fee=D("0.001"),
        taker_fee=D("0.001"),
        min_price=D("0.01"),
    )


def _linear(
    symbol: str,
    base: str,
    tick: str,
    step: str,
    max_qty: str,
    max_mkt: str,
    price: str,
    tiers: list[tuple[int, str, str]],
) -> MarketSpec:
    return MarketSpec(
        LINEAR,
        symbol,
        base,
        "USDT",
        MarketKind.LINEAR_PERP,
        tick=D(tick),
        lot=D(step),
        min_qty=D(step),
        max_qty=D(max_qty),
        min_notional=D(5),
        initial_price=D(price),
        maker_fee=D("0.0002"),
        taker_fee=D("0.00055"),
        min_price=D(tick),
        max_price=D("1999999.8"),
        market_max_qty=D(max_mkt),
        brackets=make_brackets(tiers),
    )


def bybit_markets() -> list[MarketSpec]:
    return [
        _spot("BTCUSDT", "BTC", "0.000001", "0.000048", "71.73956243", "65000"),
        _spot("ETHUSDT", "ETH", "0.00001", "0.00062", "1229.2336343", "3500"),
        _linear("BTCUSDT", "BTC", "0.10", "0.001", "1190", "119", "65000", BTC_RISK),
        _linear("ETHUSDT", "ETH", "0.01", "0.01", "7240", "724", "3500", ETH_RISK),
    ]

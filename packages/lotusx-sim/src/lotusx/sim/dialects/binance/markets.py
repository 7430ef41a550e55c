"""Instruments listed by the simulated Binance (spot and USDⓈ-M)."""

from __future__ import annotations

from decimal import Decimal

from lotusx.sim.market import BTC_PERP_BRACKETS, ETH_PERP_BRACKETS, MarketSpec
from lotusx.sim.model import MarketKind

SPOT, FUTURES = "spot", "futures"


def _d(text: str) -> Decimal:
    return Decimal(text)


def binance_markets() -> list[MarketSpec]:
    spot, perp = MarketKind.SPOT, MarketKind.LINEAR_PERP
    maker, taker = _d("0.0002"), _d("0.0005")
    return [
        MarketSpec(
            SPOT,
            "BTCUSDT",
            "BTC",
            "USDT",
            spot,
            tick=_d("0.01"),
            lot=_d("0.00001"),
            min_qty=_d("0.00001"),
            max_qty=_d("9000"),
            min_notional=_d("5"),
            initial_price=_d("65000"),
        ),
        MarketSpec(
            SPOT,
            "ETHUSDT",
            "ETH",
            "USDT",
            spot,
            tick=_d("0.01"),
            lot=_d("0.0001"),
            min_qty=_d("0.0001"),
            max_qty=_d("9000"),
            min_notional=_d("5"),
            initial_price=_d("3500"),
        ),
        MarketSpec(
            FUTURES,
            "BTCUSDT",
            "BTC",
            "USDT",
            perp,
            tick=_d("0.10"),
            lot=_d("0.001"),
            min_qty=_d("0.001"),
            max_qty=_d("1000"),
            min_notional=_d("100"),
            initial_price=_d("65000"),
            min_price=_d("261.10"),
            max_price=_d("809484"),
            market_max_qty=_d("120"),
            brackets=BTC_PERP_BRACKETS,
            maker_fee=maker,
            taker_fee=taker,
        ),
        MarketSpec(
            FUTURES,
            "ETHUSDT",
            "ETH",
            "USDT",
            perp,
            tick=_d("0.01"),
            lot=_d("0.001"),
            min_qty=_d("0.001"),
            max_qty=_d("10000"),
            min_notional=_d("20"),
            initial_price=_d("3500"),
            min_price=_d("39.86"),
            max_price=_d("306177"),
            market_max_qty=_d("2000"),
            brackets=ETH_PERP_BRACKETS,
            maker_fee=maker,
            taker_fee=taker,
        ),
    ]

"""Products listed by the simulated Coinbase: spot BTC-USD and ETH-USD."""

from __future__ import annotations

from decimal import Decimal

from lotusx.sim.market import MarketSpec
from lotusx.sim.model import MarketKind

SPOT = "spot"
D = Decimal
# The lowest Advanced Trade fee tier ($0-$1K 30-day volume): maker 0.60%, taker 1.20%.
MAKER_FEE, TAKER_FEE = D("0.006"), D("0.012")
QUOTE_MIN, QUOTE_MAX = D(1), D(150000000)


def _spot(product: str, base: str, max_size: str, price: str) -> MarketSpec:
    return MarketSpec(
        SPOT,
        product,
        base,
        "USD",
        MarketKind.SPOT,
        tick=D("0.01"),
        lot=D("0.00000001"),
        min_qty=D("0.00000001"),
        max_qty=D(max_size),
        min_notional=QUOTE_MIN,
        initial_price=D(price),
        maker_fee=MAKER_FEE,
        taker_fee=TAKER_FEE,
        min_price=D("0.01"),
        max_price=D(10) ** 9,
    )


def coinbase_markets() -> list[MarketSpec]:
    return [_spot("BTC-USD", "BTC", "3400", "65000"), _spot("ETH-USD", "ETH", "42000", "3500")]

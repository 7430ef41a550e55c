"""The isolated liquidation estimate: Bybit's rule, checked as an identity with Hypothesis."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotusx.connectors.bybit.connector import estimate_liquidation_price
from lotusx.core.errors import InvalidOrderError
from lotusx.core.types import LeverageBracket, Side, Symbol

PERP = Symbol("BTC", "USDT", "USDT")
TIERS = [
    LeverageBracket(PERP, 1, Decimal(0), Decimal(2_000_000), Decimal(100), Decimal("0.005")),
    LeverageBracket(
        PERP,
        2,
        Decimal(2_000_000),
        Decimal(4_000_000),
        Decimal(50),
        Decimal("0.01"),
        Decimal(10_000),
    ),
]


def test_worked_example() -> None:
    one, entry = Decimal(1), Decimal(60000)
    # long 1 BTC at 60000, 10x: IM 6000, MM 300 → LP = 60000 − 5700 = 54300
    assert estimate_liquidation_price(TIERS, Side.BUY, one, entry, Decimal(10)) == 54300
    assert estimate_liquidation_price(TIERS, Side.SELL, one, entry, Decimal(10)) == 65700
    # 1x long: the whole notional is margin, liquidated only at EP·MMR = 300
    assert estimate_liquidation_price(TIERS, Side.BUY, one, entry, one) == 300
    free = [LeverageBracket(PERP, 1, Decimal(0), Decimal(10**9), Decimal(10), Decimal(0))]
    assert estimate_liquidation_price(free, Side.BUY, one, entry, one) is None


def test_tier_and_leverage_limits() -> None:
    # 50 BTC at 60000 = 3M notional: tier 2 (max 50x, MMR 1 %, deduction 10000)
    price = estimate_liquidation_price(TIERS, Side.BUY, Decimal(50), Decimal(60000), Decimal(20))
    assert price == Decimal(60000) - (Decimal(150_000) - Decimal(20_000)) / 50
    with pytest.raises(InvalidOrderError, match="max_leverage"):
        estimate_liquidation_price(TIERS, Side.BUY, Decimal(50), Decimal(60000), Decimal(75))
    with pytest.raises(ValueError):
        estimate_liquidation_price(TIERS, Side.BUY, Decimal(0), Decimal(1), Decimal(1))


@settings(max_examples=300, deadline=None)
@given(
    side=st.sampled_from([Side.BUY, Side.SELL]),
    qty=st.decimals(min_value="0.001", max_value="30", places=3),
    entry=st.decimals(min_value="100", max_value="100000", places=1),
    leverage=st.integers(min_value=1, max_value=50),
)
def test_margin_equals_maintenance_at_the_liquidation_price(
    side: Side, qty: Decimal, entry: Decimal, leverage: int
) -> None:
    lev = Decimal(leverage)
    price = estimate_liquidation_price(TIERS, side, qty, entry, lev)
    notional = qty * entry
    tier = TIERS[0] if notional <= TIERS[0].notional_cap else TIERS[1]
    maintenance = notional * tier.maintenance_margin_rate - tier.maintenance_amount
    if price is None:
        assert side is Side.BUY
        return
    s = 1 if side is Side.BUY else -1
    margin = notional / lev + s * qty * (price - entry)
    assert abs(margin - maintenance) < Decimal("1e-12")
    assert (price < entry) if side is Side.BUY else (price > entry)

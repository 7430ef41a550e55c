"""The isolated one-way liquidation estimate: Binance's formula and its defining identity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotusx.connectors.binance.connector import estimate_liquidation_price
from lotusx.core.errors import InvalidOrderError
from lotusx.core.types import LeverageBracket, Side, Symbol

PERP = Symbol("BTC", "USDT", "USDT")
BRACKETS = [
    LeverageBracket(
        PERP, 1, Decimal(0), Decimal(50_000), Decimal(125), Decimal("0.004"), Decimal(0)
    ),
    LeverageBracket(
        PERP, 2, Decimal(50_000), Decimal(250_000), Decimal(100), Decimal("0.005"), Decimal(50)
    ),
    LeverageBracket(
        PERP, 3, Decimal(250_000), Decimal(10**9), Decimal(20), Decimal("0.01"), Decimal(1300)
    ),
]


def _bracket(notional: Decimal) -> LeverageBracket:
    return next(b for b in BRACKETS if b.notional_floor <= notional < b.notional_cap)


def test_worked_example() -> None:
    # long 1 BTC at 30000, 10x: WB 3000, bracket 1 (MMR 0.4%, cum 0)
    # LP = (3000 + 0 - 30000) / (0.004 - 1) = 27108.43...
    price = estimate_liquidation_price(BRACKETS, Side.BUY, Decimal(1), Decimal(30000), Decimal(10))
    assert price is not None
    assert price.quantize(Decimal("0.01")) == Decimal("27108.43")


def test_long_at_one_x_is_never_liquidated_and_leverage_is_capped() -> None:
    assert (
        estimate_liquidation_price(BRACKETS, Side.BUY, Decimal(1), Decimal(100), Decimal(1)) is None
    )
    with pytest.raises(InvalidOrderError, match="max_leverage"):
        estimate_liquidation_price(BRACKETS, Side.SELL, Decimal(10), Decimal(30000), Decimal(50))


@given(
    side=st.sampled_from([Side.BUY, Side.SELL]),
    quantity=st.decimals(min_value="0.001", max_value="20", places=3),
    entry=st.decimals(min_value="1", max_value="100000", places=2),
    leverage=st.integers(min_value=1, max_value=20),
)
def test_margin_equals_maintenance_at_the_liquidation_price(
    side: Side, quantity: Decimal, entry: Decimal, leverage: int
) -> None:
    price = estimate_liquidation_price(BRACKETS, side, quantity, entry, Decimal(leverage))
    bracket = _bracket(quantity * entry)
    if price is None:
        assert side is Side.BUY  # only a long can have no positive liquidation price
        return
    s = 1 if side is Side.BUY else -1
    margin_balance = quantity * entry / leverage + s * quantity * (price - entry)
    maintenance = quantity * price * bracket.maintenance_margin_rate - bracket.maintenance_amount
    assert abs(margin_balance - maintenance) < Decimal("1e-12") * max(1, quantity * entry)
    # a long is liquidated below its entry, a short above it
    assert (price < entry) if side is Side.BUY else (price > entry)


@given(
    side=st.sampled_from([Side.BUY, Side.SELL]),
    entry=st.decimals(min_value="100", max_value="1000", places=1),
    low=st.integers(min_value=2, max_value=19),
)
def test_more_leverage_brings_liquidation_closer(side: Side, entry: Decimal, low: int) -> None:
    quantity = Decimal(1)
    near = estimate_liquidation_price(BRACKETS, side, quantity, entry, Decimal(low + 1))
    far = estimate_liquidation_price(BRACKETS, side, quantity, entry, Decimal(low))
    assert near is not None and far is not None
    assert abs(entry - near) < abs(entry - far)

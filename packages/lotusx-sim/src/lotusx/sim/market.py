"""Instrument specifications: tick/lot rules, fees and leverage brackets."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from lotusx.sim.model import MarketKind


@dataclass(frozen=True, slots=True)
class LeverageBracket:
    """One maintenance-margin tier of a perpetual (notional in quote asset)."""

    bracket: int
    initial_leverage: int
    notional_floor: Decimal
    notional_cap: Decimal
    maint_margin_ratio: Decimal
    cum: Decimal


def size_tiers(tiers: list[tuple[int, str, str]]) -> tuple[LeverageBracket, ...]:
    """Tiers by position size in base units (OKX): (max leverage, size cap, mmr); no `cum`."""
    out: list[LeverageBracket] = []
    floor = Decimal(0)
    for i, (lev, cap, mmr) in enumerate(tiers, start=1):
        out.append(LeverageBracket(i, lev, floor, Decimal(cap), Decimal(mmr), Decimal(0)))
        floor = Decimal(cap)
    return tuple(out)


def make_brackets(tiers: list[tuple[int, str, str]]) -> tuple[LeverageBracket, ...]:
    """Build brackets from (max leverage, notional cap, mmr); `cum` keeps the margin continuous."""
    out: list[LeverageBracket] = []
    floor = Decimal(0)
    cum = Decimal(0)
    prev_mmr = Decimal(0)
    for i, (lev, cap, mmr) in enumerate(tiers, start=1):
        rate = Decimal(mmr)
        cum = cum + floor * (rate - prev_mmr)
        out.append(LeverageBracket(i, lev, floor, Decimal(cap), rate, cum))
        floor, prev_mmr = Decimal(cap), rate
    return tuple(out)


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """A tradable instrument of one venue market ("spot" or "futures")."""

    market: str
    symbol: str
    base: str
    quote: str
    kind: MarketKind
    tick: Decimal
    lot: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    initial_price: Decimal
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")
    min_price: Decimal = Decimal("0.01")
    max_price: Decimal = Decimal("1000000")
    market_max_qty: Decimal = Decimal("1000")
    brackets: tuple[LeverageBracket, ...] = field(default=())
    tiers_by_size: bool = False

    @property
    def key(self) -> str:
        return f"{self.market}:{self.symbol}"

    @property
    def price_decimals(self) -> int:
        return max(0, -int(self.tick.normalize().as_tuple().exponent))

    @property
    def qty_decimals(self) -> int:
        return max(0, -int(self.lot.normalize().as_tuple().exponent))

    def floor_price(self, price: Decimal) -> Decimal:
        return (price / self.tick).to_integral_value(ROUND_DOWN) * self.tick

    def floor_qty(self, qty: Decimal) -> Decimal:
        return (qty / self.lot).to_integral_value(ROUND_DOWN) * self.lot

    def on_tick(self, price: Decimal) -> bool:
        return (price / self.tick) % 1 == 0

    def on_lot(self, qty: Decimal) -> bool:
        return (qty / self.lot) % 1 == 0

    def bracket_for(self, notional: Decimal) -> LeverageBracket:
        for b in self.brackets:
            if notional < b.notional_cap:
                return b
        return self.brackets[-1]


BTC_PERP_BRACKETS = make_brackets(
    [
        (125, "50000", "0.004"),
        (100, "500000", "0.005"),
        (50, "8000000", "0.01"),
        (20, "50000000", "0.025"),
        (10, "80000000", "0.05"),
        (5, "100000000", "0.1"),
        (4, "200000000", "0.125"),
        (3, "400000000", "0.15"),
        (2, "600000000", "0.25"),
        (1, "1000000000", "0.5"),
    ]
)
ETH_PERP_BRACKETS = make_brackets(
    [
        (125, "10000", "0.004"),
        (100, "100000", "0.005"),
        (75, "500000", "0.0065"),
        (50, "1000000", "0.01"),
        (25, "2000000", "0.02"),
        (10, "5000000", "0.05"),
        (5, "10000000", "0.1"),
        (4, "20000000", "0.125"),
        (2, "50000000", "0.25"),
        (1, "100000000", "0.5"),
    ]
)

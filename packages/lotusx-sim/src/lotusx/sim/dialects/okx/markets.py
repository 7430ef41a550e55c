"""Instruments listed by the simulated OKX: spot pairs and USDT-margined perpetual swaps.

The venue's `MarketSpec`s (and so `VenueView`) count swap sizes in base units. OKX's wire counts
them in contracts of `ctVal` base units; `Inst.to_wire` / `Inst.from_wire` convert at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.market import MarketSpec, size_tiers
from lotusx.sim.model import MarketKind

SPOT, SWAP = "spot", "swap"
D = Decimal


@dataclass(frozen=True, slots=True)
class Inst:
    """OKX-specific facts of one instrument; `spec` is the venue's (base-unit) view."""

    spec: MarketSpec
    inst_type: str  # SPOT | SWAP
    ct_val: Decimal = Decimal(1)
    max_lever: int = 0
    max_lmt_sz: Decimal = Decimal(9999999999)
    max_mkt_sz: Decimal = Decimal(1000000)
    list_time: int = 1_548_133_413_000

    @property
    def inst_id(self) -> str:
        return self.spec.symbol

    @property
    def swap(self) -> bool:
        return self.inst_type == "SWAP"

    @property
    def family(self) -> str:
        return f"{self.spec.base}-{self.spec.quote}"

    def to_wire(self, qty: Decimal) -> Decimal:
        """Base units → wire units (contracts for swaps)."""
        return qty / self.ct_val if self.swap else qty

    def from_wire(self, sz: Decimal) -> Decimal:
        return sz * self.ct_val if self.swap else sz

    @property
    def lot_sz(self) -> Decimal:
        return self.to_wire(self.spec.lot)

    @property
    def min_sz(self) -> Decimal:
        return self.to_wire(self.spec.min_qty)


def _spot(symbol: str, base: str, tick: str, lot: str, min_qty: str, price: str) -> Inst:
    spec = MarketSpec(
        SPOT,
        symbol,
        base,
        "USDT",
        MarketKind.SPOT,
        tick=D(tick),
        lot=D(lot),
        min_qty=D(min_qty),
        max_qty=D("9999999999"),
        min_notional=D(0),
        initial_price=D(price),
        maker_fee=D("0.0008"),
        taker_fee=D("0.001"),
        min_price=D(tick),
    )
    return Inst(spec, "SPOT")


BTC_TIERS = [
    (100, "50", "0.004"),
    (75, "100", "0.005"),
    (50, "200", "0.01"),
    (20, "500", "0.02"),
    (10, "1000", "0.04"),
    (5, "2000", "0.08"),
    (3, "3000", "0.13"),
    (2, "5000", "0.2"),
]
ETH_TIERS = [
    (100, "500", "0.004"),
    (75, "1000", "0.005"),
    (50, "2000", "0.01"),
    (20, "5000", "0.02"),
    (10, "10000", "0.04"),
    (5, "20000", "0.08"),
]


def _swap(
    symbol: str,
    base: str,
    tick: str,
    ct_val: str,
    price: str,
    tiers: list[tuple[int, str, str]],
    max_lmt: str,
    max_mkt: str,
) -> Inst:
    ct = D(ct_val)
    contracts = D("0.01")  # lotSz and minSz on the wire
    spec = MarketSpec(
        SWAP,
        symbol,
        base,
        "USDT",
        MarketKind.LINEAR_PERP,
        tick=D(tick),
        lot=contracts * ct,
        min_qty=contracts * ct,
        max_qty=D(max_lmt) * ct,
        min_notional=D(0),
        initial_price=D(price),
        maker_fee=D("0.0002"),
        taker_fee=D("0.0005"),
        min_price=D(tick),
        market_max_qty=D(max_mkt) * ct,
        brackets=size_tiers(tiers),
        tiers_by_size=True,
    )
    return Inst(spec, "SWAP", ct, tiers[0][0], D(max_lmt), D(max_mkt))


def okx_instruments() -> list[Inst]:
    return [
        _spot("BTC-USDT", "BTC", "0.1", "0.00000001", "0.00001", "65000"),
        _spot("ETH-USDT", "ETH", "0.01", "0.000001", "0.0001", "3500"),
        _swap("BTC-USDT-SWAP", "BTC", "0.1", "0.01", "65000", BTC_TIERS, "100000", "12000"),
        _swap("ETH-USDT-SWAP", "ETH", "0.01", "0.1", "3500", ETH_TIERS, "1000000", "50000"),
    ]

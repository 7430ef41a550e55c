"""Instruments of the simulated Kraken: spot XBT/USD, ETH/USD; flex perpetuals PF_XBTUSD, PF_ETHUSD.

Engine symbols are the names each REST API keys results by: the spot AssetPairs key
(`XXBTZUSD`) and the futures symbol (`PF_XBTUSD`). Ledger assets use the unified names `BTC`,
`ETH`, `USD`; the spot REST API says `XXBT`/`XETH`/`ZUSD` (altnames `XBT`, ...), WebSocket v2
`BTC`/`ETH`/`USD`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.market import BTC_PERP_BRACKETS, ETH_PERP_BRACKETS, MarketSpec
from lotusx.sim.model import MarketKind

SPOT, FUTURES = "spot", "futures"
D = Decimal
CODE = {"BTC": "XBT", "ETH": "ETH", "USD": "USD"}  # ledger asset -> Kraken's own code
REST_ASSET = {"BTC": "XXBT", "ETH": "XETH", "USD": "ZUSD"}
ASSET_OF_REST = (
    {v: k for k, v in REST_ASSET.items()}
    | {k: k for k in REST_ASSET}
    | {v: k for k, v in CODE.items()}
)
WS_ASSET = {"BTC": "BTC", "ETH": "ETH", "USD": "USD"}
# Kraken Pro base tier (30-day volume under $10k): maker 0.25%, taker 0.40%.
SPOT_MAKER, SPOT_TAKER = D("0.0025"), D("0.004")
# Kraken Futures base tier: maker 0.02%, taker 0.05%.
FUT_MAKER, FUT_TAKER = D("0.0002"), D("0.0005")


@dataclass(frozen=True, slots=True)
class Pair:
    """A spot pair under all its names."""

    key: str  # AssetPairs result key, engine symbol
    altname: str  # XBTUSD
    wsname: str  # XBT/USD (REST `wsname`, WebSocket v1)
    symbol: str  # BTC/USD (WebSocket v2)
    base: str  # ledger asset
    spec: MarketSpec

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, self.altname, self.wsname, self.symbol)


def _spot(base: str, tick: str, ordermin: str, price: str) -> MarketSpec:
    return MarketSpec(
        SPOT,
        f"{REST_ASSET[base]}ZUSD",
        base,
        "USD",
        MarketKind.SPOT,
        tick=D(tick),
        lot=D("0.00000001"),
        min_qty=D(ordermin),
        max_qty=D(100000),
        min_notional=D("0.5"),
        initial_price=D(price),
        maker_fee=SPOT_MAKER,
        taker_fee=SPOT_TAKER,
        min_price=D(tick),
        max_price=D(10) ** 8,
        market_max_qty=D(100000),
    )


def _perp(base: str, tick: str, lot: str, price: str) -> MarketSpec:
    return MarketSpec(
        FUTURES,
        f"PF_{CODE[base]}USD",
        base,
        "USD",
        MarketKind.LINEAR_PERP,
        tick=D(tick),
        lot=D(lot),
        min_qty=D(lot),
        max_qty=D(10000),
        min_notional=D(0),
        initial_price=D(price),
        maker_fee=FUT_MAKER,
        taker_fee=FUT_TAKER,
        min_price=D(tick),
        max_price=D(10) ** 8,
        market_max_qty=D(10000),
        brackets=BTC_PERP_BRACKETS if base == "BTC" else ETH_PERP_BRACKETS,
    )


def kraken_markets() -> list[MarketSpec]:
    return [
        _spot("BTC", "0.1", "0.00005", "65000"),
        _spot("ETH", "0.01", "0.002", "3500"),
        _perp("BTC", "1", "0.0001", "65000"),
        _perp("ETH", "0.1", "0.001", "3500"),
    ]


def pairs(specs: dict[str, MarketSpec]) -> list[Pair]:
    out = []
    for spec in specs.values():
        ws = WS_ASSET[spec.base]
        code = CODE[spec.base]
        out.append(Pair(spec.symbol, f"{code}USD", f"{code}/USD", f"{ws}/USD", spec.base, spec))
    return out


class PairIndex:
    """Looks a spot pair up by any of its names."""

    def __init__(self, specs: dict[str, MarketSpec]) -> None:
        self.pairs = pairs(specs)
        self.by_name = {n: p for p in self.pairs for n in p.names}
        self.by_key = {p.key: p for p in self.pairs}

    def get(self, name: str) -> Pair | None:
        return self.by_name.get(name)

"""Binance market stream names and payloads (spot and USDⓈ-M flavours)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotusx.sim.candles import INTERVALS_MS, MONTH, Candle
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Trade

STREAM_RE = re.compile(
    r"^(?P<sym>[a-z0-9]+)@(?P<kind>depth(?:5|10|20)?|trade|aggTrade|bookTicker|markPrice|"
    r"kline_(?P<iv>1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w|1M))"
    r"(?:@(?P<speed>100ms|250ms|500ms|1000ms|1s))?$"
)


@dataclass(frozen=True, slots=True)
class StreamKey:
    """A parsed stream name; `period_ms` is 0 for real-time streams."""

    name: str
    symbol: str
    kind: str
    levels: int = 0
    interval: str = ""
    period_ms: int = 0


def parse(name: str, specs: dict[str, MarketSpec], futures: bool) -> StreamKey | None:
    """Parse a lowercase stream name against the host's symbols; None if not offered."""
    m = STREAM_RE.match(name)
    if m is None:
        return None
    sym = m["sym"].upper()
    if sym not in specs:
        return None
    kind, speed = m["kind"], m["speed"]
    speed_ms = {"100ms": 100, "250ms": 250, "500ms": 500, "1000ms": 1000, "1s": 1000}.get(
        speed or "", 0
    )
    if kind.startswith("depth"):
        allowed = (100, 250, 500) if futures else (100, 1000)
        default = 250 if futures else 1000
        if speed and speed_ms not in allowed:
            return None
        levels = int(kind[5:]) if len(kind) > 5 else 0
        return StreamKey(
            name, sym, "depth" if not levels else "partial", levels, period_ms=speed_ms or default
        )
    if kind == "markPrice":
        if not futures or (speed and speed != "1s"):
            return None
        return StreamKey(name, sym, kind, period_ms=1000 if speed else 3000)
    if speed:
        return None
    if kind.startswith("kline_"):
        iv = m["iv"]
        if iv == "1s" and futures:
            return None
        if iv not in INTERVALS_MS and iv != MONTH:
            return None
        period = 250 if futures else (1000 if iv == "1s" else 2000)
        return StreamKey(name, sym, "kline", interval=iv, period_ms=period)
    return StreamKey(name, sym, kind)


def levels(rows: list[tuple[Decimal, Decimal]], spec: MarketSpec, futures: bool) -> list[list[str]]:
    if futures:
        pp, qp = spec.price_decimals, spec.qty_decimals
        return [[f"{p:.{pp}f}", f"{q:.{qp}f}"] for p, q in rows]
    return [[f"{p:.8f}", f"{q:.8f}"] for p, q in rows]


def trade_payload(t: Trade, spec: MarketSpec, futures: bool, now: int) -> dict[str, Any]:
    p, q = levels([(t.price, t.qty)], spec, futures)[0]
    out: dict[str, Any] = {
        "e": "trade",
        "E": now,
        "s": t.symbol,
        "t": t.trade_id,
        "p": p,
        "q": q,
        "T": t.time_ms,
        "m": t.buyer_is_maker,
    }
    if not futures:
        out["M"] = True
    return out


def agg_trade_payload(t: Trade, spec: MarketSpec, futures: bool, now: int) -> dict[str, Any]:
    p, q = levels([(t.price, t.qty)], spec, futures)[0]
    out: dict[str, Any] = {
        "e": "aggTrade",
        "E": now,
        "s": t.symbol,
        "a": t.trade_id,
        "p": p,
        "q": q,
        "f": t.trade_id,
        "l": t.trade_id,
        "T": t.time_ms,
        "m": t.buyer_is_maker,
    }
    if not futures:
        out["M"] = True
    return out


def kline_payload(
    c: Candle, key: StreamKey, spec: MarketSpec, futures: bool, now: int, closed: bool
) -> dict[str, Any]:
    (o, v), (h, _), (lo, _), (cl, tb) = levels(
        [(c.open, c.volume), (c.high, c.volume), (c.low, c.volume), (c.close, c.taker_buy_volume)],
        spec,
        futures,
    )
    return {
        "e": "kline",
        "E": now,
        "s": key.symbol,
        "k": {
            "t": c.open_ms,
            "T": c.close_ms,
            "s": key.symbol,
            "i": key.interval,
            "f": c.first_trade_id,
            "L": c.last_trade_id,
            "o": o,
            "c": cl,
            "h": h,
            "l": lo,
            "v": v,
            "n": c.trades,
            "x": closed,
            "q": f"{c.quote_volume:.8f}",
            "V": tb,
            "Q": f"{c.taker_buy_quote:.8f}",
            "B": "0",
        },
    }


@dataclass(slots=True)
class DiffAccumulator:
    """Level changes of one symbol between two pushes of a diff-depth stream."""

    prev_u: int
    first: int | None = None
    last: int = 0
    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    asks: dict[Decimal, Decimal] = field(default_factory=dict)

    def add(
        self, update_id: int, bids: dict[Decimal, Decimal], asks: dict[Decimal, Decimal]
    ) -> None:
        if self.first is None:
            self.first = update_id
        self.last = update_id
        self.bids.update(bids)
        self.asks.update(asks)

    def take(self) -> tuple[int, int, int, dict[Decimal, Decimal], dict[Decimal, Decimal]] | None:
        """(U, u, pu, bids, asks) of the pending batch, and reset; None if nothing changed."""
        if self.first is None:
            return None
        out = (self.first, self.last, self.prev_u, self.bids, self.asks)
        self.prev_u, self.first, self.bids, self.asks = self.last, None, {}, {}
        return out

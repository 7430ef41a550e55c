"""Candles and rolling statistics built from public trades."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from lotusx.sim.model import ZERO, Event, Trade

SECOND = 1000
INTERVALS_MS = {
    "1s": SECOND,
    "1m": 60 * SECOND,
    "3m": 180 * SECOND,
    "5m": 300 * SECOND,
    "15m": 900 * SECOND,
    "30m": 1800 * SECOND,
    "1h": 3600 * SECOND,
    "2h": 7200 * SECOND,
    "4h": 14400 * SECOND,
    "6h": 21600 * SECOND,
    "8h": 28800 * SECOND,
    "12h": 43200 * SECOND,
    "1d": 86400 * SECOND,
    "3d": 259200 * SECOND,
    "1w": 604800 * SECOND,
}
MONTH = "1M"
WEEK_OFFSET_MS = 4 * 86400 * SECOND  # epoch was a Thursday; weekly bars open on Monday


@dataclass(frozen=True, slots=True)
class Candle:
    open_ms: int
    close_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trades: int
    taker_buy_volume: Decimal
    taker_buy_quote: Decimal
    first_trade_id: int
    last_trade_id: int


def bucket(interval: str, t: int) -> tuple[int, int]:
    """[open, close] ms of the `interval` bar containing `t`."""
    if interval == MONTH:
        d = dt.datetime.fromtimestamp(t / 1000, dt.UTC)
        first = dt.datetime(d.year, d.month, 1, tzinfo=dt.UTC)
        nxt = dt.datetime(d.year + d.month // 12, d.month % 12 + 1, 1, tzinfo=dt.UTC)
        return int(first.timestamp() * 1000), int(nxt.timestamp() * 1000) - 1
    size = INTERVALS_MS[interval]
    off = WEEK_OFFSET_MS if interval == "1w" else 0
    start = t - (t - off) % size
    return start, start + size - 1


def merge(a: Candle | None, b: Candle, open_ms: int, close_ms: int) -> Candle:
    if a is None:
        return replace(b, open_ms=open_ms, close_ms=close_ms)
    return Candle(
        open_ms,
        close_ms,
        a.open,
        max(a.high, b.high),
        min(a.low, b.low),
        b.close,
        a.volume + b.volume,
        a.quote_volume + b.quote_volume,
        a.trades + b.trades,
        a.taker_buy_volume + b.taker_buy_volume,
        a.taker_buy_quote + b.taker_buy_quote,
        a.first_trade_id if a.trades else b.first_trade_id,
        b.last_trade_id if b.trades else a.last_trade_id,
    )


class CandleStore:
    """One-second bars per symbol of one market; coarser intervals are aggregated on demand."""

    def __init__(self, market: str, retention_ms: int = 2 * 86400 * SECOND) -> None:
        self.market = market
        self.retention_ms = retention_ms
        self.bars: dict[str, dict[int, Candle]] = {}
        self.last_trade: dict[str, Trade] = {}

    def on_event(self, event: Event) -> None:
        if isinstance(event, Trade) and event.market == self.market:
            self.add(event)

    def add(self, t: Trade) -> None:
        bars = self.bars.setdefault(t.symbol, {})
        start, end = bucket("1s", t.time_ms)
        quote = t.price * t.qty
        buy = not t.buyer_is_maker
        one = Candle(
            start,
            end,
            t.price,
            t.price,
            t.price,
            t.price,
            t.qty,
            quote,
            1,
            t.qty if buy else ZERO,
            quote if buy else ZERO,
            t.trade_id,
            t.trade_id,
        )
        bars[start] = merge(bars.get(start), one, start, end)
        self.last_trade[t.symbol] = t
        if len(bars) > 1 and len(bars) % 1000 == 0:
            cutoff = t.time_ms - self.retention_ms
            for key in [k for k in bars if k < cutoff]:
                del bars[key]

    def candles(
        self, symbol: str, interval: str, start: int | None, end: int | None, limit: int, now: int
    ) -> list[Candle]:
        """Bars of `interval` (oldest first, gaps filled flat), the newest `limit` in range."""
        bars = self.bars.get(symbol, {})
        if not bars:
            return []
        out: dict[int, Candle] = {}
        for t0 in sorted(bars):
            o, c = bucket(interval, t0)
            if (start is not None and c < start) or (end is not None and o > end):
                continue
            out[o] = merge(out.get(o), bars[t0], o, c)
        if not out:
            return []
        filled: list[Candle] = []
        cursor = min(out)
        last_open = bucket(interval, min(now, end) if end is not None else now)[0]
        prev: Candle | None = None
        while cursor <= last_open:
            o, c = bucket(interval, cursor)
            bar = out.get(o)
            if bar is None and prev is not None:
                p = prev.close
                bar = Candle(o, c, p, p, p, p, ZERO, ZERO, 0, ZERO, ZERO, -1, -1)
            if bar is not None:
                filled.append(bar)
                prev = bar
            cursor = c + 1
        if start is not None:
            return filled[:limit]
        return filled[-limit:]

    def rolling(self, symbol: str, now: int, window_ms: int = 86400 * SECOND) -> Candle | None:
        """Aggregate of the last `window_ms` (the 24h ticker)."""
        bars = self.bars.get(symbol, {})
        agg: Candle | None = None
        for t0 in sorted(bars):
            if t0 >= now - window_ms:
                agg = merge(agg, bars[t0], now - window_ms, now)
        return agg

"""Public market data shared by the spot and futures hosts (depth, trades, klines, tickers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lotusx.sim.candles import INTERVALS_MS, MONTH, Candle
from lotusx.sim.dialects.binance.errors import BinanceError
from lotusx.sim.dialects.binance.http import Ctx
from lotusx.sim.dialects.binance.params import Params
from lotusx.sim.dialects.binance.render import f8, fp
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO

Fmt = Callable[[Decimal], str]
SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'


def price_fmt(ctx: Ctx, spec: MarketSpec) -> Fmt:
    if ctx.host.market == "spot":
        return f8
    return lambda d: fp(d, spec.price_decimals)


def qty_fmt(ctx: Ctx, spec: MarketSpec) -> Fmt:
    if ctx.host.market == "spot":
        return f8
    return lambda d: fp(d, spec.qty_decimals)


def symbols_param(ctx: Ctx) -> list[MarketSpec] | None:
    """`symbol` or `symbols` (a JSON array) → specs; None when neither is given."""
    p = ctx.params
    one = p.symbol(ctx.specs, required=False)
    raw = p.opt("symbols")
    if one is not None and raw is not None:
        raise BinanceError(-1128, "Combination of optional parameters invalid.")
    if one is not None:
        return [one]
    if raw is None:
        return None
    try:
        names = [str(x) for x in json.loads(raw)]
    except ValueError:
        raise BinanceError(
            -1100,
            f"Illegal characters found in parameter 'symbols'; legal range is '{SYMBOLS_RANGE}'.",
        ) from None
    out = []
    for name in names:
        if name not in ctx.specs:
            raise BinanceError(-1121, "Invalid symbol.")
        out.append(ctx.specs[name])
    return out


def depth(ctx: Ctx, spec: MarketSpec, limit: int) -> dict[str, Any]:
    book = ctx.core.engines[ctx.host.market].books[spec.symbol]
    pf, qf = price_fmt(ctx, spec), qty_fmt(ctx, spec)
    return {
        "lastUpdateId": book.update_id,
        "bids": [[pf(p), qf(q)] for p, q in book.bids.depth(limit)],
        "asks": [[pf(p), qf(q)] for p, q in book.asks.depth(limit)],
    }


def recent_trades(ctx: Ctx, spec: MarketSpec, limit: int, spot: bool) -> list[dict[str, Any]]:
    trades = list(ctx.core.engines[ctx.host.market].trades[spec.symbol])[-limit:]
    pf, qf = price_fmt(ctx, spec), qty_fmt(ctx, spec)
    out = []
    for t in trades:
        item: dict[str, Any] = {
            "id": t.trade_id,
            "price": pf(t.price),
            "qty": qf(t.qty),
            "quoteQty": f8(t.price * t.qty),
            "time": t.time_ms,
            "isBuyerMaker": t.buyer_is_maker,
        }
        if spot:
            item["isBestMatch"] = True
        out.append(item)
    return out


def kline_row(c: Candle, pf: Fmt, qf: Fmt) -> list[Any]:
    return [
        c.open_ms,
        pf(c.open),
        pf(c.high),
        pf(c.low),
        pf(c.close),
        qf(c.volume),
        c.close_ms,
        f8(c.quote_volume),
        c.trades,
        qf(c.taker_buy_volume),
        f8(c.taker_buy_quote),
        "0",
    ]


def klines(ctx: Ctx, max_limit: int, allow_1s: bool) -> list[list[Any]]:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    interval = p.req("interval")
    if (interval not in INTERVALS_MS and interval != MONTH) or (interval == "1s" and not allow_1s):
        raise BinanceError(-1120, "Invalid interval.")
    start, end = p.integer("startTime"), p.integer("endTime")
    limit = min(p.integer("limit", 500) or 500, max_limit)
    p.opt("timeZone")
    p.done()
    store = ctx.core.candles[ctx.host.market]
    bars = store.candles(spec.symbol, interval, start, end, limit, ctx.now)
    pf, qf = price_fmt(ctx, spec), qty_fmt(ctx, spec)
    return [kline_row(c, pf, qf) for c in bars]


def ticker_24h(ctx: Ctx, spec: MarketSpec, spot: bool) -> dict[str, Any]:
    store = ctx.core.candles[ctx.host.market]
    engine = ctx.core.engines[ctx.host.market]
    book = engine.books[spec.symbol]
    pf, qf = price_fmt(ctx, spec), qty_fmt(ctx, spec)
    agg = store.rolling(spec.symbol, ctx.now)
    last = store.last_trade.get(spec.symbol)
    last_price = engine.last_price[spec.symbol]
    open_price = agg.open if agg else last_price
    change = last_price - open_price
    pct = (change / open_price * 100) if open_price else ZERO
    vol = agg.volume if agg else ZERO
    qvol = agg.quote_volume if agg else ZERO
    out: dict[str, Any] = {
        "symbol": spec.symbol,
        "priceChange": pf(change),
        "priceChangePercent": f"{pct:.3f}",
        "weightedAvgPrice": pf(qvol / vol if vol else last_price),
    }
    if spot:
        bid, ask = book.bids.depth(1), book.asks.depth(1)
        out["prevClosePrice"] = pf(open_price)
    out.update({"lastPrice": pf(last_price), "lastQty": qf(last.qty if last else ZERO)})
    if spot:
        out.update(
            {
                "bidPrice": pf(bid[0][0] if bid else ZERO),
                "bidQty": qf(bid[0][1] if bid else ZERO),
                "askPrice": pf(ask[0][0] if ask else ZERO),
                "askQty": qf(ask[0][1] if ask else ZERO),
            }
        )
    out.update(
        {
            "openPrice": pf(open_price),
            "highPrice": pf(agg.high if agg else last_price),
            "lowPrice": pf(agg.low if agg else last_price),
            "volume": qf(vol),
            "quoteVolume": f8(qvol),
            "openTime": ctx.now - 86_400_000,
            "closeTime": ctx.now,
            "firstId": agg.first_trade_id if agg else -1,
            "lastId": agg.last_trade_id if agg else -1,
            "count": agg.trades if agg else 0,
        }
    )
    return out


def book_ticker(ctx: Ctx, spec: MarketSpec, with_time: bool) -> dict[str, Any]:
    book = ctx.core.engines[ctx.host.market].books[spec.symbol]
    pf, qf = price_fmt(ctx, spec), qty_fmt(ctx, spec)
    bid, ask = book.bids.depth(1), book.asks.depth(1)
    out: dict[str, Any] = {
        "symbol": spec.symbol,
        "bidPrice": pf(bid[0][0] if bid else ZERO),
        "bidQty": qf(bid[0][1] if bid else ZERO),
        "askPrice": pf(ask[0][0] if ask else ZERO),
        "askQty": qf(ask[0][1] if ask else ZERO),
    }
    if with_time:
        out["time"] = ctx.now
    return out


def limit_param(p: Params, default: int, maximum: int) -> int:
    value = p.integer("limit", default) or default
    return max(1, min(value, maximum))

"""Spot public market data: Time, SystemStatus, AssetPairs, Assets, Depth, Trades, OHLC, Ticker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.kraken.errors import SpotError, invalid
from lotusx.sim.dialects.kraken.http_spot import Ctx, Route
from lotusx.sim.dialects.kraken.markets import CODE, REST_ASSET, Pair
from lotusx.sim.dialects.kraken.render import px, vol
from lotusx.sim.model import Side

OHLC_INTERVALS = {1: "1m", 5: "5m", 15: "15m", 30: "30m", 60: "1h", 240: "4h", 1440: "1d"}
ASSET_DECIMALS = {"BTC": (10, 5), "ETH": (10, 5), "USD": (4, 2)}


def _pairs(ctx: Ctx) -> list[Pair]:
    names = ctx.params.listed("pair")
    if not names:
        return list(ctx.pairs.pairs)
    out = []
    for name in names:
        pair = ctx.pairs.get(name)
        if pair is None:
            raise SpotError("EQuery:Unknown asset pair")
        out.append(pair)
    return out


async def time_(ctx: Ctx) -> Any:
    moment = dt.datetime.fromtimestamp(ctx.now / 1000, dt.UTC)
    return {"unixtime": ctx.now // 1000, "rfc1123": moment.strftime("%a, %d %b %y %H:%M:%S +0000")}


async def system_status(ctx: Ctx) -> Any:
    moment = dt.datetime.fromtimestamp(ctx.now / 1000, dt.UTC)
    state = "maintenance" if ctx.core.faults.maintenance else "online"
    return {"status": state, "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


def pair_json(pair: Pair) -> dict[str, Any]:
    spec = pair.spec
    return {
        "altname": pair.altname,
        "wsname": pair.wsname,
        "aclass_base": "currency",
        "base": REST_ASSET[spec.base],
        "aclass_quote": "currency",
        "quote": REST_ASSET[spec.quote],
        "lot": "unit",
        "cost_decimals": 5,
        "pair_decimals": spec.price_decimals,
        "lot_decimals": spec.qty_decimals,
        "lot_multiplier": 1,
        "leverage_buy": [],
        "leverage_sell": [],
        "fees": [[0, float(spec.taker_fee * 100)], [10000, 0.35], [50000, 0.24]],
        "fees_maker": [[0, float(spec.maker_fee * 100)], [10000, 0.2], [50000, 0.14]],
        "fee_volume_currency": "ZUSD",
        "margin_call": 80,
        "margin_stop": 40,
        "ordermin": str(spec.min_qty),
        "costmin": str(spec.min_notional),
        "tick_size": str(spec.tick),
        "status": "online",
    }


async def asset_pairs(ctx: Ctx) -> Any:
    info = ctx.params.opt("info") or "info"
    if info not in ("info", "leverage", "fees", "margin"):
        raise invalid("info")
    return {p.key: pair_json(p) for p in _pairs(ctx)}


async def assets(ctx: Ctx) -> Any:
    wanted = ctx.params.listed("asset")
    out = {}
    for asset, (decimals, display) in ASSET_DECIMALS.items():
        code = REST_ASSET[asset]
        if wanted and code not in wanted and asset not in wanted:
            continue
        out[code] = {
            "aclass": "currency",
            "altname": CODE[asset],
            "decimals": decimals,
            "display_decimals": display,
            "collateral_value": 1.0,
            "status": "enabled",
        }
    if wanted and not out:
        raise SpotError("EQuery:Unknown asset")
    return out


async def depth(ctx: Ctx) -> Any:
    pair = ctx.pair()
    count = ctx.params.integer("count", 100)
    assert count is not None
    if not 1 <= count <= 500:
        raise invalid("count")
    book = ctx.engine.books[pair.key]
    stamp = ctx.now // 1000

    def rows(side: Side) -> list[list[Any]]:
        return [[px(pair, p), vol(q), stamp] for p, q in book.side(side).depth(count)]

    return {pair.key: {"asks": rows(Side.SELL), "bids": rows(Side.BUY)}}


async def trades(ctx: Ctx) -> Any:
    pair = ctx.pair()
    since = ctx.params.integer("since", None)
    count = ctx.params.integer("count", 1000) or 1000
    rows = []
    last = 0
    for t in ctx.engine.trades[pair.key]:
        stamp_ns = t.time_ms * 1_000_000 + t.trade_id % 1_000_000
        if since is not None and stamp_ns <= since:
            continue
        side = "s" if t.buyer_is_maker else "b"
        rows.append([px(pair, t.price), vol(t.qty), t.time_ms / 1000, side, "l", "", t.trade_id])
        last = stamp_ns
    rows = rows[-count:]
    return {pair.key: rows, "last": str(last or (since or 0))}


async def ohlc(ctx: Ctx) -> Any:
    pair = ctx.pair()
    minutes = ctx.params.integer("interval", 1)
    if minutes not in OHLC_INTERVALS:
        raise invalid("interval")
    since = ctx.params.integer("since", None)
    store = ctx.core.candles[pair.spec.market]
    start = since * 1000 if since is not None else None
    bars = store.candles(pair.key, OHLC_INTERVALS[minutes], start, None, 720, ctx.now)
    rows = []
    for b in bars:
        vwap = b.quote_volume / b.volume if b.volume else b.close
        rows.append(
            [
                b.open_ms // 1000,
                px(pair, b.open),
                px(pair, b.high),
                px(pair, b.low),
                px(pair, b.close),
                px(pair, vwap),
                vol(b.volume),
                b.trades,
            ]
        )
    last = rows[-1][0] if rows else (since or 0)
    return {pair.key: rows, "last": last}


def ticker_json(ctx: Ctx, pair: Pair) -> dict[str, Any]:
    book = ctx.engine.books[pair.key]
    bid, ask = book.bids.depth(1), book.asks.depth(1)
    last = ctx.engine.last_price[pair.key]
    day = ctx.core.candles[pair.spec.market].rolling(pair.key, ctx.now)
    volume = day.volume if day else Decimal(0)
    vwap = day.quote_volume / day.volume if day and day.volume else last
    low = day.low if day else last
    high = day.high if day else last
    count = day.trades if day else 0

    def level(rows: list[tuple[Decimal, Decimal]]) -> list[str]:
        if not rows:
            return ["0", "0", "0"]
        p, q = rows[0]
        return [px(pair, p), str(int(q)) if q >= 1 else "1", vol(q)]

    return {
        "a": level(ask),
        "b": level(bid),
        "c": [px(pair, last), vol(Decimal(0))],
        "v": [vol(volume), vol(volume)],
        "p": [px(pair, vwap), px(pair, vwap)],
        "t": [count, count],
        "l": [px(pair, low), px(pair, low)],
        "h": [px(pair, high), px(pair, high)],
        "o": px(pair, day.open if day else last),
    }


async def ticker(ctx: Ctx) -> Any:
    return {p.key: ticker_json(ctx, p) for p in _pairs(ctx)}


def routes() -> list[Route]:
    return [
        Route("Time", time_, private=False),
        Route("SystemStatus", system_status, private=False),
        Route("AssetPairs", asset_pairs, private=False),
        Route("Assets", assets, private=False),
        Route("Depth", depth, private=False),
        Route("Trades", trades, private=False),
        Route("OHLC", ohlc, private=False),
        Route("Ticker", ticker, private=False),
    ]

"""Bybit `/v5/market` and `/v5/system` public routes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.candles import Candle
from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.bybit.errors import param
from lotusx.sim.dialects.bybit.http import Ctx, Route
from lotusx.sim.dialects.bybit.render import plain, price_scale, px, qty
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO

INTERVALS = {
    "1": "1m",
    "3": "3m",
    "5": "5m",
    "15": "15m",
    "30": "30m",
    "60": "1h",
    "120": "2h",
    "240": "4h",
    "360": "6h",
    "720": "12h",
    "D": "1d",
    "W": "1w",
    "M": "1M",
}
LAUNCH_MS = 1_585_526_400_000


async def server_time(ctx: Ctx) -> Any:
    return {"timeSecond": str(ctx.now // 1000), "timeNano": str(ctx.now * 1_000_000)}


async def system_status(ctx: Ctx) -> Any:
    if not ctx.core.faults.maintenance:
        return {"list": []}
    return {
        "list": [
            {
                "id": "sim-maintenance",
                "title": "Simulated system maintenance",
                "state": "ongoing",
                "begin": str(ctx.now - 60_000),
                "end": str(ctx.now + 3_600_000),
                "href": "",
                "serviceTypes": [1, 2, 3, 4, 5],
                "product": [1, 2, 4, 5],
                "uidSuffix": [],
                "maintainType": 1,
                "env": 1,
            }
        ]
    }


def instrument_json(spec: MarketSpec, category: str) -> dict[str, Any]:
    if category == "spot":
        return {
            "symbol": spec.symbol,
            "baseCoin": spec.base,
            "quoteCoin": spec.quote,
            "innovation": "0",
            "status": "Trading",
            "marginTrading": "utaOnly",
            "stTag": "0",
            "lotSizeFilter": {
                "basePrecision": plain(spec.lot),
                "quotePrecision": "0.00000001",
                "minOrderQty": plain(spec.min_qty),
                "maxOrderQty": plain(spec.max_qty),
                "minOrderAmt": plain(spec.min_notional),
                "maxOrderAmt": "2000000",
            },
            "priceFilter": {"tickSize": plain(spec.tick)},
            "riskParameters": {"priceLimitRatioX": "0.05", "priceLimitRatioY": "0.05"},
        }
    return {
        "symbol": spec.symbol,
        "contractType": "LinearPerpetual",
        "status": "Trading",
        "baseCoin": spec.base,
        "quoteCoin": spec.quote,
        "launchTime": str(LAUNCH_MS),
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": str(price_scale(spec)),
        "leverageFilter": {
            "minLeverage": "1",
            "maxLeverage": f"{spec.brackets[0].initial_leverage}.00",
            "leverageStep": "0.01",
        },
        "priceFilter": {
            "minPrice": px(spec, spec.min_price),
            "maxPrice": px(spec, spec.max_price),
            "tickSize": px(spec, spec.tick),
        },
        "lotSizeFilter": {
            "maxOrderQty": qty(spec, spec.max_qty),
            "minOrderQty": qty(spec, spec.min_qty),
            "qtyStep": qty(spec, spec.lot),
            "postOnlyMaxOrderQty": qty(spec, spec.max_qty),
            "maxMktOrderQty": qty(spec, spec.market_max_qty),
            "minNotionalValue": plain(spec.min_notional),
        },
        "unifiedMarginTrade": True,
        "fundingInterval": 480,
        "settleCoin": spec.quote,
        "copyTrading": "both",
        "upperFundingRate": "0.0075",
        "lowerFundingRate": "-0.0075",
        "isPreListing": False,
        "preListingInfo": None,
    }


async def instruments(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    only = p.opt_symbol(ctx.specs(category), category)
    if p.opt("limit"):
        p.limit(500, 1000)
    rows = [
        instrument_json(s, category)
        for s in ctx.specs(category).values()
        if only is None or s is only
    ]
    return {"category": category, "list": rows, "nextPageCursor": ""}


async def orderbook(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    spec = p.symbol(ctx.specs(category), category)
    limit = p.limit(1 if category == "spot" else 25, 1000 if category == "spot" else 500)
    book = ctx.engine(category).books[spec.symbol]
    return {
        "s": spec.symbol,
        "b": [[px(spec, a), qty(spec, b)] for a, b in book.bids.depth(limit)],
        "a": [[px(spec, a), qty(spec, b)] for a, b in book.asks.depth(limit)],
        "ts": ctx.now,
        "u": book.update_id,
        "seq": book.update_id,
        "cts": ctx.now,
    }


async def recent_trade(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    spec = p.symbol(ctx.specs(category), category)
    limit = p.limit(60 if category == "spot" else 500, 60 if category == "spot" else 1000)
    prints = list(ctx.engine(category).trades[spec.symbol])[-limit:]
    rows = [
        {
            "execId": str(t.trade_id),
            "symbol": spec.symbol,
            "price": px(spec, t.price),
            "size": qty(spec, t.qty),
            "side": "Sell" if t.buyer_is_maker else "Buy",
            "time": str(t.time_ms),
            "isBlockTrade": False,
            "isRPITrade": False,
            "seq": str(t.trade_id),
        }
        for t in reversed(prints)
    ]
    return {"category": category, "list": rows}


def kline_row(spec: MarketSpec, c: Candle) -> list[str]:
    return [
        str(c.open_ms),
        px(spec, c.open),
        px(spec, c.high),
        px(spec, c.low),
        px(spec, c.close),
        qty(spec, c.volume),
        plain(c.quote_volume),
    ]


async def kline(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    spec = p.symbol(ctx.specs(category), category)
    interval = p.req("interval")
    if interval not in INTERVALS:
        raise param("interval invalid")
    limit = p.limit(200, 1000)
    start, end = p.integer("start"), p.integer("end")
    store = ctx.core.candles[category]
    bars = store.candles(spec.symbol, INTERVALS[interval], start, end, 100_000, ctx.now)
    rows = [kline_row(spec, c) for c in reversed(bars)][:limit]
    return {"category": category, "symbol": spec.symbol, "list": rows}


def ticker_json(core: VenueCore, category: str, spec: MarketSpec, now: int) -> dict[str, Any]:
    engine = core.engines[category]
    book = engine.books[spec.symbol]
    last = engine.last_price[spec.symbol]
    agg = core.candles[category].rolling(spec.symbol, now)
    open_, high, low, vol = (
        (agg.open, agg.high, agg.low, agg.volume) if agg else (last,) * 3 + (ZERO,)
    )
    turnover = agg.quote_volume if agg else ZERO
    bid = book.bids.depth(1)
    ask = book.asks.depth(1)
    pct = ((last - open_) / open_).quantize(Decimal("1e-6")) if open_ else ZERO
    out: dict[str, Any] = {
        "symbol": spec.symbol,
        "bid1Price": px(spec, bid[0][0]) if bid else "",
        "bid1Size": qty(spec, bid[0][1]) if bid else "",
        "ask1Price": px(spec, ask[0][0]) if ask else "",
        "ask1Size": qty(spec, ask[0][1]) if ask else "",
        "lastPrice": px(spec, last),
        "prevPrice24h": px(spec, open_),
        "price24hPcnt": plain(pct),
        "highPrice24h": px(spec, high),
        "lowPrice24h": px(spec, low),
        "turnover24h": plain(turnover),
        "volume24h": qty(spec, vol),
    }
    if category == "spot":
        out["usdIndexPrice"] = plain(core.fair[spec.base]().quantize(Decimal("1e-6")))
        return out
    out.update(
        {
            "indexPrice": px(spec, core.index_price(spec.symbol).quantize(spec.tick)),
            "markPrice": px(spec, core.mark_price(spec.symbol)),
            "prevPrice1h": px(spec, open_),
            "openInterest": "0",
            "openInterestValue": "0",
            "fundingRate": plain(core.funding_rate(spec.symbol)),
            "nextFundingTime": str(core.next_funding_ms),
            "predictedDeliveryPrice": "",
            "basisRate": "",
            "deliveryFeeRate": "",
            "deliveryTime": "0",
            "basis": "",
            "fundingIntervalHour": str(core.funding_interval_ms // 3_600_000),
            "fundingCap": "0.0075",
        }
    )
    return out


async def tickers(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    only = p.opt_symbol(ctx.specs(category), category)
    rows = [
        ticker_json(ctx.core, category, s, ctx.now)
        for s in ctx.specs(category).values()
        if only is None or s is only
    ]
    return {"category": category, "list": rows}


async def funding_history(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category(("linear",))
    spec = p.symbol(ctx.specs(category), category)
    limit = p.limit(200, 200)
    start, end = p.integer("startTime"), p.integer("endTime")
    rows = [
        {
            "symbol": spec.symbol,
            "fundingRate": plain(r.rate),
            "fundingRateTimestamp": str(r.time_ms),
        }
        for r in reversed(ctx.core.funding_history.get(spec.symbol, []))
        if (start is None or r.time_ms >= start) and (end is None or r.time_ms <= end)
    ]
    return {"category": category, "list": rows[:limit]}


async def risk_limit(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category(("linear",))
    only = p.opt_symbol(ctx.specs(category), category)
    rows = []
    for spec in ctx.specs(category).values():
        if only is not None and spec is not only:
            continue
        for b in spec.brackets:
            rows.append(
                {
                    "id": b.bracket,
                    "symbol": spec.symbol,
                    "riskLimitValue": plain(b.notional_cap),
                    "maintenanceMargin": plain(b.maint_margin_ratio),
                    "initialMargin": plain(Decimal(1) / b.initial_leverage),
                    "isLowestRisk": 1 if b.bracket == 1 else 0,
                    "maxLeverage": f"{b.initial_leverage}.00",
                    "mmDeduction": plain(b.cum),
                }
            )
    return {"category": category, "list": rows, "nextPageCursor": ""}


def routes() -> list[Route]:
    get = "GET"
    return [
        Route(get, "/v5/market/time", server_time, in_maintenance=True),
        Route(get, "/v5/system/status", system_status, in_maintenance=True),
        Route(get, "/v5/market/instruments-info", instruments),
        Route(get, "/v5/market/orderbook", orderbook),
        Route(get, "/v5/market/recent-trade", recent_trade),
        Route(get, "/v5/market/kline", kline),
        Route(get, "/v5/market/tickers", tickers),
        Route(get, "/v5/market/funding/history", funding_history),
        Route(get, "/v5/market/risk-limit", risk_limit),
    ]

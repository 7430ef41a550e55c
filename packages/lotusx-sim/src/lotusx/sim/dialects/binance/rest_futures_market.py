"""USDⓈ-M `/fapi` public routes: exchange info, depth, trades, klines, premium index, tickers."""

from __future__ import annotations

from typing import Any

from lotusx.sim.dialects.binance import market_data as md
from lotusx.sim.dialects.binance.errors import BinanceError
from lotusx.sim.dialects.binance.http import Ctx, Route
from lotusx.sim.dialects.binance.params import Params
from lotusx.sim.dialects.binance.render import f8, fp
from lotusx.sim.dialects.binance.rest_spot import ping, server_time
from lotusx.sim.market import MarketSpec

DEPTH_LIMITS = {5: 2, 10: 2, 20: 2, 50: 2, 100: 5, 500: 10, 1000: 20}


def symbol_info(s: MarketSpec) -> dict[str, Any]:
    pp, qp = s.price_decimals, s.qty_decimals
    return {
        "symbol": s.symbol,
        "pair": s.symbol,
        "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000,
        "onboardDate": 1569398400000,
        "status": "TRADING",
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "baseAsset": s.base,
        "quoteAsset": s.quote,
        "marginAsset": s.quote,
        "pricePrecision": pp,
        "quantityPrecision": qp,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": [],
        "settlePlan": 0,
        "triggerProtect": "0.0500",
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": fp(s.min_price, pp),
                "maxPrice": fp(s.max_price, pp),
                "tickSize": fp(s.tick, pp),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": fp(s.min_qty, qp),
                "maxQty": fp(s.max_qty, qp),
                "stepSize": fp(s.lot, qp),
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": fp(s.min_qty, qp),
                "maxQty": fp(s.market_max_qty, qp),
                "stepSize": fp(s.lot, qp),
            },
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            {"filterType": "MIN_NOTIONAL", "notional": str(s.min_notional)},
            {
                "filterType": "PERCENT_PRICE",
                "multiplierUp": "1.0500",
                "multiplierDown": "0.9500",
                "multiplierDecimal": "4",
            },
        ],
        "orderTypes": ["LIMIT", "MARKET"],
        "timeInForce": ["GTC", "IOC", "FOK", "GTX"],
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
    }


async def exchange_info(ctx: Ctx) -> Any:
    ctx.params.done()
    return {
        "timezone": "UTC",
        "serverTime": ctx.now,
        "futuresType": "U_MARGINED",
        "rateLimits": ctx.host.limits.exchange_info(),
        "exchangeFilters": [],
        "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
        "symbols": [symbol_info(s) for s in ctx.specs.values()],
    }


def depth_weight(p: Params) -> int:
    raw = p.values.get("limit", "500")
    return DEPTH_LIMITS.get(int(raw), 10) if raw.isdigit() else 10


async def depth(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    limit = ctx.params.integer("limit", 500) or 500
    ctx.params.done()
    if limit not in DEPTH_LIMITS:
        raise BinanceError(-4021, f"'{limit}' is not valid depth limit.")
    out = md.depth(ctx, spec, limit)
    return {
        "lastUpdateId": out["lastUpdateId"],
        "E": ctx.now,
        "T": ctx.now,
        "bids": out["bids"],
        "asks": out["asks"],
    }


async def trades(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    limit = md.limit_param(ctx.params, 500, 1000)
    ctx.params.done()
    return md.recent_trades(ctx, spec, limit, spot=False)


def klines_weight(p: Params) -> int:
    raw = p.values.get("limit", "500")
    n = int(raw) if raw.isdigit() else 500
    return 1 if n < 100 else 2 if n < 500 else 5 if n <= 1000 else 10


async def klines(ctx: Ctx) -> Any:
    return md.klines(ctx, 1500, allow_1s=False)


def _premium(ctx: Ctx, spec: MarketSpec) -> dict[str, Any]:
    core = ctx.core
    return {
        "symbol": spec.symbol,
        "markPrice": f8(core.mark_price(spec.symbol)),
        "indexPrice": f8(core.index_price(spec.symbol)),
        "estimatedSettlePrice": f8(core.index_price(spec.symbol)),
        "lastFundingRate": f8(core.funding_rate(spec.symbol)),
        "interestRate": "0.00010000",
        "nextFundingTime": core.next_funding_ms,
        "time": ctx.now,
    }


async def premium_index(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    if spec is not None:
        return _premium(ctx, spec)
    return [_premium(ctx, s) for s in ctx.specs.values()]


async def funding_rate(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.symbol(ctx.specs, required=False)
    start, end = p.integer("startTime"), p.integer("endTime")
    limit = md.limit_param(p, 100, 1000)
    p.done()
    rows = [
        r
        for sym, hist in ctx.core.funding_history.items()
        if spec is None or sym == spec.symbol
        for r in hist
        if (start is None or r.time_ms >= start) and (end is None or r.time_ms <= end)
    ]
    rows.sort(key=lambda r: r.time_ms)
    rows = rows[:limit] if start is not None else rows[-limit:]
    return [
        {
            "symbol": r.symbol,
            "fundingRate": f8(r.rate),
            "fundingTime": r.time_ms,
            "markPrice": f8(r.mark),
        }
        for r in rows
    ]


async def ticker_24h(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    if spec is not None:
        return md.ticker_24h(ctx, spec, spot=False)
    return [md.ticker_24h(ctx, s, spot=False) for s in ctx.specs.values()]


async def book_ticker(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    if spec is not None:
        return md.book_ticker(ctx, spec, with_time=True)
    return [md.book_ticker(ctx, s, with_time=True) for s in ctx.specs.values()]


async def ticker_price(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    engine = ctx.core.engines[ctx.host.market]
    rows = [
        {
            "symbol": s.symbol,
            "price": fp(engine.last_price[s.symbol], s.price_decimals),
            "time": ctx.now,
        }
        for s in ([spec] if spec else ctx.specs.values())
    ]
    return rows[0] if spec else rows


def routes() -> list[Route]:
    f = "/fapi/v1"
    return [
        Route("GET", f"{f}/ping", ping, in_maintenance=True),
        Route("GET", f"{f}/time", server_time, in_maintenance=True),
        Route("GET", f"{f}/exchangeInfo", exchange_info, weight=1),
        Route("GET", f"{f}/depth", depth, weight=depth_weight),
        Route("GET", f"{f}/trades", trades, weight=5),
        Route("GET", f"{f}/klines", klines, weight=klines_weight),
        Route(
            "GET", f"{f}/premiumIndex", premium_index, weight=lambda p: 1 if p.has("symbol") else 10
        ),
        Route("GET", f"{f}/fundingRate", funding_rate, weight=1),
        Route("GET", f"{f}/ticker/24hr", ticker_24h, weight=lambda p: 1 if p.has("symbol") else 40),
        Route(
            "GET", f"{f}/ticker/price", ticker_price, weight=lambda p: 1 if p.has("symbol") else 2
        ),
        Route(
            "GET",
            f"{f}/ticker/bookTicker",
            book_ticker,
            weight=lambda p: 2 if p.has("symbol") else 5,
        ),
    ]

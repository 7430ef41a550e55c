"""Kraken Futures public data: instruments, tickers, orderbook, history, funding rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.kraken.errors import FuturesError
from lotusx.sim.dialects.kraken.http_futures import FCtx, FRoute, iso
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.markets import CODE, WS_ASSET
from lotusx.sim.dialects.kraken.render_futures import num
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Side

MAX_LEVERAGE = 50


def _spec(ctx: FCtx) -> MarketSpec:
    symbol = ctx.params.req("symbol").upper()
    spec = ctx.engine.specs.get(symbol)
    if spec is None:
        raise FuturesError("invalidArgument: symbol")
    return spec


def margin_levels(spec: MarketSpec) -> list[dict[str, Any]]:
    """The venue's own brackets: from `numNonContractUnits` (USD notional) up, the initial
    margin (1 / max leverage) and maintenance margin rates the simulator applies."""
    return [
        {
            "numNonContractUnits": num(b.notional_floor),
            "initialMargin": num(Decimal(1) / b.initial_leverage),
            "maintenanceMargin": num(b.maint_margin_ratio),
        }
        for b in spec.brackets
    ]


def instrument_json(spec: MarketSpec) -> dict[str, Any]:
    base = WS_ASSET[spec.base]
    return {
        "symbol": spec.symbol,
        "type": "flexible_futures",
        "tradeable": True,
        "tickSize": num(spec.tick),
        "contractSize": 1,
        "contractValueTradePrecision": spec.qty_decimals,
        "impactMidSize": 1,
        "maxPositionSize": 1000000,
        "openingDate": "2022-01-01T00:00:00.000Z",
        "marginLevels": margin_levels(spec),
        "fundingRateCoefficient": 8,
        "maxRelativeFundingRate": 0.001,
        "postOnly": False,
        "feeScheduleUid": "eef90775-995b-4596-9257-0917f6134766",
        "category": "Layer 1",
        "tags": [],
        "base": base,
        "quote": spec.quote,
        "pair": f"{base}:{spec.quote}",
    }


async def instruments(ctx: FCtx) -> dict[str, Any]:
    return {"instruments": [instrument_json(s) for s in ctx.engine.specs.values()]}


def ticker_json(ctx: FCtx, spec: MarketSpec) -> dict[str, Any]:
    core, sym = ctx.core, spec.symbol
    book = ctx.engine.books[sym]
    bid, ask = book.bids.depth(1), book.asks.depth(1)
    mark = core.mark_price(sym)
    rate = core.funding_rate(sym)
    day = core.candles[spec.market].rolling(sym, ctx.now)
    last = ctx.engine.last_price[sym]
    pos_oi = sum(
        (abs(p.qty) for p in core.ledger.positions.values() if p.symbol == sym), Decimal(0)
    )
    out: dict[str, Any] = {
        "symbol": sym,
        "last": num(last),
        "lastTime": iso(ctx.now),
        "tag": "perpetual",
        "pair": f"{CODE[spec.base]}:{spec.quote}",
        "markPrice": num(mark),
        "indexPrice": num(core.index_price(sym)),
        "bid": num(bid[0][0]) if bid else None,
        "bidSize": num(bid[0][1]) if bid else None,
        "ask": num(ask[0][0]) if ask else None,
        "askSize": num(ask[0][1]) if ask else None,
        "vol24h": num(day.volume) if day else 0,
        "volumeQuote": num(day.quote_volume) if day else 0,
        "openInterest": num(pos_oi / 2),
        "open24h": num(day.open) if day else num(last),
        "high24h": num(day.high) if day else num(last),
        "low24h": num(day.low) if day else num(last),
        "lastSize": 0,
        "fundingRate": num((rate * mark).quantize(Decimal("1e-10"))),
        "fundingRatePrediction": num((rate * mark).quantize(Decimal("1e-10"))),
        "suspended": False,
        "postOnly": False,
    }
    return out


async def tickers(ctx: FCtx) -> dict[str, Any]:
    wanted = {s.upper() for s in ctx.params.listed("symbol")}
    specs = [s for s in ctx.engine.specs.values() if not wanted or s.symbol in wanted]
    return {"tickers": [ticker_json(ctx, s) for s in specs]}


async def orderbook(ctx: FCtx) -> dict[str, Any]:
    spec = _spec(ctx)
    book = ctx.engine.books[spec.symbol]

    def rows(s: Side) -> list[list[Decimal]]:
        return [[num(p), num(q)] for p, q in book.side(s).depth(100)]

    return {"orderBook": {"bids": rows(Side.BUY), "asks": rows(Side.SELL)}}


async def history(ctx: FCtx) -> dict[str, Any]:
    spec = _spec(ctx)
    trades = list(ctx.engine.trades[spec.symbol])[-100:]
    rows = [
        {
            "time": iso(t.time_ms),
            "trade_id": t.trade_id,
            "price": num(t.price),
            "size": num(t.qty),
            "side": "sell" if t.buyer_is_maker else "buy",
            "type": "fill",
            "uid": Ids.public_trade(t.symbol, t.trade_id),
        }
        for t in reversed(trades)
    ]
    last = iso(trades[-1].time_ms) if trades else iso(ctx.now)
    return {"history": rows, "lastTime": last}


async def funding_rates(ctx: FCtx) -> dict[str, Any]:
    spec = _spec(ctx)
    recs = ctx.core.funding_history.get(spec.symbol, [])
    return {
        "rates": [
            {
                "timestamp": iso(r.time_ms),
                "fundingRate": num((r.rate * r.mark).quantize(Decimal("1e-10"))),
                "relativeFundingRate": num(r.rate),
            }
            for r in recs
        ]
    }


def routes() -> list[FRoute]:
    return [
        FRoute("GET", "instruments", instruments, private=False),
        FRoute("GET", "tickers", tickers, private=False),
        FRoute("GET", "orderbook", orderbook, private=False),
        FRoute("GET", "history", history, private=False),
        FRoute("GET", "historical-funding-rates", funding_rates, private=False),
    ]

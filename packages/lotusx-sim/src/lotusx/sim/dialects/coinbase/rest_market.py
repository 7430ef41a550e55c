"""Market data: `/time`, products, `/product_book`, `/best_bid_ask`, ticker and candles.

Each has an authenticated path and, where documented, a public `/market/...` twin.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.candles import INTERVALS_MS
from lotusx.sim.dialects.coinbase.errors import invalid, not_found
from lotusx.sim.dialects.coinbase.http import Ctx, Route
from lotusx.sim.dialects.coinbase.markets import QUOTE_MAX, QUOTE_MIN
from lotusx.sim.dialects.coinbase.render import Json, plain, rfc3339
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO

GRANULARITY = {
    "ONE_MINUTE": "1m",
    "FIVE_MINUTE": "5m",
    "FIFTEEN_MINUTE": "15m",
    "THIRTY_MINUTE": "30m",
    "ONE_HOUR": "1h",
    "TWO_HOUR": "2h",
    "FOUR_HOUR": "4h",
    "SIX_HOUR": "6h",
    "ONE_DAY": "1d",
}
MAX_CANDLES = 350
BOOK_MAX = 500


def product(ctx: Ctx, raw: str | None) -> MarketSpec:
    if raw is None:
        raise invalid("product_id is required")
    spec = ctx.core.specs["spot"].get(raw)
    if spec is None:
        raise not_found(f"ProductID {raw} could not be found")
    return spec


def product_json(ctx: Ctx, spec: MarketSpec) -> Json:
    engine = ctx.engine
    last = engine.last_price[spec.symbol]
    day = ctx.core.candles["spot"].rolling(spec.symbol, ctx.now)
    change = ZERO
    if day is not None and day.open:
        change = ((last - day.open) / day.open * 100).quantize(Decimal("0.00000001"))
    book = engine.books[spec.symbol]
    bid, ask = book.bids.best(), book.asks.best()
    mid = (bid + ask) / 2 if bid is not None and ask is not None else ZERO
    volume = day.volume if day else ZERO
    return {
        "product_id": spec.symbol,
        "price": plain(last),
        "price_percentage_change_24h": plain(change),
        "volume_24h": plain(volume),
        "volume_percentage_change_24h": "0",
        "base_increment": plain(spec.lot),
        "quote_increment": plain(spec.tick),
        "quote_min_size": plain(QUOTE_MIN),
        "quote_max_size": plain(QUOTE_MAX),
        "base_min_size": plain(spec.min_qty),
        "base_max_size": plain(spec.max_qty),
        "base_name": {"BTC": "Bitcoin", "ETH": "Ethereum"}.get(spec.base, spec.base),
        "quote_name": "US Dollar",
        "watched": False,
        "is_disabled": False,
        "new": False,
        "status": "online",
        "cancel_only": False,
        "limit_only": False,
        "post_only": False,
        "trading_disabled": False,
        "auction_mode": False,
        "product_type": "SPOT",
        "quote_currency_id": spec.quote,
        "base_currency_id": spec.base,
        "fcm_trading_session_details": None,
        "mid_market_price": plain(mid),
        "alias": "",
        "alias_to": [],
        "base_display_symbol": spec.base,
        "quote_display_symbol": spec.quote,
        "view_only": False,
        "price_increment": plain(spec.tick),
        "display_name": f"{spec.base}-{spec.quote}",
        "product_venue": "CBE",
        "approximate_quote_24h_volume": plain((volume * last).quantize(Decimal("0.01"))),
    }


async def server_time(ctx: Ctx) -> Any:
    return {
        "iso": rfc3339(ctx.now),
        "epochSeconds": str(ctx.now // 1000),
        "epochMillis": str(ctx.now),
    }


async def products(ctx: Ctx) -> Any:
    q = ctx.query
    kind = q.opt("product_type")
    if kind not in (None, "SPOT", "FUTURE", "UNKNOWN_PRODUCT_TYPE"):
        raise invalid("invalid product_type")
    wanted = q.many("product_ids")
    specs = [
        s
        for s in ctx.core.specs["spot"].values()
        if (not wanted or s.symbol in wanted) and kind != "FUTURE"
    ]
    offset = q.integer("offset", 0)
    limit = q.integer("limit", 0)
    specs = specs[offset:]
    if limit:
        specs = specs[:limit]
    rows = [product_json(ctx, s) for s in specs]
    return {"products": rows, "num_products": len(rows)}


async def one_product(ctx: Ctx) -> Any:
    return product_json(ctx, product(ctx, ctx.path.get("product_id")))


def _levels(rows: list[tuple[Decimal, Decimal]]) -> list[Json]:
    return [{"price": plain(p), "size": plain(s)} for p, s in rows]


def pricebook(ctx: Ctx, spec: MarketSpec, depth: int) -> Json:
    book = ctx.engine.books[spec.symbol]
    return {
        "product_id": spec.symbol,
        "bids": _levels(book.bids.depth(depth)),
        "asks": _levels(book.asks.depth(depth)),
        "time": rfc3339(ctx.now),
    }


async def product_book(ctx: Ctx) -> Any:
    spec = product(ctx, ctx.query.opt("product_id"))
    depth = ctx.query.integer("limit", BOOK_MAX, 0, 100_000) or BOOK_MAX
    book = ctx.engine.books[spec.symbol]
    bid, ask = book.bids.best(), book.asks.best()
    out: Json = {"pricebook": pricebook(ctx, spec, depth)}
    out["last"] = plain(ctx.engine.last_price[spec.symbol])
    if bid is not None and ask is not None:
        mid = (bid + ask) / 2
        out["mid_market"] = plain(mid)
        out["spread_absolute"] = plain(ask - bid)
        out["spread_bps"] = plain(((ask - bid) / mid * 10000).quantize(Decimal("0.0001")))
    return out


async def best_bid_ask(ctx: Ctx) -> Any:
    wanted = ctx.query.many("product_ids")
    specs = [product(ctx, p) for p in wanted] or list(ctx.core.specs["spot"].values())
    return {"pricebooks": [pricebook(ctx, s, 1) for s in specs]}


async def ticker(ctx: Ctx) -> Any:
    spec = product(ctx, ctx.path.get("product_id"))
    q = ctx.query
    if q.opt("limit") is None:
        raise invalid("limit is required")  # Get Market Trades: `limit` is required
    limit = q.integer("limit", 100, 1, 1000)
    start, end = q.integer("start", 0), q.integer("end", 0)
    trades = list(ctx.engine.trades[spec.symbol])
    rows = [
        t
        for t in reversed(trades)
        if (not start or t.time_ms >= start * 1000) and (not end or t.time_ms <= end * 1000)
    ][:limit]
    book = ctx.engine.books[spec.symbol]
    bid, ask = book.bids.best(), book.asks.best()
    return {
        "trades": [
            {
                "trade_id": str(t.trade_id),
                "product_id": spec.symbol,
                "price": plain(t.price),
                "size": plain(t.qty),
                "time": rfc3339(t.time_ms),
                "side": "BUY" if t.buyer_is_maker else "SELL",  # the maker's side
                "exchange": "",
            }
            for t in rows
        ],
        "best_bid": plain(bid) if bid is not None else "",
        "best_ask": plain(ask) if ask is not None else "",
    }


async def candles(ctx: Ctx) -> Any:
    spec = product(ctx, ctx.path.get("product_id"))
    q = ctx.query
    gran = q.opt("granularity")
    if gran not in GRANULARITY:
        raise invalid("invalid granularity")
    if q.opt("start") is None or q.opt("end") is None:
        raise invalid("start and end are required")
    start, end = q.integer("start", 0), q.integer("end", 0)
    interval = GRANULARITY[gran]
    size_s = INTERVALS_MS[interval] // 1000
    if end < start:
        raise invalid("start must be before end")
    if (end - start) // size_s > MAX_CANDLES:
        raise invalid(
            "start and end argument is invalid - "
            f"number of candles requested should be less than {MAX_CANDLES}"
        )
    limit = q.integer("limit", MAX_CANDLES, 1, MAX_CANDLES)
    store = ctx.core.candles["spot"]
    bars = store.candles(spec.symbol, interval, start * 1000, end * 1000, MAX_CANDLES, ctx.now)
    bars = [b for b in bars if start * 1000 <= b.open_ms <= end * 1000]
    return {
        "candles": [
            {
                "start": str(b.open_ms // 1000),
                "low": plain(b.low),
                "high": plain(b.high),
                "open": plain(b.open),
                "close": plain(b.close),
                "volume": plain(b.volume),
            }
            for b in reversed(bars)
        ][:limit]
    }


def routes() -> list[Route]:
    out = [Route("GET", "/time", server_time, private=False)]
    for prefix, private in (("", True), ("/market", False)):
        out += [
            Route("GET", f"{prefix}/products", products, private),
            Route("GET", f"{prefix}/products/{{product_id}}", one_product, private),
            Route("GET", f"{prefix}/product_book", product_book, private),
            Route("GET", f"{prefix}/products/{{product_id}}/ticker", ticker, private),
            Route("GET", f"{prefix}/products/{{product_id}}/candles", candles, private),
        ]
    out.append(Route("GET", "/best_bid_ask", best_bid_ask))
    return out

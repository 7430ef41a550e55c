"""OKX public REST: time, status, instruments, books, trades, candles, prices, funding, tiers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.candles import Candle
from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.okx.errors import OkxError, no_instrument, param
from lotusx.sim.dialects.okx.http import Ctx, Route
from lotusx.sim.dialects.okx.markets import Inst
from lotusx.sim.dialects.okx.render import fmt
from lotusx.sim.model import Side

BARS = {
    "1m": "1m",
    "3m": "3m",
    "5m": "5m",
    "15m": "15m",
    "30m": "30m",
    "1H": "1h",
    "2H": "2h",
    "4H": "4h",
    "6H": "6h",
    "12H": "12h",
    "1D": "1d",
    "1W": "1w",
    "1M": "1M",
}
for _bar, _iv in list(BARS.items()):
    if _bar[-1] in "HDWM" and _bar not in ("1H", "2H", "4H"):
        BARS[_bar + "utc"] = _iv


def _of_type(ctx: Ctx, inst_type: str) -> list[Inst]:
    return [i for i in ctx.insts.values() if i.inst_type == inst_type]


async def time(ctx: Ctx) -> Any:
    return [{"ts": str(ctx.now)}]


async def status(ctx: Ctx) -> Any:
    state = ctx.params.opt("state")
    if not ctx.core.faults.maintenance or state not in (None, "ongoing"):
        return []
    return [
        {
            "title": "Simulated system maintenance",
            "state": "ongoing",
            "begin": str(ctx.now - 60_000),
            "end": str(ctx.now + 3_600_000),
            "preOpenBegin": "",
            "href": "",
            "serviceType": "0",
            "system": "unified",
            "scheDesc": "",
            "maintType": "1",
            "env": "1",
        }
    ]


def instrument_json(inst: Inst) -> dict[str, Any]:
    spec = inst.spec
    return {
        "alias": "",
        "baseCcy": spec.base if not inst.swap else "",
        "category": "1",
        "ctMult": "1" if inst.swap else "",
        "ctType": "linear" if inst.swap else "",
        "ctVal": fmt(inst.ct_val) if inst.swap else "",
        "ctValCcy": spec.base if inst.swap else "",
        "expTime": "",
        "instFamily": inst.family if inst.swap else "",
        "instId": inst.inst_id,
        "instType": inst.inst_type,
        "lever": str(inst.max_lever) if inst.swap else "10",
        "listTime": str(inst.list_time),
        "lotSz": fmt(inst.lot_sz),
        "maxIcebergSz": fmt(inst.max_lmt_sz),
        "maxLmtAmt": "20000000",
        "maxLmtSz": fmt(inst.max_lmt_sz),
        "maxMktAmt": "1000000",
        "maxMktSz": fmt(inst.max_mkt_sz),
        "maxStopSz": fmt(inst.max_mkt_sz),
        "maxTriggerSz": fmt(inst.max_lmt_sz),
        "maxTwapSz": fmt(inst.max_lmt_sz),
        "minSz": fmt(inst.min_sz),
        "optType": "",
        "quoteCcy": spec.quote if not inst.swap else "",
        "ruleType": "normal",
        "settleCcy": spec.quote if inst.swap else "",
        "state": "live",
        "stk": "",
        "tickSz": fmt(spec.tick),
        "uly": inst.family if inst.swap else "",
    }


async def instruments(ctx: Ctx) -> Any:
    p = ctx.params
    inst_type = p.inst_type(("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"))
    inst_id = p.opt("instId")
    family = p.opt("instFamily") or p.opt("uly")
    out = []
    for inst in _of_type(ctx, inst_type):
        if inst_id and inst.inst_id != inst_id:
            continue
        if family and inst.family != family:
            continue
        out.append(instrument_json(inst))
    return out


def levels(ctx: Ctx, inst: Inst, side: Side, depth: int) -> list[list[str]]:
    """`[px, sz, "0", numOrders]` rows, best first, sizes in wire units."""
    book = ctx.engine(inst).books[inst.inst_id].side(side)
    return [
        [fmt(p), fmt(inst.to_wire(book.levels[p].qty)), "0", str(len(book.levels[p].orders))]
        for p, _ in book.depth(depth)
    ]


async def books(ctx: Ctx) -> Any:
    inst = ctx.params.inst(ctx.insts)
    sz = ctx.params.integer("sz", 1)
    assert sz is not None
    if not 1 <= sz <= 400:
        raise param("sz")
    return [
        {
            "asks": levels(ctx, inst, Side.SELL, sz),
            "bids": levels(ctx, inst, Side.BUY, sz),
            "ts": str(ctx.now),
        }
    ]


async def ticker(ctx: Ctx) -> Any:
    """GET /api/v5/market/ticker: last trade, top of book and 24 h statistics of one instrument.

    ``vol24h`` is in wire units (contracts for swaps), ``volCcy24h`` in the quote currency for
    spot and in the base currency for swaps, as documented."""
    inst = ctx.params.inst(ctx.insts)
    book = ctx.engine(inst).books[inst.inst_id]
    day = [t for t in ctx.engine(inst).trades[inst.inst_id] if t.time_ms >= ctx.now - 86_400_000]
    last = day[-1] if day else None

    def top(side: Side) -> tuple[str, str]:
        best = book.side(side).depth(1)
        return (fmt(best[0][0]), fmt(inst.to_wire(best[0][1]))) if best else ("", "")

    (ask_px, ask_sz), (bid_px, bid_sz) = top(Side.SELL), top(Side.BUY)
    base_volume = sum((t.qty for t in day), Decimal(0))
    quote_volume = sum((t.qty * t.price for t in day), Decimal(0))
    prices = [t.price for t in day]
    return [
        {
            "instType": inst.inst_type,
            "instId": inst.inst_id,
            "last": fmt(last.price) if last else "",
            "lastSz": fmt(inst.to_wire(last.qty)) if last else "",
            "askPx": ask_px,
            "askSz": ask_sz,
            "bidPx": bid_px,
            "bidSz": bid_sz,
            "open24h": fmt(prices[0]) if prices else "",
            "high24h": fmt(max(prices)) if prices else "",
            "low24h": fmt(min(prices)) if prices else "",
            "volCcy24h": fmt(base_volume if inst.swap else quote_volume),
            "vol24h": fmt(inst.to_wire(base_volume)),
            "sodUtc0": fmt(prices[0]) if prices else "",
            "sodUtc8": fmt(prices[0]) if prices else "",
            "ts": str(ctx.now),
        }
    ]


async def trades(ctx: Ctx) -> Any:
    inst = ctx.params.inst(ctx.insts)
    limit = ctx.params.limit(100, 500)
    prints = list(ctx.engine(inst).trades[inst.inst_id])[-limit:]
    return [
        {
            "instId": inst.inst_id,
            "side": "sell" if t.buyer_is_maker else "buy",
            "sz": fmt(inst.to_wire(t.qty)),
            "px": fmt(t.price),
            "source": "0",
            "tradeId": str(t.trade_id),
            "ts": str(t.time_ms),
        }
        for t in reversed(prints)
    ]


def candle_row(inst: Inst, c: Candle, now: int) -> list[str]:
    return [
        str(c.open_ms),
        fmt(c.open),
        fmt(c.high),
        fmt(c.low),
        fmt(c.close),
        fmt(inst.to_wire(c.volume)),
        fmt(c.volume),
        fmt(c.quote_volume),
        "1" if c.close_ms < now else "0",
    ]


async def candles(ctx: Ctx) -> Any:
    p = ctx.params
    inst = p.inst(ctx.insts)
    bar = p.opt("bar") or "1m"
    if bar not in BARS:
        raise param("bar")
    limit = p.limit(100, 300)
    after, before = p.integer("after"), p.integer("before")
    store = ctx.core.candles[inst.spec.market]
    bars = store.candles(inst.inst_id, BARS[bar], None, None, 100_000, ctx.now)
    picked = [
        c
        for c in bars
        if (after is None or c.open_ms < after) and (before is None or c.open_ms > before)
    ]
    newest_first = list(reversed(picked))
    return [candle_row(inst, c, ctx.now) for c in newest_first[:limit]]


async def index_tickers(ctx: Ctx) -> Any:
    p = ctx.params
    inst_id, quote = p.opt("instId"), p.opt("quoteCcy")
    if inst_id is None and quote is None:
        raise OkxError("50015", "Either parameter instId or quoteCcy is required.", 400)
    out = []
    for base, fair in sorted(ctx.core.fair.items()):
        index_id = f"{base}-USDT"
        if (inst_id and inst_id != index_id) or (quote and quote != "USDT"):
            continue
        px = fmt(fair().quantize(Decimal("0.1")))
        out.append(
            {
                "instId": index_id,
                "idxPx": px,
                "high24h": px,
                "low24h": px,
                "open24h": px,
                "sodUtc0": px,
                "sodUtc8": px,
                "ts": str(ctx.now),
            }
        )
    if inst_id and not out:
        raise no_instrument()
    return out


def _swap_inst(ctx: Ctx, required: bool = True) -> Inst | None:
    p = ctx.params
    inst = p.inst(ctx.insts) if required else p.opt_inst(ctx.insts)
    if inst is not None and not inst.swap:
        raise OkxError("51000", "Parameter instId error", 400)
    return inst


async def mark_price(ctx: Ctx) -> Any:
    inst_type = ctx.params.inst_type(("MARGIN", "SWAP", "FUTURES", "OPTION"))
    only = _swap_inst(ctx, required=False)
    if inst_type != "SWAP":
        return []
    return [
        {
            "instType": "SWAP",
            "instId": inst.inst_id,
            "markPx": fmt(ctx.core.mark_price(inst.inst_id)),
            "ts": str(ctx.now),
        }
        for inst in _of_type(ctx, "SWAP")
        if only is None or inst is only
    ]


def funding_json(core: VenueCore, inst: Inst, now: int) -> dict[str, Any]:
    nxt = core.next_funding_ms
    rate = core.funding_rate(inst.inst_id)
    return {
        "formulaType": "noRate",
        "fundingRate": fmt(rate),
        "fundingTime": str(nxt),
        "impactValue": "",
        "instId": inst.inst_id,
        "instType": "SWAP",
        "interestRate": "0.0001",
        "maxFundingRate": "0.0075",
        "method": "current_period",
        "minFundingRate": "-0.0075",
        "nextFundingRate": "",
        "nextFundingTime": str(nxt + core.funding_interval_ms),
        "premium": fmt(core.basis[inst.inst_id]()),
        "settFundingRate": fmt(rate),
        "settState": "settled",
        "ts": str(now),
    }


async def funding_rate(ctx: Ctx) -> Any:
    inst = _swap_inst(ctx)
    assert inst is not None
    return [funding_json(ctx.core, inst, ctx.now)]


async def funding_history(ctx: Ctx) -> Any:
    inst = _swap_inst(ctx)
    assert inst is not None
    p = ctx.params
    limit = p.limit(100, 100)
    after, before = p.integer("after"), p.integer("before")
    rows = [
        r
        for r in reversed(ctx.core.funding_history.get(inst.inst_id, []))
        if (after is None or r.time_ms < after) and (before is None or r.time_ms > before)
    ]
    return [
        {
            "formulaType": "noRate",
            "fundingRate": fmt(r.rate),
            "fundingTime": str(r.time_ms),
            "instId": inst.inst_id,
            "instType": "SWAP",
            "method": "current_period",
            "realizedRate": fmt(r.rate),
        }
        for r in rows[:limit]
    ]


async def position_tiers(ctx: Ctx) -> Any:
    p = ctx.params
    inst_type = p.inst_type(("MARGIN", "SWAP", "FUTURES", "OPTION"))
    p.choice("tdMode", ("cross", "isolated"))
    family = p.opt("instFamily") or p.opt("uly")
    inst_id = p.opt("instId")
    if inst_type != "SWAP":
        raise OkxError("51000", "Parameter instType error", 400)
    if family is None and inst_id is None:
        raise OkxError("50015", "Either parameter instFamily or uly is required.", 400)
    matched = [
        i
        for i in _of_type(ctx, "SWAP")
        if (family is None or i.family in family.split(","))
        and (inst_id is None or i.inst_id == inst_id)
    ]
    if not matched:
        raise no_instrument()
    tier_filter = p.opt("tier")
    out = []
    for inst in matched:
        for b in inst.spec.brackets:
            if tier_filter and str(b.bracket) != tier_filter:
                continue
            out.append(
                {
                    "baseMaxLoan": "",
                    "imr": fmt(Decimal(1) / b.initial_leverage),
                    "instFamily": inst.family,
                    "instId": "",
                    "maxLever": str(b.initial_leverage),
                    "maxSz": fmt(inst.to_wire(b.notional_cap)),
                    "minSz": fmt(inst.to_wire(b.notional_floor)),
                    "mmr": fmt(b.maint_margin_ratio),
                    "optMgnFactor": "0",
                    "quoteMaxLoan": "",
                    "tier": str(b.bracket),
                    "uly": inst.family,
                }
            )
    return out


def routes() -> list[Route]:
    get = "GET"
    return [
        Route(get, "/api/v5/public/time", time, in_maintenance=True),
        Route(get, "/api/v5/system/status", status, in_maintenance=True),
        Route(get, "/api/v5/public/instruments", instruments),
        Route(get, "/api/v5/market/books", books),
        Route(get, "/api/v5/market/trades", trades),
        Route(get, "/api/v5/market/candles", candles),
        Route(get, "/api/v5/market/ticker", ticker),
        Route(get, "/api/v5/market/index-tickers", index_tickers),
        Route(get, "/api/v5/public/mark-price", mark_price),
        Route(get, "/api/v5/public/funding-rate", funding_rate),
        Route(get, "/api/v5/public/funding-rate-history", funding_history),
        Route(get, "/api/v5/public/position-tiers", position_tiers),
    ]

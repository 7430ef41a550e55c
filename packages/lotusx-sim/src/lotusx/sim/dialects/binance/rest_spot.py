"""Spot `/api/v3` routes: market data, trading, account and user-data-stream keys."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal
from enum import StrEnum
from typing import Any

from lotusx.sim.dialects.binance import market_data as md
from lotusx.sim.dialects.binance.auth import Security
from lotusx.sim.dialects.binance.errors import (
    UNKNOWN_ORDER,
    BinanceError,
    listen_key_unknown,
    mandatory,
    no_such_order,
    spot_new_order,
)
from lotusx.sim.dialects.binance.http import Ctx, Route
from lotusx.sim.dialects.binance.params import Params
from lotusx.sim.dialects.binance.render import f8, spot_cancel, spot_my_trade, spot_new, spot_order
from lotusx.sim.engine import Engine, OrderRequest
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Order, OrderType, Rejected, RejectReason, Side, TimeInForce

CLIENT_ID_RE = re.compile(r"^[a-zA-Z0-9-_]{1,36}$")
MAX_DECIMALS = 8
SIGNED, KEY = Security.SIGNED, Security.API_KEY


class SpotType(StrEnum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"
    LIMIT_MAKER = "LIMIT_MAKER"


def _engine(ctx: Ctx) -> Engine:
    return ctx.core.engines["spot"]


def _random_id() -> str:
    return secrets.token_urlsafe(16)[:22].replace("-", "x").replace("_", "y")


# ----------------------------------------------------------------- validation
def _precision(name: str, value: Decimal | None) -> None:
    if value is not None and -int(value.as_tuple().exponent) > MAX_DECIMALS:
        raise BinanceError(-1111, f"Parameter '{name}' has too much precision.")


def _filter(name: str) -> BinanceError:
    return BinanceError(-1013, f"Filter failure: {name}")


def parse_order(
    ctx: Ctx, p: Params, prefix_client: str = "newClientOrderId"
) -> tuple[OrderRequest, str, str]:
    """Validate new-order params → (request, native type, newOrderRespType)."""
    spec = p.req_symbol(ctx.specs)
    side = p.choice("side", Side, -1117, "Invalid side.")
    otype = p.choice("type", SpotType, -1116, "Invalid orderType.")
    assert side is not None and otype is not None
    tif_raw = p.opt("timeInForce")
    qty = p.decimal("quantity")
    quote_qty = p.decimal("quoteOrderQty")
    price = p.decimal("price")
    if otype is SpotType.LIMIT:
        for name, val in (("timeInForce", tif_raw), ("quantity", qty), ("price", price)):
            if val is None:
                raise mandatory(name)
    elif otype is SpotType.LIMIT_MAKER:
        for name, val in (("quantity", qty), ("price", price)):
            if val is None:
                raise mandatory(name)
    else:
        if qty is None and quote_qty is None:
            raise BinanceError(
                -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"
            )
        if qty is not None and quote_qty is not None:
            raise BinanceError(-1106, "Parameter 'quoteOrderQty' sent when not required.")
        if price is not None:
            raise BinanceError(-1106, "Parameter 'price' sent when not required.")
    if otype is not SpotType.LIMIT and tif_raw is not None:
        raise BinanceError(-1106, "Parameter 'timeInForce' sent when not required.")
    if otype is not SpotType.MARKET and quote_qty is not None:
        raise BinanceError(-1106, "Parameter 'quoteOrderQty' sent when not required.")
    tif = TimeInForce.GTC
    if tif_raw is not None:
        try:
            tif = TimeInForce(tif_raw)
        except ValueError:
            raise BinanceError(-1115, "Invalid timeInForce.") from None
    cid = p.opt(prefix_client)
    if cid is not None and not CLIENT_ID_RE.match(cid):
        raise BinanceError(
            -1100,
            f"Illegal characters found in parameter '{prefix_client}'; "
            "legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
        )
    resp = p.opt("newOrderRespType") or ("FULL" if otype is not SpotType.LIMIT_MAKER else "ACK")
    if resp not in ("ACK", "RESULT", "FULL"):
        raise BinanceError(-1130, "Data sent for parameter 'newOrderRespType' is not valid.")
    p.opt("selfTradePreventionMode")
    for name, val in (("quantity", qty), ("price", price), ("quoteOrderQty", quote_qty)):
        _precision(name, val)
    _check_filters(ctx, spec, otype, price, qty, quote_qty)
    req = OrderRequest(
        ctx.acct,
        spec.symbol,
        side,
        OrderType.MARKET if otype is SpotType.MARKET else OrderType.LIMIT,
        qty if qty is not None else Decimal(0),
        price=price,
        tif=tif,
        client_id=cid or None,
        post_only=otype is SpotType.LIMIT_MAKER,
        quote_qty=quote_qty,
    )
    return req, otype.value, resp


def _check_filters(
    ctx: Ctx,
    spec: MarketSpec,
    otype: SpotType,
    price: Decimal | None,
    qty: Decimal | None,
    quote_qty: Decimal | None,
) -> None:
    if price is not None and (
        price < spec.min_price or price > spec.max_price or not spec.on_tick(price)
    ):
        raise _filter("PRICE_FILTER")
    if qty is not None:
        name = "MARKET_LOT_SIZE" if otype is SpotType.MARKET else "LOT_SIZE"
        limit = spec.market_max_qty if otype is SpotType.MARKET else spec.max_qty
        if qty < spec.min_qty or qty > limit or not spec.on_lot(qty):
            raise _filter(name)
    ref = price if price is not None else _engine(ctx).last_price[spec.symbol]
    notional = quote_qty if quote_qty is not None else ref * (qty or Decimal(0))
    if notional < spec.min_notional:
        raise _filter("NOTIONAL")


def _lookup(
    ctx: Ctx,
    p: Params,
    spec: MarketSpec,
    id_name: str = "orderId",
    cid_name: str = "origClientOrderId",
) -> Order:
    oid = p.integer(id_name)
    cid = p.opt(cid_name)
    if oid is None and cid is None:
        raise BinanceError(
            -1102, f"Param '{cid_name}' or '{id_name}' must be sent, but both were empty/null!"
        )
    return _engine(ctx).get(ctx.acct, spec.symbol, oid, cid)


# ----------------------------------------------------------------- market data
async def ping(ctx: Ctx) -> Any:
    ctx.params.done()
    return {}


async def server_time(ctx: Ctx) -> Any:
    ctx.params.done()
    return {"serverTime": ctx.now}


def symbol_info(ctx: Ctx, s: MarketSpec) -> dict[str, Any]:
    return {
        "symbol": s.symbol,
        "status": "TRADING",
        "baseAsset": s.base,
        "baseAssetPrecision": 8,
        "quoteAsset": s.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"],
        "icebergAllowed": False,
        "ocoAllowed": False,
        "otoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": True,
        "amendAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": f8(s.min_price),
                "maxPrice": f8(s.max_price),
                "tickSize": f8(s.tick),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": f8(s.min_qty),
                "maxQty": f8(s.max_qty),
                "stepSize": f8(s.lot),
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": f8(s.min_qty),
                "maxQty": f8(s.market_max_qty),
                "stepSize": f8(s.lot),
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": f8(s.min_notional),
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "NONE",
        "allowedSelfTradePreventionModes": ["NONE"],
    }


async def exchange_info(ctx: Ctx) -> Any:
    chosen = md.symbols_param(ctx)
    ctx.params.opt("permissions")
    ctx.params.opt("showPermissionSets")
    ctx.params.opt("symbolStatus")
    ctx.params.done()
    specs = chosen if chosen is not None else list(ctx.specs.values())
    return {
        "timezone": "UTC",
        "serverTime": ctx.now,
        "rateLimits": ctx.host.limits.exchange_info(),
        "exchangeFilters": [],
        "symbols": [symbol_info(ctx, s) for s in specs],
    }


def depth_weight(p: Params) -> int:
    limit = p.values.get("limit", "100")
    n = int(limit) if limit.isdigit() else 100
    return 5 if n <= 100 else 25 if n <= 500 else 50 if n <= 1000 else 250


async def depth(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    limit = md.limit_param(ctx.params, 100, 5000)
    ctx.params.done()
    return md.depth(ctx, spec, limit)


async def trades(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    limit = md.limit_param(ctx.params, 500, 1000)
    ctx.params.done()
    return md.recent_trades(ctx, spec, limit, spot=True)


async def klines(ctx: Ctx) -> Any:
    return md.klines(ctx, 1000, allow_1s=True)


async def avg_price(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    ctx.params.done()
    store = ctx.core.candles["spot"]
    agg = store.rolling(spec.symbol, ctx.now, 5 * 60_000)
    last = store.last_trade.get(spec.symbol)
    price = (
        agg.quote_volume / agg.volume
        if agg and agg.volume
        else _engine(ctx).last_price[spec.symbol]
    )
    return {"mins": 5, "price": f8(price), "closeTime": last.time_ms if last else ctx.now}


def ticker_weight(p: Params) -> int:
    if p.has("symbol"):
        return 2
    if p.has("symbols"):
        n = p.values["symbols"].count(",") + 1
        return 2 if n <= 20 else 40 if n <= 100 else 80
    return 80


async def ticker_24h(ctx: Ctx) -> Any:
    chosen = md.symbols_param(ctx)
    kind = ctx.params.opt("type") or "FULL"
    if kind not in ("FULL", "MINI"):
        raise BinanceError(-1139, "Invalid ticker type.")
    ctx.params.done()
    mini_drop = (
        "priceChange",
        "priceChangePercent",
        "weightedAvgPrice",
        "prevClosePrice",
        "lastQty",
        "bidPrice",
        "bidQty",
        "askPrice",
        "askQty",
    )
    rows = [
        md.ticker_24h(ctx, s, spot=True)
        for s in (chosen if chosen is not None else ctx.specs.values())
    ]
    if kind == "MINI":
        rows = [{k: v for k, v in r.items() if k not in mini_drop} for r in rows]
    return rows[0] if ctx.params.has("symbol") else rows


async def book_ticker(ctx: Ctx) -> Any:
    chosen = md.symbols_param(ctx)
    ctx.params.done()
    rows = [
        md.book_ticker(ctx, s, with_time=False)
        for s in (chosen if chosen is not None else ctx.specs.values())
    ]
    return rows[0] if ctx.params.has("symbol") else rows


async def ticker_price(ctx: Ctx) -> Any:
    chosen = md.symbols_param(ctx)
    ctx.params.done()
    rows = [
        {"symbol": s.symbol, "price": f8(_engine(ctx).last_price[s.symbol])}
        for s in (chosen if chosen is not None else ctx.specs.values())
    ]
    return rows[0] if ctx.params.has("symbol") else rows


# ----------------------------------------------------------------- trading
def _fills_of(ctx: Ctx, order: Order) -> list[Any]:
    return [
        f
        for f in _engine(ctx).account_fills(ctx.acct, order.symbol)
        if f.order_id == order.order_id
    ]


async def new_order(ctx: Ctx) -> Any:
    req, native, resp = parse_order(ctx, ctx.params)
    ctx.params.done()
    try:
        order = _engine(ctx).place(req)
    except Rejected as exc:
        raise spot_new_order(exc) from None
    if native == "LIMIT_MAKER":
        order.tags["type"] = native
    return spot_new(order, resp, _fills_of(ctx, order))


async def test_order(ctx: Ctx) -> Any:
    parse_order(ctx, ctx.params)
    ctx.params.opt("computeCommissionRates")
    ctx.params.done()
    return {}


async def get_order(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    try:
        order = _lookup(ctx, ctx.params, spec)
    except Rejected:
        raise no_such_order() from None
    ctx.params.done()
    return spot_order(order)


def _cancel(
    ctx: Ctx, p: Params, spec: MarketSpec, id_name: str, cid_name: str, new_cid_name: str
) -> dict[str, Any]:
    restrictions = p.opt("cancelRestrictions")
    if restrictions not in (None, "ONLY_NEW", "ONLY_PARTIALLY_FILLED"):
        raise BinanceError(-1145, "Invalid cancelRestrictions")
    cancel_id = p.opt(new_cid_name) or _random_id()
    try:
        order = _lookup(ctx, p, spec, id_name, cid_name)
        if not order.status.is_open:
            raise Rejected(RejectReason.UNKNOWN_ORDER)
        if restrictions and order.status.value != restrictions.removeprefix("ONLY_"):
            raise BinanceError(-2011, "Order was not canceled due to cancel restrictions.")
        order.tags["cancel_cid"] = cancel_id
        _engine(ctx).cancel(ctx.acct, spec.symbol, order.order_id)
    except Rejected:
        raise BinanceError(-2011, UNKNOWN_ORDER) from None
    return spot_cancel(order, cancel_id, ctx.now)


async def cancel_order(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    ctx.params.opt("orderId")
    ctx.params.opt("origClientOrderId")
    ctx.params.opt("newClientOrderId")
    ctx.params.opt("cancelRestrictions")
    ctx.params.done()
    return _cancel(ctx, ctx.params, spec, "orderId", "origClientOrderId", "newClientOrderId")


async def cancel_replace(ctx: Ctx) -> Any:
    p = ctx.params
    mode = p.req("cancelReplaceMode")
    if mode not in ("STOP_ON_FAILURE", "ALLOW_FAILURE"):
        raise BinanceError(-1130, "Data sent for parameter 'cancelReplaceMode' is not valid.")
    req, native, resp = parse_order(ctx, p)
    for name in (
        "cancelOrderId",
        "cancelOrigClientOrderId",
        "cancelNewClientOrderId",
        "cancelRestrictions",
        "orderRateLimitExceededMode",
    ):
        p.opt(name)
    if p.opt("cancelOrderId") is None and p.opt("cancelOrigClientOrderId") is None:
        raise BinanceError(
            -1102,
            "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be "
            "sent, but both were empty/null!",
        )
    p.done()
    spec = ctx.specs[req.symbol]
    cancel_res: dict[str, Any] | None = None
    cancel_err: dict[str, Any] | None = None
    new_res: dict[str, Any] | None = None
    new_err: dict[str, Any] | None = None
    with _engine(ctx).batch():
        try:
            cancel_res = _cancel(
                ctx, p, spec, "cancelOrderId", "cancelOrigClientOrderId", "cancelNewClientOrderId"
            )
        except BinanceError as err:
            cancel_err = err.body()
        if cancel_err is None or mode == "ALLOW_FAILURE":
            try:
                order = _engine(ctx).place(req)
                if native == "LIMIT_MAKER":
                    order.tags["type"] = native
                new_res = spot_new(order, resp, _fills_of(ctx, order))
            except Rejected as exc:
                new_err = spot_new_order(exc).body()
    data = {
        "cancelResult": "FAILURE" if cancel_err else "SUCCESS",
        "newOrderResult": (
            "NOT_ATTEMPTED"
            if cancel_err and mode == "STOP_ON_FAILURE"
            else "FAILURE"
            if new_err
            else "SUCCESS"
        ),
        "cancelResponse": cancel_err or cancel_res,
        "newOrderResponse": new_err or new_res,
    }
    if cancel_err and (new_err or mode == "STOP_ON_FAILURE"):
        raise BinanceError(-2022, "Order cancel-replace failed.", 400, data=data)
    if cancel_err or new_err:
        raise BinanceError(-2021, "Order cancel-replace partially failed.", 409, data=data)
    return data


async def amend_keep_priority(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    new_qty = p.req_decimal("newQty")
    new_cid = p.opt("newClientOrderId")
    _precision("newQty", new_qty)
    try:
        order = _lookup(ctx, p, spec)
    except Rejected:
        raise BinanceError(-2011, UNKNOWN_ORDER) from None
    p.done()
    if not order.status.is_open:
        raise BinanceError(-2011, UNKNOWN_ORDER)
    if (
        new_qty <= 0
        or new_qty >= order.orig_qty
        or new_qty <= order.executed_qty
        or not spec.on_lot(new_qty)
    ):
        raise BinanceError(-2038, "Order amend (quantity increase) is not supported.")
    orig_cid = order.client_id
    engine = _engine(ctx)
    try:
        with engine.batch():
            engine.rename(order, new_cid or _random_id())
            engine.amend(ctx.acct, spec.symbol, order.order_id, qty=new_qty)
    except Rejected as exc:
        raise spot_new_order(exc) from None
    return {
        "transactTime": ctx.now,
        "executionId": order.order_id,
        "amendedOrder": {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "orderListId": -1,
            "origClientOrderId": orig_cid,
            "clientOrderId": order.client_id,
            "price": f8(order.price or Decimal(0)),
            "qty": f8(order.orig_qty),
            "executedQty": f8(order.executed_qty),
            "preventedQty": f8(Decimal(0)),
            "quoteOrderQty": f8(order.quote_qty or Decimal(0)),
            "cumulativeQuoteQty": f8(order.cum_quote),
            "status": order.status.value,
            "timeInForce": order.tif.value,
            "type": order.tags.get("type", order.type.value),
            "side": order.side.value,
            "workingTime": order.working_ms,
            "selfTradePreventionMode": "NONE",
        },
    }


def open_orders_weight(p: Params) -> int:
    return 6 if p.has("symbol") else 80


async def open_orders(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    return [
        spot_order(o) for o in _engine(ctx).open_orders(ctx.acct, spec.symbol if spec else None)
    ]


async def cancel_open_orders(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    ctx.params.done()
    cancelled = _engine(ctx).cancel_all(ctx.acct, spec.symbol)
    if not cancelled:
        raise BinanceError(-2011, UNKNOWN_ORDER)
    return [spot_cancel(o, _random_id(), ctx.now) for o in cancelled]


async def all_orders(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    from_id = p.integer("orderId")
    start, end = p.integer("startTime"), p.integer("endTime")
    limit = md.limit_param(p, 500, 1000)
    p.done()
    orders = [
        o
        for o in _engine(ctx).all_orders(ctx.acct, spec.symbol)
        if (from_id is None or o.order_id >= from_id)
        and (start is None or o.created_ms >= start)
        and (end is None or o.created_ms <= end)
    ]
    orders = orders[:limit] if from_id is not None or start is not None else orders[-limit:]
    return [spot_order(o) for o in orders]


async def my_trades(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    oid, from_id = p.integer("orderId"), p.integer("fromId")
    start, end = p.integer("startTime"), p.integer("endTime")
    limit = md.limit_param(p, 500, 1000)
    p.done()
    fills = [
        f
        for f in _engine(ctx).account_fills(ctx.acct, spec.symbol)
        if (oid is None or f.order_id == oid)
        and (from_id is None or f.trade_id >= from_id)
        and (start is None or f.time_ms >= start)
        and (end is None or f.time_ms <= end)
    ]
    fills = fills[:limit] if from_id is not None or start is not None else fills[-limit:]
    return [spot_my_trade(f) for f in fills]


def _rates(ctx: Ctx, spec: MarketSpec) -> tuple[Decimal, Decimal]:
    return ctx.core.ledger.fee_rates(ctx.acct, "spot", (spec.maker_fee, spec.taker_fee))


async def account(ctx: Ctx) -> Any:
    omit = ctx.params.boolean("omitZeroBalances")
    ctx.params.done()
    spec = next(iter(ctx.specs.values()))
    maker, taker = _rates(ctx, spec)
    led = ctx.core.ledger
    assets = sorted(
        {s.base for s in ctx.specs.values()}
        | {s.quote for s in ctx.specs.values()}
        | set(led.wallet(ctx.acct, "spot"))
    )
    balances = [
        {
            "asset": a,
            "free": f8(led.balance(ctx.acct, "spot", a).free),
            "locked": f8(led.balance(ctx.acct, "spot", a).locked),
        }
        for a in assets
    ]
    if omit:
        balances = [b for b in balances if Decimal(b["free"]) or Decimal(b["locked"])]
    return {
        "makerCommission": int(maker * 10000),
        "takerCommission": int(taker * 10000),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": f8(maker),
            "taker": f8(taker),
            "buyer": f8(Decimal(0)),
            "seller": f8(Decimal(0)),
        },
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": ctx.now,
        "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"],
        "uid": led.accounts[ctx.acct].uid,
    }


async def commission(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    ctx.params.done()
    maker, taker = _rates(ctx, spec)
    zero = f8(Decimal(0))
    return {
        "symbol": spec.symbol,
        "standardCommission": {
            "maker": f8(maker),
            "taker": f8(taker),
            "buyer": zero,
            "seller": zero,
        },
        "specialCommission": {"maker": zero, "taker": zero, "buyer": zero, "seller": zero},
        "taxCommission": {"maker": zero, "taker": zero, "buyer": zero, "seller": zero},
        "discount": {
            "enabledForAccount": False,
            "enabledForSymbol": False,
            "discountAsset": "BNB",
            "discount": f8(Decimal(0)),
        },
    }


async def rate_limit_order(ctx: Ctx) -> Any:
    ctx.params.done()
    used = ctx.host.limits.limiter.used(ctx.acct, "ORDERS", ctx.now)
    return [
        {
            "rateLimitType": r.kind,
            "interval": r.interval,
            "intervalNum": r.interval_num,
            "limit": r.limit,
            "count": n,
        }
        for r, n in used
    ]


# ----------------------------------------------------------------- user data stream
async def listen_key_new(ctx: Ctx) -> Any:
    ctx.params.done()
    return {"listenKey": ctx.host.listen_keys.create(ctx.acct, ctx.now).key}


async def listen_key_keepalive(ctx: Ctx) -> Any:
    key = ctx.params.req("listenKey")
    ctx.params.done()
    lk = ctx.host.listen_keys.get(key, ctx.now)
    if lk is None or lk.account != ctx.acct:
        raise listen_key_unknown()
    ctx.host.listen_keys.keepalive(key, ctx.now)
    return {}


async def listen_key_close(ctx: Ctx) -> Any:
    key = ctx.params.req("listenKey")
    ctx.params.done()
    lk = ctx.host.listen_keys.get(key, ctx.now)
    if lk is None or lk.account != ctx.acct:
        raise listen_key_unknown()
    ctx.host.listen_keys.close(key)
    ctx.host.on_listen_key_closed(key)
    return {}


def routes() -> list[Route]:
    api = "/api/v3"
    return [
        Route("GET", f"{api}/ping", ping, in_maintenance=True),
        Route("GET", f"{api}/time", server_time, in_maintenance=True),
        Route("GET", f"{api}/exchangeInfo", exchange_info, weight=20),
        Route("GET", f"{api}/depth", depth, weight=depth_weight),
        Route("GET", f"{api}/trades", trades, weight=25),
        Route("GET", f"{api}/klines", klines, weight=2),
        Route("GET", f"{api}/uiKlines", klines, weight=2),
        Route("GET", f"{api}/avgPrice", avg_price, weight=2),
        Route("GET", f"{api}/ticker/24hr", ticker_24h, weight=ticker_weight),
        Route(
            "GET", f"{api}/ticker/price", ticker_price, weight=lambda p: 2 if p.has("symbol") else 4
        ),
        Route(
            "GET",
            f"{api}/ticker/bookTicker",
            book_ticker,
            weight=lambda p: 2 if p.has("symbol") else 4,
        ),
        Route("POST", f"{api}/order", new_order, SIGNED, weight=1, orders=1, places=True),
        Route("POST", f"{api}/order/test", test_order, SIGNED, weight=1),
        Route("GET", f"{api}/order", get_order, SIGNED, weight=4),
        Route("DELETE", f"{api}/order", cancel_order, SIGNED, weight=1),
        Route(
            "POST",
            f"{api}/order/cancelReplace",
            cancel_replace,
            SIGNED,
            weight=1,
            orders=1,
            places=True,
        ),
        Route("PUT", f"{api}/order/amend/keepPriority", amend_keep_priority, SIGNED, weight=4),
        Route("GET", f"{api}/openOrders", open_orders, SIGNED, weight=open_orders_weight),
        Route("DELETE", f"{api}/openOrders", cancel_open_orders, SIGNED, weight=1),
        Route("GET", f"{api}/allOrders", all_orders, SIGNED, weight=20),
        Route("GET", f"{api}/myTrades", my_trades, SIGNED, weight=20),
        Route("GET", f"{api}/account", account, SIGNED, weight=20),
        Route("GET", f"{api}/account/commission", commission, SIGNED, weight=20),
        Route("GET", f"{api}/rateLimit/order", rate_limit_order, SIGNED, weight=40),
        Route("POST", f"{api}/userDataStream", listen_key_new, KEY, weight=2),
        Route("PUT", f"{api}/userDataStream", listen_key_keepalive, KEY, weight=2),
        Route("DELETE", f"{api}/userDataStream", listen_key_close, KEY, weight=2),
    ]

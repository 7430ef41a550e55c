"""USDⓈ-M `/fapi` signed routes: orders, batches, account, positions, leverage, listenKey."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from enum import StrEnum
from typing import Any

from lotusx.sim.dialects.binance import futures_account as fa
from lotusx.sim.dialects.binance import market_data as md
from lotusx.sim.dialects.binance.auth import Security
from lotusx.sim.dialects.binance.errors import (
    UNKNOWN_ORDER,
    BinanceError,
    futures_new_order,
    listen_key_unknown,
    mandatory,
    no_such_order,
)
from lotusx.sim.dialects.binance.http import Ctx, Route
from lotusx.sim.dialects.binance.params import Params
from lotusx.sim.dialects.binance.render import futures_order, futures_trade
from lotusx.sim.engine import Engine, OrderRequest
from lotusx.sim.margin import FUTURES
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, Order, OrderStatus, OrderType, Rejected, Side, TimeInForce

SIGNED, KEY = Security.SIGNED, Security.API_KEY
CLIENT_ID_RE = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")


class FuturesType(StrEnum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"


class FuturesTif(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    GTX = "GTX"


def _engine(ctx: Ctx) -> Engine:
    return ctx.core.engines[FUTURES]


def _precise(value: Decimal, places: int) -> None:
    if -int(value.as_tuple().exponent) > places and value != value.quantize(
        Decimal(1).scaleb(-places)
    ):
        raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")


def parse_order(ctx: Ctx, p: Params) -> tuple[OrderRequest, str]:
    """Validate new-order params → (request, newOrderRespType)."""
    spec = p.req_symbol(ctx.specs)
    side = p.choice("side", Side, -1117, "Invalid side.")
    otype = p.choice("type", FuturesType, -1116, "Invalid orderType.")
    assert side is not None and otype is not None
    ps = p.opt("positionSide") or "BOTH"
    if ps != "BOTH":
        raise BinanceError(-4061, "Order's position side does not match user's setting.")
    tif_raw = p.opt("timeInForce")
    qty = p.decimal("quantity")
    price = p.decimal("price")
    reduce_only = p.boolean("reduceOnly")
    for name in (
        "newOrderRespType",
        "workingType",
        "priceProtect",
        "selfTradePreventionMode",
        "priceMatch",
        "goodTillDate",
    ):
        p.opt(name)
    if qty is None:
        raise mandatory("quantity")
    if otype is FuturesType.LIMIT:
        if tif_raw is None:
            raise mandatory("timeInForce")
        if price is None:
            raise mandatory("price")
    elif price is not None:
        raise BinanceError(-1106, "Parameter 'price' sent when not required.")
    tif = FuturesTif.GTC
    if tif_raw is not None:
        try:
            tif = FuturesTif(tif_raw)
        except ValueError:
            raise BinanceError(-1115, "Invalid timeInForce.") from None
    cid = p.opt("newClientOrderId")
    if cid is not None:
        if len(cid) > 36:
            raise BinanceError(-4015, "Client order id length should not be more than 36 chars")
        if not CLIENT_ID_RE.match(cid):
            raise BinanceError(
                -1100,
                "Illegal characters found in parameter 'newClientOrderId'; "
                "legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
            )
    resp = p.opt("newOrderRespType") or "ACK"
    if resp not in ("ACK", "RESULT"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
    _check_filters(ctx, spec, otype, price, qty, reduce_only)
    book = _engine(ctx).books[spec.symbol]
    if tif is FuturesTif.FOK and price is not None and book.available(side, price) < qty:
        raise BinanceError(
            -5021,
            "Due to the order could not be filled immediately, the FOK order has been rejected.",
        )
    req = OrderRequest(
        ctx.acct,
        spec.symbol,
        side,
        OrderType.MARKET if otype is FuturesType.MARKET else OrderType.LIMIT,
        qty,
        price=price,
        tif=TimeInForce.GTC if tif is FuturesTif.GTX else TimeInForce(tif.value),
        client_id=cid,
        post_only=tif is FuturesTif.GTX,
        reduce_only=reduce_only,
    )
    return req, resp


def _check_filters(
    ctx: Ctx,
    spec: MarketSpec,
    otype: FuturesType,
    price: Decimal | None,
    qty: Decimal,
    reduce_only: bool,
) -> None:
    if price is not None:
        _precise(price, spec.price_decimals)
        if price <= 0:
            raise BinanceError(-4001, "Price less than 0.")
        if price < spec.min_price:
            raise BinanceError(-4013, "Price less than min price.")
        if price > spec.max_price:
            raise BinanceError(-4002, "Price greater than max price.")
        if not spec.on_tick(price):
            raise BinanceError(-4014, "Price not increased by tick size.")
    _precise(qty, spec.qty_decimals)
    if qty <= 0:
        raise BinanceError(-4003, "Quantity less than or equal to zero.")
    if qty < spec.min_qty:
        raise BinanceError(-4004, "Quantity less than min quantity.")
    limit = spec.market_max_qty if otype is FuturesType.MARKET else spec.max_qty
    if qty > limit:
        raise BinanceError(-4005, "Quantity greater than max quantity.")
    if not spec.on_lot(qty):
        raise BinanceError(-4023, "Qty not increased by step size.")
    ref = price if price is not None else ctx.core.mark_price(spec.symbol)
    if not reduce_only and ref * qty < spec.min_notional:
        raise BinanceError(
            -4164,
            f"Order's notional must be no smaller than {spec.min_notional}"
            " (unless you choose reduce only).",
        )


def _render(ctx: Ctx, order: Order, resp: str = "RESULT") -> dict[str, Any]:
    spec = ctx.specs[order.symbol]
    if resp == "ACK":
        snap = copy.copy(order)
        snap.status, snap.executed_qty, snap.cum_quote = OrderStatus.NEW, ZERO, ZERO
        snap.updated_ms = snap.created_ms
        return futures_order(snap, spec)
    return futures_order(order, spec)


def _place(ctx: Ctx, req: OrderRequest) -> Order:
    try:
        order = _engine(ctx).place(req)
    except Rejected as exc:
        raise futures_new_order(exc) from None
    if req.post_only:
        order.tags["tif"] = "GTX"
    return order


def _lookup(ctx: Ctx, p: Params, spec: MarketSpec) -> Order:
    oid, cid = p.integer("orderId"), p.opt("origClientOrderId")
    if oid is None and cid is None:
        raise BinanceError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )
    try:
        return _engine(ctx).get(ctx.acct, spec.symbol, oid, None if oid is not None else cid)
    except Rejected:
        raise no_such_order() from None


# ----------------------------------------------------------------- orders
async def new_order(ctx: Ctx) -> Any:
    req, resp = parse_order(ctx, ctx.params)
    ctx.params.done()
    return _render(ctx, _place(ctx, req), resp)


async def get_order(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    order = _lookup(ctx, ctx.params, spec)
    ctx.params.done()
    return futures_order(order, spec, with_time=True)


async def get_open_order(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    order = _lookup(ctx, ctx.params, spec)
    ctx.params.done()
    if not order.status.is_open:
        raise no_such_order()
    return futures_order(order, spec, with_time=True)


def _cancel_one(ctx: Ctx, spec: MarketSpec, oid: int | None, cid: str | None) -> Order:
    try:
        return _engine(ctx).cancel(ctx.acct, spec.symbol, oid, None if oid is not None else cid)
    except Rejected:
        raise BinanceError(-2011, UNKNOWN_ORDER) from None


async def cancel_order(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    oid, cid = p.integer("orderId"), p.opt("origClientOrderId")
    p.done()
    if oid is None and cid is None:
        raise BinanceError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )
    return futures_order(_cancel_one(ctx, spec, oid, cid), spec)


async def modify_order(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    side = p.choice("side", Side, -1117, "Invalid side.")
    qty, price = p.req_decimal("quantity"), p.req_decimal("price")
    p.opt("priceMatch")
    order = _lookup(ctx, p, spec)
    p.done()
    if order.type is not OrderType.LIMIT:
        raise BinanceError(-5025, "Only limit order is supported.")
    if not order.status.is_open:
        raise BinanceError(-2013, "Order does not exist.")
    if side is not order.side:
        raise BinanceError(-4000, "Invalid order status.")
    _check_filters(ctx, spec, FuturesType.LIMIT, price, qty, order.reduce_only)
    if price == order.price and qty == order.orig_qty:
        raise BinanceError(-5027, "No need to modify the order.")
    try:
        _engine(ctx).amend(ctx.acct, spec.symbol, order.order_id, price=price, qty=qty)
    except Rejected as exc:
        raise futures_new_order(exc) from None
    out = futures_order(order, spec)
    out["pair"] = spec.symbol
    out["cumBase"] = out["cumQty"]
    return out


def _json_list(p: Params, name: str) -> list[Any] | None:
    raw = p.opt(name)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.") from None
    if not isinstance(value, list):
        raise BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return value


async def batch_orders(ctx: Ctx) -> Any:
    items = _json_list(ctx.params, "batchOrders")
    if items is None:
        raise mandatory("batchOrders")
    ctx.params.done()
    if not 1 <= len(items) <= 5:
        raise BinanceError(-4082, "Invalid number of batch place orders.")
    out: list[Any] = []
    with _engine(ctx).batch():
        for item in items:
            try:
                if not isinstance(item, dict):
                    raise BinanceError(-1130, "Data sent for parameter 'batchOrders' is not valid.")
                sub = Params([(str(k), str(v)) for k, v in item.items()], [])
                req, resp = parse_order(ctx, sub)
                sub.done()
                out.append(_render(ctx, _place(ctx, req), resp))
            except BinanceError as err:
                out.append(err.body())
    return out


async def cancel_batch(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    ids = _json_list(p, "orderIdList")
    cids = _json_list(p, "origClientOrderIdList")
    p.done()
    targets: list[tuple[int | None, str | None]]
    if ids is not None:
        targets = [(int(i), None) for i in ids]
    elif cids is not None:
        targets = [(None, str(c)) for c in cids]
    else:
        raise BinanceError(
            -1102,
            "Param 'origClientOrderIdList' or 'orderIdList' must be "
            "sent, but both were empty/null!",
        )
    if len(targets) > 10:
        raise BinanceError(-1130, "Data sent for parameter 'orderIdList' is not valid.")
    out: list[Any] = []
    with _engine(ctx).batch():
        for oid, cid in targets:
            try:
                out.append(futures_order(_cancel_one(ctx, spec, oid, cid), spec))
            except BinanceError as err:
                out.append(err.body())
    return out


async def cancel_all(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    ctx.params.done()
    _engine(ctx).cancel_all(ctx.acct, spec.symbol)
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


async def open_orders(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    return [
        futures_order(o, ctx.specs[o.symbol], with_time=True)
        for o in _engine(ctx).open_orders(ctx.acct, spec.symbol if spec else None)
    ]


async def all_orders(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    from_id, start, end = p.integer("orderId"), p.integer("startTime"), p.integer("endTime")
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
    return [futures_order(o, spec, with_time=True) for o in orders]


async def user_trades(ctx: Ctx) -> Any:
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
    return [futures_trade(f, spec) for f in fills]


# ----------------------------------------------------------------- account
async def balance(ctx: Ctx) -> Any:
    ctx.params.done()
    return fa.balance_rows(ctx.core, ctx.acct, ctx.now)


async def account(ctx: Ctx) -> Any:
    ctx.params.done()
    return fa.account_body(ctx.core, ctx.acct, ctx.now)


async def position_risk(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    chosen = [spec] if spec else list(ctx.specs.values())
    return [fa.position_risk_row(ctx.core, ctx.acct, s) for s in chosen]


def _brackets(spec: MarketSpec) -> dict[str, Any]:
    return {
        "symbol": spec.symbol,
        "brackets": [
            {
                "bracket": b.bracket,
                "initialLeverage": b.initial_leverage,
                "notionalCap": b.notional_cap,
                "notionalFloor": b.notional_floor,
                "maintMarginRatio": b.maint_margin_ratio,
                "cum": b.cum,
            }
            for b in spec.brackets
        ],
    }


async def leverage_bracket(ctx: Ctx) -> Any:
    spec = ctx.params.symbol(ctx.specs, required=False)
    ctx.params.done()
    if spec is not None:
        return _brackets(spec)
    return [_brackets(s) for s in ctx.specs.values()]


async def set_leverage(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    lev = p.integer("leverage")
    if lev is None:
        raise mandatory("leverage")
    p.done()
    led = ctx.core.ledger
    pos = led.position(ctx.acct, spec.symbol)
    notional = abs(pos.qty) * ctx.core.mark_price(spec.symbol)
    allowed = spec.bracket_for(notional).initial_leverage if spec.brackets else 125
    if not 1 <= lev <= allowed:
        raise BinanceError(-4028, f"Leverage {lev} is not valid")
    led.leverage[(ctx.acct, spec.symbol)] = lev
    ctx.host.on_config(ctx.acct, spec.symbol, lev)
    return {
        "leverage": lev,
        "maxNotionalValue": str(fa.max_notional(spec, lev)),
        "symbol": spec.symbol,
    }


async def margin_type(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.req_symbol(ctx.specs)
    kind = p.req("marginType")
    p.done()
    if kind not in ("ISOLATED", "CROSSED"):
        raise BinanceError(-4044, "The margin type is invalid.")
    pos = ctx.core.ledger.position(ctx.acct, spec.symbol)
    if pos.isolated == (kind == "ISOLATED"):
        raise BinanceError(-4046, "No need to change margin type.")
    if _engine(ctx).open_orders(ctx.acct, spec.symbol):
        raise BinanceError(-4047, "Margin type cannot be changed if there exists open orders.")
    if pos.qty:
        raise BinanceError(-4048, "Margin type cannot be changed if there exists position.")
    pos.isolated = kind == "ISOLATED"
    return {"code": 200, "msg": "success"}


async def commission_rate(ctx: Ctx) -> Any:
    spec = ctx.params.req_symbol(ctx.specs)
    ctx.params.done()
    maker, taker = ctx.core.ledger.fee_rates(ctx.acct, FUTURES, (spec.maker_fee, spec.taker_fee))
    return {
        "symbol": spec.symbol,
        "makerCommissionRate": str(maker),
        "takerCommissionRate": str(taker),
    }


async def income(ctx: Ctx) -> Any:
    p = ctx.params
    spec = p.symbol(ctx.specs, required=False)
    kind = p.opt("incomeType")
    start, end = p.integer("startTime"), p.integer("endTime")
    limit = md.limit_param(p, 100, 1000)
    p.integer("page")
    p.done()
    rows = [
        i
        for i in ctx.core.ledger.income
        if i.account == ctx.acct
        and (spec is None or i.symbol == spec.symbol)
        and (kind is None or i.kind == kind)
        and (start is None or i.time_ms >= start)
        and (end is None or i.time_ms <= end)
    ]
    rows = rows[:limit] if start is not None else rows[-limit:]
    return [
        {
            "symbol": i.symbol,
            "incomeType": i.kind,
            "income": f"{i.amount:.8f}",
            "asset": i.asset,
            "info": i.kind,
            "time": i.time_ms,
            "tranId": i.tran_id,
            "tradeId": "",
        }
        for i in rows
    ]


# ----------------------------------------------------------------- listenKey
async def listen_key_new(ctx: Ctx) -> Any:
    ctx.params.done()
    return {"listenKey": ctx.host.listen_keys.create(ctx.acct, ctx.now).key}


async def listen_key_keepalive(ctx: Ctx) -> Any:
    ctx.params.opt("listenKey")
    ctx.params.done()
    lk = ctx.host.listen_keys.active_for(ctx.acct, ctx.now)
    if lk is None:
        raise listen_key_unknown()
    ctx.host.listen_keys.keepalive(lk.key, ctx.now)
    return {"listenKey": lk.key}


async def listen_key_close(ctx: Ctx) -> Any:
    ctx.params.opt("listenKey")
    ctx.params.done()
    lk = ctx.host.listen_keys.active_for(ctx.acct, ctx.now)
    if lk is not None:
        ctx.host.listen_keys.close(lk.key)
        ctx.host.on_listen_key_closed(lk.key)
    return {}


def _batch_count(p: Params) -> int:
    raw = p.values.get("batchOrders", "")
    try:
        items = json.loads(raw)
    except ValueError:
        return 1
    return max(1, len(items)) if isinstance(items, list) else 1


def routes() -> list[Route]:
    f, f2 = "/fapi/v1", "/fapi/v2"
    return [
        Route("POST", f"{f}/order", new_order, SIGNED, weight=0, orders=1, places=True),
        Route("PUT", f"{f}/order", modify_order, SIGNED, weight=1, orders=1),
        Route("DELETE", f"{f}/order", cancel_order, SIGNED, weight=1),
        Route("GET", f"{f}/order", get_order, SIGNED, weight=1),
        Route("GET", f"{f}/openOrder", get_open_order, SIGNED, weight=1),
        Route(
            "POST",
            f"{f}/batchOrders",
            batch_orders,
            SIGNED,
            weight=5,
            orders=_batch_count,
            places=True,
        ),
        Route("DELETE", f"{f}/batchOrders", cancel_batch, SIGNED, weight=1),
        Route("DELETE", f"{f}/allOpenOrders", cancel_all, SIGNED, weight=1),
        Route(
            "GET",
            f"{f}/openOrders",
            open_orders,
            SIGNED,
            weight=lambda p: 1 if p.has("symbol") else 40,
        ),
        Route("GET", f"{f}/allOrders", all_orders, SIGNED, weight=5),
        Route("GET", f"{f}/userTrades", user_trades, SIGNED, weight=5),
        Route("GET", f"{f2}/balance", balance, SIGNED, weight=5),
        Route("GET", f"{f2}/account", account, SIGNED, weight=5),
        Route("GET", f"{f2}/positionRisk", position_risk, SIGNED, weight=5),
        Route("GET", f"{f}/leverageBracket", leverage_bracket, SIGNED, weight=1),
        Route("POST", f"{f}/leverage", set_leverage, SIGNED, weight=1),
        Route("POST", f"{f}/marginType", margin_type, SIGNED, weight=1),
        Route("GET", f"{f}/commissionRate", commission_rate, SIGNED, weight=20),
        Route("GET", f"{f}/income", income, SIGNED, weight=30),
        Route("POST", f"{f}/listenKey", listen_key_new, KEY, weight=1),
        Route("PUT", f"{f}/listenKey", listen_key_keepalive, KEY, weight=1),
        Route("DELETE", f"{f}/listenKey", listen_key_close, KEY, weight=1),
    ]

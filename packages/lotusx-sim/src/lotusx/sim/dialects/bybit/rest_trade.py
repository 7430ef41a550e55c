"""Bybit `/v5/order` and `/v5/execution`: create, amend, cancel (single, batch, all), queries."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.bybit.errors import BybitError, not_found, param, rejected
from lotusx.sim.dialects.bybit.http import Ctx, Result, Route
from lotusx.sim.dialects.bybit.params import Params
from lotusx.sim.dialects.bybit.render import exec_json, order_json, price_scale, px, qty
from lotusx.sim.engine import OrderRequest
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, Order, OrderType, Rejected, Side, TimeInForce

LINK_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
TIFS = ("GTC", "IOC", "FOK", "PostOnly")
BATCH_MAX = {"spot": 10, "linear": 20}


def _decimals(value: Decimal) -> int:
    return max(0, -int(value.normalize().as_tuple().exponent))


def _quote_to_base(ctx: Ctx, spec: MarketSpec, side: Side, amount: Decimal) -> Decimal:
    book = ctx.engine(spec.market).books[spec.symbol]
    left, got = amount, ZERO
    for level in book.side(side.opposite).iter_best_first():
        if left <= 0:
            break
        take = min(level.qty, left / level.price)
        got += take
        left -= take * level.price
    return spec.floor_qty(got)


def _check_spot(spec: MarketSpec, q: Decimal, price: Decimal | None, ref: Decimal) -> None:
    if _decimals(q) > spec.qty_decimals:
        raise BybitError(170137, "Order quantity has too many decimals.")
    if price is not None and _decimals(price) > price_scale(spec):
        raise BybitError(170134, "Order price has too many decimals.")
    if q < spec.min_qty:
        raise BybitError(170136, "Order quantity exceeds the lower limit.")
    if q > spec.max_qty:
        raise BybitError(170135, "Order quantity exceeds the upper limit.")
    if q * (price or ref) < spec.min_notional:
        raise BybitError(170140, "Order value exceeded lower limit.")


def _check_linear(
    spec: MarketSpec, q: Decimal, price: Decimal | None, ref: Decimal, market: bool, reduce: bool
) -> None:
    if not spec.on_lot(q):
        raise param("Qty invalid")
    if q < spec.min_qty:
        raise param("The number of contracts exceeds minimum limit allowed")
    if q > (spec.market_max_qty if market else spec.max_qty):
        raise param("The number of contracts exceeds maximum limit allowed")
    if price is not None and (not spec.on_tick(price) or not spec.min_price <= price):
        raise param("price invalid")
    if not reduce and q * (price or ref) < spec.min_notional:
        raise BybitError(110094, "Order does not meet minimum order value 5USDT")


def parse_order(ctx: Ctx, p: Params, category: str) -> tuple[OrderRequest, dict[str, str]]:
    spec = p.symbol(ctx.specs(category), category)
    side_raw = p.req("side")
    if side_raw not in ("Buy", "Sell"):
        raise param("side invalid")
    side = Side(side_raw.upper())
    otype = p.req("orderType")
    if otype not in ("Market", "Limit"):
        raise param("orderType invalid")
    amount = p.req_decimal("qty")
    price = p.decimal("price") if otype == "Limit" else None
    if otype == "Limit" and price is None:
        raise param("price is required for Limit orders")
    tif = p.opt("timeInForce") or "GTC"
    if tif not in TIFS:
        raise param("timeInForce invalid")
    if otype == "Market":
        tif = "IOC"
    link = p.opt("orderLinkId")
    if link is not None and not LINK_ID_RE.match(link):
        raise param("orderLinkId invalid")
    reduce_only = p.boolean("reduceOnly")
    if p.opt("positionIdx") not in (None, "0"):
        raise param("position idx not match position mode")
    if category == "spot" and p.opt("isLeverage") not in (None, "0"):
        raise BybitError(170344, "Margin trading is not enabled for this account.")
    unit = p.opt("marketUnit")
    if unit not in (None, "baseCoin", "quoteCoin"):
        raise param("marketUnit invalid")
    if amount <= 0:
        raise param("qty invalid")
    engine = ctx.engine(category)
    ref = engine.last_price[spec.symbol]
    base_qty = amount
    if category == "spot":
        if reduce_only:
            raise param("reduceOnly is not supported for spot")
        by_value = (
            otype == "Market"
            and (unit or ("quoteCoin" if side is Side.BUY else "baseCoin")) == "quoteCoin"
        )
        if by_value:
            if amount < spec.min_notional:
                raise BybitError(170140, "Order value exceeded lower limit.")
            base_qty = _quote_to_base(ctx, spec, side, amount)
            if base_qty <= 0:
                raise BybitError(170136, "Order quantity exceeds the lower limit.")
        else:
            _check_spot(spec, amount, price, ref)
    else:
        _check_linear(
            spec, amount, price, ctx.core.mark_price(spec.symbol), otype == "Market", reduce_only
        )
    request = OrderRequest(
        ctx.acct,
        spec.symbol,
        side,
        OrderType.MARKET if otype == "Market" else OrderType.LIMIT,
        base_qty,
        price=price,
        tif={"IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}.get(tif, TimeInForce.GTC),
        client_id=link,
        post_only=tif == "PostOnly",
        reduce_only=reduce_only,
        cancel_crossing_post_only=True,
    )
    tags = {
        "orderLinkId": link or "",
        "timeInForce": tif,
        "qty": p.req("qty"),
        "marketUnit": (unit or "") if category == "spot" and otype == "Market" else "",
        "lastPrice": px(spec, ref),
    }
    return request, tags


def _place(ctx: Ctx, category: str, request: OrderRequest, tags: dict[str, str]) -> Order:
    engine = ctx.engine(category)
    try:
        with engine.batch():
            order = engine.place(request)
            order.tags.update(tags)
    except Rejected as exc:
        raise rejected(exc, category) from None
    return order


async def create(ctx: Ctx) -> Any:
    category = ctx.params.category()
    request, tags = parse_order(ctx, ctx.params, category)
    order = _place(ctx, category, request, tags)
    return {"orderId": str(order.order_id), "orderLinkId": tags["orderLinkId"]}


def _batch_items(ctx: Ctx) -> tuple[str, list[dict[str, Any]]]:
    category = ctx.params.category()
    items = ctx.params.values.get("request")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise param("request invalid")
    if len(items) > BATCH_MAX[category]:
        raise BybitError(10001, f"params error: batch size exceeds {BATCH_MAX[category]}")
    return category, items


def _ext(errors: list[BybitError | None]) -> dict[str, Any]:
    return {
        "list": [
            {"code": 0, "msg": "OK"} if e is None else {"code": e.code, "msg": e.msg}
            for e in errors
        ]
    }


async def create_batch(ctx: Ctx) -> Any:
    category, items = _batch_items(ctx)
    rows: list[dict[str, Any]] = []
    errors: list[BybitError | None] = []
    with ctx.engine(category).batch():
        for item in items:
            link = str(item.get("orderLinkId", "") or "")
            try:
                request, tags = parse_order(ctx, Params(item), category)
                order = _place(ctx, category, request, tags)
            except BybitError as err:
                rows.append(
                    {
                        "category": category,
                        "symbol": str(item.get("symbol", "")),
                        "orderId": "",
                        "orderLinkId": link,
                        "createAt": "",
                    }
                )
                errors.append(err)
                continue
            rows.append(
                {
                    "category": category,
                    "symbol": order.symbol,
                    "orderId": str(order.order_id),
                    "orderLinkId": link,
                    "createAt": str(order.created_ms),
                }
            )
            errors.append(None)
    return Result({"list": rows}, _ext(errors))


def _lookup(ctx: Ctx, p: Params, category: str, spec: MarketSpec) -> Order:
    oid, link = p.opt("orderId"), p.opt("orderLinkId")
    if oid is None and link is None:
        raise param("orderId or orderLinkId is required")
    try:
        if oid is not None:
            return ctx.engine(category).get(
                ctx.acct, spec.symbol, int(oid) if oid.isdigit() else -1
            )
        return ctx.engine(category).get(ctx.acct, spec.symbol, None, link)
    except Rejected:
        raise not_found(category) from None


def _amend_one(ctx: Ctx, p: Params, category: str) -> Order:
    spec = p.symbol(ctx.specs(category), category)
    new_qty, new_price = p.decimal("qty"), p.decimal("price")
    order = _lookup(ctx, p, category, spec)
    if not order.status.is_open:
        raise not_found(category)
    if new_qty is None and new_price is None:
        raise BybitError(10001, "params error: nothing to amend")
    if new_qty is not None and (not spec.on_lot(new_qty) or new_qty < spec.min_qty):
        raise param("Qty invalid")
    if new_price is not None and not spec.on_tick(new_price):
        raise param("price invalid")
    try:
        ctx.engine(category).amend(
            ctx.acct, spec.symbol, order.order_id, price=new_price, qty=new_qty
        )
    except Rejected as exc:
        raise rejected(exc, category) from None
    if new_qty is not None:
        order.tags["qty"] = qty(spec, new_qty)
    return order


async def amend(ctx: Ctx) -> Any:
    category = ctx.params.category()
    order = _amend_one(ctx, ctx.params, category)
    return {"orderId": str(order.order_id), "orderLinkId": order.tags.get("orderLinkId", "")}


def _cancel_one(ctx: Ctx, p: Params, category: str) -> Order:
    spec = p.symbol(ctx.specs(category), category)
    order = _lookup(ctx, p, category, spec)
    try:
        return ctx.engine(category).cancel(ctx.acct, spec.symbol, order.order_id)
    except Rejected:
        raise not_found(category) from None


async def cancel(ctx: Ctx) -> Any:
    category = ctx.params.category()
    order = _cancel_one(ctx, ctx.params, category)
    return {"orderId": str(order.order_id), "orderLinkId": order.tags.get("orderLinkId", "")}


async def _batch_apply(ctx: Ctx, action: str) -> Any:
    category, items = _batch_items(ctx)
    rows: list[dict[str, Any]] = []
    errors: list[BybitError | None] = []
    with ctx.engine(category).batch():
        for item in items:
            p = Params(item)
            try:
                order = (_amend_one if action == "amend" else _cancel_one)(ctx, p, category)
                rows.append(
                    {
                        "category": category,
                        "symbol": order.symbol,
                        "orderId": str(order.order_id),
                        "orderLinkId": order.tags.get("orderLinkId", ""),
                    }
                )
                errors.append(None)
            except BybitError as err:
                rows.append(
                    {
                        "category": category,
                        "symbol": str(item.get("symbol", "")),
                        "orderId": str(item.get("orderId", "") or ""),
                        "orderLinkId": str(item.get("orderLinkId", "") or ""),
                    }
                )
                errors.append(err)
    return Result({"list": rows}, _ext(errors))


async def amend_batch(ctx: Ctx) -> Any:
    return await _batch_apply(ctx, "amend")


async def cancel_batch(ctx: Ctx) -> Any:
    return await _batch_apply(ctx, "cancel")


def _symbols(ctx: Ctx, p: Params, category: str, need_filter: bool) -> list[MarketSpec]:
    only = p.opt_symbol(ctx.specs(category), category)
    base, settle = p.opt("baseCoin"), p.opt("settleCoin")
    if need_filter and category == "linear" and only is None and base is None and settle is None:
        raise param("symbol, baseCoin or settleCoin is required")
    return [
        s
        for s in ctx.specs(category).values()
        if (only is None or s is only)
        and (base is None or s.base == base)
        and (settle is None or s.quote == settle)
    ]


async def cancel_all(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    rows = []
    engine = ctx.engine(category)
    with engine.batch():
        for spec in _symbols(ctx, p, category, need_filter=True):
            for order in engine.cancel_all(ctx.acct, spec.symbol):
                rows.append(
                    {
                        "orderId": str(order.order_id),
                        "orderLinkId": order.tags.get("orderLinkId", ""),
                    }
                )
    return {"list": rows, "success": "1"}


def _orders(ctx: Ctx, category: str, specs: list[MarketSpec], open_only: bool) -> list[Order]:
    engine = ctx.engine(category)
    out: list[Order] = []
    for spec in specs:
        orders = (
            engine.open_orders(ctx.acct, spec.symbol)
            if open_only
            else engine.all_orders(ctx.acct, spec.symbol)
        )
        out.extend(orders)
    out.sort(key=lambda o: o.order_id, reverse=True)
    return out


def _match_ids(p: Params, o: Order) -> bool:
    oid, link = p.opt("orderId"), p.opt("orderLinkId")
    return (oid is None or str(o.order_id) == oid) and (
        link is None or o.tags.get("orderLinkId") == link
    )


def _by_ids(ctx: Ctx, p: Params, category: str, specs: list[MarketSpec]) -> list[Order]:
    """The order named by ``orderId`` and/or ``orderLinkId``, if it is in one of ``specs``."""
    engine, oid, link = ctx.engine(category), p.opt("orderId"), p.opt("orderLinkId")
    if oid is not None and not oid.isdigit():
        return []
    for spec in specs:
        try:
            order = engine.get(ctx.acct, spec.symbol, int(oid) if oid else None, link)
        except Rejected:
            continue
        if _match_ids(p, order):
            return [order]
    return []


async def realtime(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    specs = _symbols(ctx, p, category, need_filter=True)
    limit = p.limit(20, 50)
    by_id = p.opt("orderId") is not None or p.opt("orderLinkId") is not None
    if by_id:  # one order: looked up by id, as the exchange's order index does
        orders = _by_ids(ctx, p, category, specs)
    else:
        orders = [o for o in _orders(ctx, category, specs, True) if _match_ids(p, o)]
    rows = [order_json(ctx.core, o) for o in orders[:limit]]
    return {"category": category, "list": rows, "nextPageCursor": ""}


async def history(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    specs = _symbols(ctx, p, category, need_filter=False)
    limit = p.limit(20, 50)
    wanted = p.opt("orderStatus")
    rows = []
    for o in _orders(ctx, category, specs, False):
        body = order_json(ctx.core, o)
        if _match_ids(p, o) and (wanted is None or body["orderStatus"] == wanted):
            rows.append(body)
    return {"category": category, "list": rows[:limit], "nextPageCursor": ""}


async def executions(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    specs = _symbols(ctx, p, category, need_filter=False)
    limit = p.limit(50, 100)
    start, end = p.integer("startTime"), p.integer("endTime")
    engine = ctx.engine(category)
    rows = []
    for spec in specs:
        for f in engine.account_fills(ctx.acct, spec.symbol):
            order = engine.orders.get(f.order_id)
            if p.opt("orderId") is not None and str(f.order_id) != p.opt("orderId"):
                continue
            if p.opt("orderLinkId") is not None and (
                order is None or order.tags.get("orderLinkId") != p.opt("orderLinkId")
            ):
                continue
            if (start is not None and f.time_ms < start) or (end is not None and f.time_ms > end):
                continue
            rows.append((f.time_ms, f.trade_id, exec_json(ctx.core, f, order)))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return {"category": category, "list": [r[2] for r in rows[:limit]], "nextPageCursor": ""}


def routes() -> list[Route]:
    post, get = "POST", "GET"
    return [
        Route(post, "/v5/order/create", create, private=True, per_category=True, places=True),
        Route(
            post,
            "/v5/order/create-batch",
            create_batch,
            private=True,
            per_category=True,
            places=True,
        ),
        Route(post, "/v5/order/amend", amend, private=True, per_category=True),
        Route(post, "/v5/order/amend-batch", amend_batch, private=True, per_category=True),
        Route(post, "/v5/order/cancel", cancel, private=True, per_category=True),
        Route(post, "/v5/order/cancel-batch", cancel_batch, private=True, per_category=True),
        Route(post, "/v5/order/cancel-all", cancel_all, private=True, per_category=True),
        Route(get, "/v5/order/realtime", realtime, private=True),
        Route(get, "/v5/order/history", history, private=True),
        Route(get, "/v5/execution/list", executions, private=True),
    ]

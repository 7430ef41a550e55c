"""Kraken Futures trading: sendorder, editorder, cancelorder, cancelallorders, batchorder,
openorders, fills. Refusals are statuses inside `sendStatus`/`editStatus`/`cancelStatus`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.kraken.deadman import MAX_TIMEOUT_S, DeadMan
from lotusx.sim.dialects.kraken.errors import FuturesError
from lotusx.sim.dialects.kraken.http_futures import FCtx, FRoute, iso
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.markets import FUTURES
from lotusx.sim.dialects.kraken.params import Params
from lotusx.sim.dialects.kraken.render_futures import fill_json, num, open_order_json, order_json
from lotusx.sim.engine import OrderRequest
from lotusx.sim.model import (
    Order,
    OrderStatus,
    OrderType,
    Rejected,
    RejectReason,
    Side,
    TimeInForce,
)

CLI_ORD_ID_MAX = 100
BATCH_MAX = 200
TYPES = {"lmt", "post", "ioc", "mkt"}
STATUS = {
    RejectReason.INSUFFICIENT_BALANCE: "insufficientAvailableFunds",
    RejectReason.POST_ONLY_WOULD_TAKE: "postWouldExecute",
    RejectReason.REDUCE_ONLY_REJECTED: "wouldNotReducePosition",
    RejectReason.DUPLICATE_CLIENT_ID: "clientOrderIdAlreadyExist",
    RejectReason.NO_LIQUIDITY: "iocWouldNotExecute",
    RejectReason.UNKNOWN_ORDER: "orderForEditNotFound",
    RejectReason.INVALID_AMEND: "invalidSize",
}


class Refused(Exception):
    """An order instruction refused with a documented status."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _request(ctx: FCtx, p: Params) -> OrderRequest:
    kind = p.opt("orderType") or ""
    if kind not in TYPES:
        raise Refused("invalidOrderType")
    spec = ctx.engine.specs.get((p.opt("symbol") or "").upper())
    if spec is None:
        raise FuturesError("invalidArgument: symbol")
    side_raw = p.opt("side")
    if side_raw not in ("buy", "sell"):
        raise FuturesError("invalidArgument: side")
    try:
        size = p.decimal("size")
    except FuturesError:
        raise Refused("invalidSize") from None
    assert size is not None
    if size <= 0 or not spec.on_lot(size) or size > spec.max_qty:
        raise Refused("invalidSize")
    price: Decimal | None = None
    if kind != "mkt":
        try:
            price = p.decimal("limitPrice") if p.opt("limitPrice") else p.decimal("limit_price")
        except FuturesError:
            raise Refused("invalidPrice") from None
        assert price is not None
        if price <= 0 or not spec.on_tick(price):
            raise Refused("invalidPrice")
    cid = p.opt("cliOrdId")
    if cid is not None and len(cid) > CLI_ORD_ID_MAX:
        raise Refused("clientOrderIdTooLong")
    return OrderRequest(
        ctx.account,
        spec.symbol,
        Side.BUY if side_raw == "buy" else Side.SELL,
        OrderType.MARKET if kind == "mkt" else OrderType.LIMIT,
        size,
        price,
        TimeInForce.IOC if kind in ("ioc", "mkt") else TimeInForce.GTC,
        cid,
        post_only=kind == "post",
        reduce_only=p.flag("reduceOnly") or p.flag("reduce_only"),
    )


def _events(ctx: FCtx, order: Order) -> list[dict[str, Any]]:
    fills = [
        f
        for f in ctx.engine.account_fills(order.account, order.symbol)
        if f.order_id == order.order_id
    ]
    events: list[dict[str, Any]] = []
    if order.status.is_open:
        events.append(
            {"type": "PLACE", "order": order_json(ctx.ids, order), "reducedQuantity": None}
        )
    for f in fills:
        events.append(
            {
                "type": "EXECUTION",
                "executionId": Ids.futures_fill(f.symbol, f.trade_id, f.order_id),
                "price": num(f.price),
                "amount": num(f.qty),
                "orderPriorEdit": None,
                "orderPriorExecution": order_json(ctx.ids, order),
                "takerReducedQuantity": None,
            }
        )
    return events


def send(ctx: FCtx, p: Params) -> dict[str, Any]:
    """Place one order; returns the `sendStatus` object."""
    received = iso(ctx.now)
    try:
        req = _request(ctx, p)
        try:
            order = ctx.engine.place(req)
        except Rejected as exc:
            raise Refused(STATUS[exc.reason]) from None
    except Refused as refused:
        return {"status": refused.status, "receivedTime": received, "orderEvents": []}
    order.tags["fut"] = "1"
    wire = ctx.ids.futures_order(order.order_id)
    if order.executed_qty == 0 and not order.status.is_open:
        status = "iocWouldNotExecute"
    else:
        status = "placed"
    return {
        "order_id": wire,
        "status": status,
        "receivedTime": received,
        "orderEvents": _events(ctx, order),
    }


async def send_order(ctx: FCtx) -> dict[str, Any]:
    return {"sendStatus": send(ctx, ctx.params)}


def _find(ctx: FCtx, p: Params) -> Order | None:
    wire = p.opt("orderId") or p.opt("order_id")
    cid = p.opt("cliOrdId")
    engine = ctx.engine
    if wire is not None:
        oid = ctx.ids.order_id(wire)
        order = engine.orders.get(oid) if oid is not None else None
        return order if order is not None and order.account == ctx.account else None
    if cid is not None:
        for symbol in engine.specs:
            try:
                return engine.get(ctx.account, symbol, client_id=cid)
            except Rejected:
                continue
    return None


def edit(ctx: FCtx, p: Params) -> dict[str, Any]:
    order = _find(ctx, p)
    received = iso(ctx.now)
    if order is None or not order.status.is_open or order.price is None:
        return {"status": "orderForEditNotFound", "receivedTime": received, "orderEvents": []}
    spec = ctx.engine.specs[order.symbol]
    old = order_json(ctx.ids, order)
    try:
        size = p.decimal("size", required=False)
        price = p.decimal("limitPrice", required=False) or p.decimal("limit_price", required=False)
    except FuturesError:
        return {"status": "invalidSize", "receivedTime": received, "orderEvents": []}
    if price is not None and not spec.on_tick(price):
        return {"status": "invalidPrice", "receivedTime": received, "orderEvents": []}
    qty = None
    if size is not None:
        if not spec.on_lot(size):
            return {"status": "invalidSize", "receivedTime": received, "orderEvents": []}
        absolute = (p.opt("qtyMode") or "RELATIVE").upper() == "ABSOLUTE"
        qty = size if absolute else order.executed_qty + size
    try:
        ctx.engine.amend(ctx.account, order.symbol, order.order_id, None, price, qty)
    except Rejected as exc:
        return {"status": STATUS[exc.reason], "receivedTime": received, "orderEvents": []}
    event = {"type": "EDIT", "old": old, "new": order_json(ctx.ids, order), "reducedQuantity": None}
    return {
        "status": "edited",
        "orderId": ctx.ids.futures_order(order.order_id),
        "receivedTime": received,
        "orderEvents": [event],
    }


async def edit_order(ctx: FCtx) -> dict[str, Any]:
    return {"editStatus": edit(ctx, ctx.params)}


def cancel(ctx: FCtx, p: Params) -> dict[str, Any]:
    order = _find(ctx, p)
    received = iso(ctx.now)
    if order is None:
        return {"status": "notFound", "receivedTime": received}
    wire = ctx.ids.futures_order(order.order_id)
    if not order.status.is_open:
        return {
            "status": "filled" if order.executed_qty >= order.orig_qty else "notFound",
            "order_id": wire,
            "receivedTime": received,
        }
    ctx.engine.cancel(ctx.account, order.symbol, order.order_id)
    return {
        "status": "cancelled",
        "order_id": wire,
        "receivedTime": received,
        "orderEvents": [{"type": "CANCEL", "uid": wire, "order": order_json(ctx.ids, order)}],
    }


async def cancel_order(ctx: FCtx) -> dict[str, Any]:
    if ctx.params.opt("order_id") is None and ctx.params.opt("cliOrdId") is None:
        raise FuturesError("requiredArgumentMissing")
    return {"cancelStatus": cancel(ctx, ctx.params)}


async def cancel_all(ctx: FCtx) -> dict[str, Any]:
    symbol = (ctx.params.opt("symbol") or "").upper() or None
    if symbol is not None and symbol not in ctx.engine.specs:
        raise FuturesError("invalidArgument: symbol")
    orders = ctx.engine.open_orders(ctx.account, symbol)
    with ctx.engine.batch():
        for o in orders:
            ctx.engine.cancel(ctx.account, o.symbol, o.order_id)
    done = [
        {"order_id": ctx.ids.futures_order(o.order_id), "cliOrdId": o.client_id} for o in orders
    ]
    return {
        "cancelStatus": {
            "receivedTime": iso(ctx.now),
            "cancelOnly": symbol or "all",
            "status": "cancelled" if orders else "noOrdersToCancel",
            "cancelledOrders": done,
            "orderEvents": [
                {"type": "CANCEL", "uid": d["order_id"], "order": order_json(ctx.ids, o)}
                for d, o in zip(done, orders, strict=True)
            ],
        }
    }


async def batch_order(ctx: FCtx) -> dict[str, Any]:
    try:
        parsed = json.loads(ctx.params.req("json"))
        items = parsed["batchOrder"]
    except (ValueError, KeyError, TypeError):
        raise FuturesError("invalidArgument: json") from None
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_MAX:
        raise FuturesError("invalidArgument: batchOrder")
    out: list[dict[str, Any]] = []
    with ctx.engine.batch():
        for item in items:
            if not isinstance(item, dict):
                raise FuturesError("invalidArgument: batchOrder")
            p = Params(item, lambda name: FuturesError(f"invalidArgument: {name}"))
            kind = item.get("order")
            if kind == "send":
                status = send(ctx, p)
                out.append(
                    {
                        **status,
                        "order_tag": item.get("order_tag"),
                        "dateTimeReceived": status["receivedTime"],
                    }
                )
            elif kind == "edit":
                out.append(edit(ctx, p))
            elif kind == "cancel":
                out.append(cancel(ctx, p))
            else:
                raise FuturesError("invalidArgument: order")
    return {"batchStatus": out}


async def open_orders(ctx: FCtx) -> dict[str, Any]:
    return {
        "openOrders": [open_order_json(ctx.ids, o) for o in ctx.engine.open_orders(ctx.account)]
    }


RECENT_MS = 5_000  # orders/status: open orders, and those closed in the last 5 seconds
LIFECYCLE = {
    OrderStatus.NEW: "ENTERED_BOOK",
    OrderStatus.PARTIALLY_FILLED: "ENTERED_BOOK",
    OrderStatus.FILLED: "FULLY_EXECUTED",
    OrderStatus.CANCELED: "CANCELLED",
    OrderStatus.EXPIRED: "CANCELLED",
    OrderStatus.REJECTED: "REJECTED",
}


async def orders_status(ctx: FCtx) -> dict[str, Any]:
    """`POST /orders/status` (`orderIds`, `cliOrdIds`): the named orders that are open or were
    filled or cancelled in the last 5 seconds; others are left out."""
    engine = ctx.engine
    found: dict[int, Order] = {}
    for wire in ctx.params.listed("orderIds"):
        oid = ctx.ids.order_id(wire)
        order = engine.orders.get(oid) if oid is not None else None
        if order is not None and order.account == ctx.account:
            found[order.order_id] = order
    for cid in ctx.params.listed("cliOrdIds"):
        for symbol in engine.specs:
            try:
                order = engine.get(ctx.account, symbol, client_id=cid)
            except Rejected:
                continue
            found[order.order_id] = order
    recent = [o for o in found.values() if o.status.is_open or o.updated_ms >= ctx.now - RECENT_MS]
    return {
        "orders": [
            {
                # here `type` is the order's kind (ORDER | TRIGGER_ORDER), not lmt/ioc/post
                "order": {**order_json(ctx.ids, o), "type": "ORDER"},
                "status": LIFECYCLE[o.status],
                "updateReason": None,
                "error": None,
            }
            for o in sorted(recent, key=lambda o: o.order_id)
        ]
    }


async def fills(ctx: FCtx) -> dict[str, Any]:
    engine = ctx.engine
    every = sorted(
        (f for s in engine.specs for f in engine.account_fills(ctx.account, s)),
        key=lambda f: f.time_ms,
        reverse=True,
    )
    before = ctx.params.opt("lastFillTime")
    if before is not None:
        every = [f for f in every if iso(f.time_ms) < before]
    return {"fills": [fill_json(ctx.ids, f) for f in every[:100]]}


def deadman_route(deadman: DeadMan) -> FRoute:
    async def cancel_after(ctx: FCtx) -> dict[str, Any]:
        try:
            timeout = ctx.params.integer("timeout", 0) or 0
        except FuturesError:
            raise FuturesError("invalidArgument: timeout") from None
        if not 0 <= timeout <= MAX_TIMEOUT_S:
            raise FuturesError("invalidArgument: timeout")
        at = deadman.arm(FUTURES, ctx.account, timeout, ctx.now)
        return {"status": {"currentTime": iso(ctx.now), "triggerTime": iso(at) if at else "0"}}

    return FRoute("POST", "cancelallordersafter", cancel_after)


def routes() -> list[FRoute]:
    return [
        FRoute("POST", "sendorder", send_order, places=True),
        FRoute("POST", "editorder", edit_order),
        FRoute("POST", "cancelorder", cancel_order),
        FRoute("POST", "cancelallorders", cancel_all),
        FRoute("POST", "batchorder", batch_order, places=True),
        FRoute("GET", "openorders", open_orders),
        FRoute("POST", "orders/status", orders_status),
        FRoute("GET", "fills", fills),
    ]

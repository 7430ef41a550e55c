"""Spot trading: AddOrder, AddOrderBatch, AmendOrder, EditOrder, the cancels, order queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.kraken import spot_orders as so
from lotusx.sim.dialects.kraken.deadman import MAX_TIMEOUT_S, DeadMan, iso_s
from lotusx.sim.dialects.kraken.errors import SpotError, invalid, unknown_order
from lotusx.sim.dialects.kraken.fees import KrakenSpotAccountant
from lotusx.sim.dialects.kraken.http_spot import Ctx, Route
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.limits import CANCEL_PENALTY, EDIT_PENALTY, penalty
from lotusx.sim.dialects.kraken.markets import SPOT
from lotusx.sim.dialects.kraken.params import Params
from lotusx.sim.dialects.kraken.render import describe, order_json, px, trade_json, vol
from lotusx.sim.engine import Engine
from lotusx.sim.model import Fill, Order, OrderType, Rejected

BATCH_MAX, CANCEL_BATCH_MAX, PAGE = 15, 50, 50


def _engine_charge(ctx: Ctx, pair: str, cost: Decimal) -> None:
    if not ctx.limits.charge_engine(ctx.key, pair, cost, ctx.now):
        raise SpotError("EOrder:Rate limit exceeded")


def _place(ctx: Ctx, order: so.SpotOrder) -> Order:
    engine = ctx.engine
    accountant = engine.accountant
    with engine.batch():
        if isinstance(accountant, KrakenSpotAccountant):
            accountant.next_fee_currency = order.fee_currency
        try:
            placed = engine.place(order.request)
        except Rejected as exc:
            raise so.refusal(exc) from None
        finally:
            if isinstance(accountant, KrakenSpotAccountant):
                accountant.next_fee_currency = None
        placed.tags.update(order.tags)
        ctx.ids.spot_order(placed.order_id)
    return placed


def _placed_json(ctx: Ctx, order: Order) -> dict[str, Any]:
    pair = ctx.pairs.by_key[order.symbol]
    text = describe(pair, order.side, order.type, order.orig_qty, order.price)
    return {"descr": {"order": text}, "txid": [ctx.ids.spot_order(order.order_id)]}


async def add_order(ctx: Ctx) -> Any:
    pair = ctx.pair()
    order = so.build(ctx.params, pair, ctx.account, ctx.now)
    req = order.request
    if ctx.params.flag("validate"):
        return {"descr": {"order": describe(pair, req.side, req.type, req.qty, req.price)}}
    _engine_charge(ctx, pair.key, Decimal(1))
    return _placed_json(ctx, _place(ctx, order))


async def add_order_batch(ctx: Ctx) -> Any:
    pair = ctx.pair()
    entries = ctx.params.values.get("orders")
    if not isinstance(entries, list) or not 2 <= len(entries) <= BATCH_MAX:
        raise invalid("orders")
    if not all(isinstance(e, dict) for e in entries):
        raise invalid("orders")
    built = [so.build(Params(e, invalid), pair, ctx.account, ctx.now) for e in entries]
    if ctx.params.flag("validate"):
        return {"orders": [{"descr": {"order": "validated"}} for _ in built]}
    _engine_charge(ctx, pair.key, Decimal(len(built)))
    out: list[dict[str, Any]] = []
    with ctx.engine.batch():
        for order in built:
            try:
                placed = _placed_json(ctx, _place(ctx, order))
                # AddOrderBatch items carry one txid as a string (AddOrder: a list).
                out.append({**placed, "txid": placed["txid"][0]})
            except SpotError as err:
                out.append({"error": err.error})
    return {"orders": out}


def find(ctx: Ctx, txid: str | None, cl_ord_id: str | None) -> Order:
    engine = ctx.engine
    if txid is not None:
        oid = ctx.ids.order_id(txid)
        order = engine.orders.get(oid) if oid is not None else None
        if order is None or order.account != ctx.account:
            raise unknown_order()
        return order
    if cl_ord_id is not None:
        for symbol in engine.specs:
            try:
                return engine.get(ctx.account, symbol, client_id=cl_ord_id)
            except Rejected:
                continue
    raise unknown_order()


def _open(order: Order) -> Order:
    if not order.status.is_open:
        raise unknown_order()
    return order


async def amend_order(ctx: Ctx) -> Any:
    p = ctx.params
    txid, cid = p.opt("txid"), p.opt("cl_ord_id")
    if (txid is None) == (cid is None):
        raise invalid("txid")
    qty = p.decimal("order_qty", required=False)
    price = p.decimal("limit_price", required=False)
    if qty is None and price is None:
        raise invalid("order_qty")
    order = _open(find(ctx, txid, cid))
    spec = ctx.engine.specs[order.symbol]
    if price is not None and not spec.on_tick(price):
        raise SpotError("EOrder:Invalid price")
    if qty is not None and not spec.on_lot(qty):
        raise invalid("order_qty")
    if p.flag("post_only") and price is not None:
        book = ctx.engine.books[order.symbol]
        if book.crosses(order.side, price):
            raise SpotError("EOrder:Post only order")
    _engine_charge(ctx, order.symbol, penalty(EDIT_PENALTY, ctx.now - order.created_ms))
    try:
        ctx.engine.amend(ctx.account, order.symbol, order.order_id, None, price, qty)
    except Rejected as exc:
        raise so.refusal(exc) from None
    order.tags["amends"] = str(int(order.tags.get("amends", "0")) + 1)
    return {"amend_id": Ids.spot_trade("amend", order.order_id, int(order.tags["amends"]))}


async def edit_order(ctx: Ctx) -> Any:
    pair = ctx.pair()
    old = _open(find(ctx, ctx.params.req("txid"), None))
    if old.symbol != pair.key or old.price is None:
        raise invalid("txid")
    values: dict[str, Any] = {
        "type": "buy" if old.side.value == "BUY" else "sell",
        "ordertype": "limit",
        "volume": ctx.params.opt("volume") or str(old.orig_qty),
        "price": ctx.params.opt("price") or str(old.price),
        "oflags": ctx.params.opt("oflags")
        or ",".join(
            ["post"] * old.post_only + ["fcib" if old.tags.get("fee") == "base" else "fciq"]
        ),
    }
    if ctx.params.opt("userref") is not None:
        values["userref"] = ctx.params.opt("userref")
    new = so.build(Params(values, invalid), pair, ctx.account, ctx.now)
    _engine_charge(ctx, pair.key, penalty(EDIT_PENALTY, ctx.now - old.created_ms))
    with ctx.engine.batch():
        ctx.engine.cancel(ctx.account, old.symbol, old.order_id)
        placed = _place(ctx, new)
    return {
        "status": "ok",
        "txid": ctx.ids.spot_order(placed.order_id),
        "originaltxid": ctx.ids.spot_order(old.order_id),
        "volume": vol(placed.orig_qty),
        "price": px(pair, placed.price or Decimal(0)),
        "orders_cancelled": 1,
        "descr": _placed_json(ctx, placed)["descr"],
    }


def _cancel(ctx: Ctx, orders: list[Order]) -> int:
    count = 0
    with ctx.engine.batch():
        for order in orders:
            if not order.status.is_open:
                continue
            cost = penalty(CANCEL_PENALTY, ctx.now - order.created_ms)
            _engine_charge(ctx, order.symbol, cost)
            ctx.engine.cancel(ctx.account, order.symbol, order.order_id)
            count += 1
    return count


def _by_userref(ctx: Ctx, ref: str) -> list[Order]:
    return [o for o in ctx.engine.open_orders(ctx.account) if o.tags.get("userref") == ref]


async def cancel_order(ctx: Ctx) -> Any:
    txid, cid = ctx.params.opt("txid"), ctx.params.opt("cl_ord_id")
    if (txid is None) == (cid is None):
        raise invalid("txid")
    if txid is not None and txid.lstrip("-").isdigit():
        return {"count": _cancel(ctx, _by_userref(ctx, txid))}
    return {"count": _cancel(ctx, [_open(find(ctx, txid, cid))])}


async def cancel_order_batch(ctx: Ctx) -> Any:
    raw = ctx.params.values.get("orders") or []
    cids = ctx.params.values.get("cl_ord_ids") or []
    if not isinstance(raw, list) or not isinstance(cids, list):
        raise invalid("orders")
    if not 1 <= len(raw) + len(cids) <= CANCEL_BATCH_MAX:
        raise invalid("orders")
    orders: list[Order] = []
    for item in raw:
        txid = item.get("txid") if isinstance(item, dict) else item
        if str(txid).lstrip("-").isdigit():
            orders += _by_userref(ctx, str(txid))
            continue
        orders.append(find(ctx, str(txid), None))
    orders += [find(ctx, None, str(c)) for c in cids]
    return {"count": _cancel(ctx, orders)}


async def cancel_all(ctx: Ctx) -> Any:
    return {"count": _cancel(ctx, ctx.engine.open_orders(ctx.account))}


def _fills(engine: Engine, order: Order) -> list[Fill]:
    return [
        f for f in engine.account_fills(order.account, order.symbol) if f.order_id == order.order_id
    ]


def _json(ctx: Ctx, order: Order, trades: bool) -> dict[str, Any]:
    fills = _fills(ctx.engine, order)
    body = order_json(ctx.pairs.by_key[order.symbol], order, ctx.ids, fills)
    if not trades:
        body.pop("trades", None)
    return body


def _matches(ctx: Ctx, order: Order) -> bool:
    ref, cid = ctx.params.opt("userref"), ctx.params.opt("cl_ord_id")
    if ref is not None and order.tags.get("userref") != ref:
        return False
    return cid is None or order.client_id == cid


async def open_orders(ctx: Ctx) -> Any:
    trades = ctx.params.flag("trades")
    return {
        "open": {
            ctx.ids.spot_order(o.order_id): _json(ctx, o, trades)
            for o in ctx.engine.open_orders(ctx.account)
            if _matches(ctx, o)
        }
    }


def _closed(ctx: Ctx) -> list[Order]:
    engine = ctx.engine
    out = [
        o
        for symbol in engine.specs
        for o in engine.all_orders(ctx.account, symbol)
        if not o.status.is_open and _matches(ctx, o)
    ]
    return sorted(out, key=lambda o: o.updated_ms, reverse=True)


async def closed_orders(ctx: Ctx) -> Any:
    start = ctx.params.integer("start", None)
    end = ctx.params.integer("end", None)
    ofs = ctx.params.integer("ofs", 0) or 0
    orders = [
        o
        for o in _closed(ctx)
        if (start is None or o.updated_ms >= start * 1000)
        and (end is None or o.updated_ms <= end * 1000)
    ]
    trades = ctx.params.flag("trades")
    page = orders[ofs : ofs + PAGE]
    return {
        "closed": {ctx.ids.spot_order(o.order_id): _json(ctx, o, trades) for o in page},
        "count": len(orders),
    }


async def query_orders(ctx: Ctx) -> Any:
    txids = ctx.params.listed("txid")
    if not 1 <= len(txids) <= PAGE:
        raise invalid("txid")
    trades = ctx.params.flag("trades")
    return {t: _json(ctx, find(ctx, t, None), trades) for t in txids}


async def trades_history(ctx: Ctx) -> Any:
    engine = ctx.engine
    fills = sorted(
        (f for s in engine.specs for f in engine.account_fills(ctx.account, s)),
        key=lambda f: f.time_ms,
        reverse=True,
    )
    start = ctx.params.integer("start", None)
    end = ctx.params.integer("end", None)
    fills = [
        f
        for f in fills
        if (start is None or f.time_ms >= start * 1000) and (end is None or f.time_ms <= end * 1000)
    ]
    ofs = ctx.params.integer("ofs", 0) or 0
    page = fills[ofs : ofs + PAGE]
    return {
        "trades": {
            Ids.spot_trade(f.symbol, f.trade_id, f.order_id): trade_json(
                ctx.pairs.by_key[f.symbol], f, ctx.ids, _kind(engine, f)
            )
            for f in page
        },
        "count": len(fills),
    }


def _kind(engine: Engine, fill: Fill) -> OrderType | None:
    order = engine.orders.get(fill.order_id)
    return order.type if order is not None else None


def expire_gtd(engine: Engine, now_ms: int) -> None:
    """Cancel GTD orders whose `expiretm` has passed (status `expired` on the wire)."""
    for order in [o for orders in engine.open_orders_by_account.values() for o in orders.values()]:
        at = order.tags.get("expiretm")
        if at and int(at) * 1000 <= now_ms:
            order.tags["gtd"] = "expired"
            engine.cancel(order.account, order.symbol, order.order_id)


def deadman_route(deadman: DeadMan) -> Route:
    async def cancel_after(ctx: Ctx) -> Any:
        timeout = ctx.params.integer("timeout")
        if timeout is None or not 0 <= timeout <= MAX_TIMEOUT_S:
            raise invalid("timeout")
        at = deadman.arm(SPOT, ctx.account, timeout, ctx.now)
        return {"currentTime": iso_s(ctx.now), "triggerTime": iso_s(at) if at else "0"}

    return Route("CancelAllOrdersAfter", cancel_after)


def routes() -> list[Route]:
    return [
        Route("AddOrder", add_order, places=True),
        Route("AddOrderBatch", add_order_batch, places=True),
        Route("AmendOrder", amend_order),
        Route("EditOrder", edit_order, places=True),
        Route("CancelOrder", cancel_order),
        Route("CancelOrderBatch", cancel_order_batch),
        Route("CancelAll", cancel_all),
        Route("OpenOrders", open_orders),
        Route("ClosedOrders", closed_orders),
        Route("QueryOrders", query_orders),
        Route("TradesHistory", trades_history),
    ]

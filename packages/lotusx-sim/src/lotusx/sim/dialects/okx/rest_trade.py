"""OKX `/api/v5/trade`: place, amend and cancel (single and batch), order queries, fills."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.okx.errors import ItemError, OkxError, param, reject_item
from lotusx.sim.dialects.okx.http import Batch, Ctx, Route
from lotusx.sim.dialects.okx.markets import Inst
from lotusx.sim.dialects.okx.params import Params
from lotusx.sim.dialects.okx.render import bill_id, fill_json, fmt, order_json
from lotusx.sim.engine import OrderRequest
from lotusx.sim.model import ZERO, Order, OrderType, Rejected, RejectReason, Side, TimeInForce

CL_ORD_ID_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")
ORD_TYPES = ("market", "limit", "post_only", "fok", "ioc", "optimal_limit_ioc")
MAX_BATCH = 20
PRICE_BAND = Decimal("0.05")


@dataclass(frozen=True, slots=True)
class Placement:
    inst: Inst
    request: OrderRequest
    tags: dict[str, str]


def _items(ctx: Ctx) -> list[dict[str, Any]]:
    body = ctx.body
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list) or not body or not all(isinstance(i, dict) for i in body):
        raise OkxError("50002", "Invalid JSON", 400)
    return body


def _quote_to_base(ctx: Ctx, inst: Inst, side: Side, amount: Decimal) -> Decimal:
    """Base quantity a market order spending (buy) or raising (sell) `amount` quote takes."""
    book = ctx.engine(inst).books[inst.inst_id]
    left, qty = amount, ZERO
    for level in book.side(side.opposite).iter_best_first():
        if left <= 0:
            break
        take = min(level.qty, left / level.price)
        qty += take
        left -= take * level.price
    return inst.spec.floor_qty(qty)


def parse_order(ctx: Ctx, p: Params) -> Placement:
    """Validate one order; structural errors raise OkxError, business ones ItemError."""
    inst = p.inst(ctx.insts)
    spec = inst.spec
    td_mode = p.choice("tdMode", ("cash", "cross", "isolated", "spot_isolated"))
    side = Side(p.choice("side", ("buy", "sell")).upper())
    ord_type = p.choice("ordType", ORD_TYPES)
    sz = p.req_decimal("sz")
    px = p.decimal("px")
    cl_ord_id = p.opt("clOrdId")
    reduce_only = p.boolean("reduceOnly")
    tgt_ccy = p.opt("tgtCcy")
    pos_side = p.opt("posSide")
    if cl_ord_id is not None and not CL_ORD_ID_RE.match(cl_ord_id):
        raise param("clOrdId")
    if inst.swap and td_mode not in ("cross", "isolated"):
        raise param("tdMode")
    if not inst.swap and td_mode != "cash":
        raise ItemError("51010", "You can't complete this request under your current account mode.")
    if pos_side not in (None, "net"):
        raise param("posSide")
    if ord_type == "optimal_limit_ioc" and not inst.swap:
        raise param("ordType")
    if tgt_ccy not in (None, "base_ccy", "quote_ccy") or (tgt_ccy and inst.swap):
        raise param("tgtCcy")
    if ord_type not in ("market", "optimal_limit_ioc") and px is None:
        raise OkxError("50014", "Parameter px can not be empty.", 400)
    if sz <= 0:
        raise param("sz")
    if reduce_only and not inst.swap:
        raise ItemError(
            "51139",
            "Reduce-only feature is unavailable for the spot transactions by simple account.",
        )
    market = ord_type in ("market", "optimal_limit_ioc")
    if market:
        px = None
    qty = inst.from_wire(sz)
    default_tgt = "quote_ccy" if (not inst.swap and market and side is Side.BUY) else "base_ccy"
    tgt = tgt_ccy or default_tgt
    if not inst.swap and market and tgt == "quote_ccy":
        qty = _quote_to_base(ctx, inst, side, sz)
        if qty <= 0:
            raise ItemError("51020", "Your order should meet or exceed the minimum order amount.")
    else:
        if not spec.on_lot(qty):
            raise ItemError("51121", "Order quantity must be a multiple of the lot size.")
        if qty < spec.min_qty:
            raise ItemError("51020", "Your order should meet or exceed the minimum order amount.")
        if qty > (spec.market_max_qty if market and inst.swap else spec.max_qty):
            raise ItemError("51202", "Market order amount exceeds the maximum amount.")
    if px is not None:
        if px <= 0 or not spec.on_tick(px):
            raise param("px")
        _price_band(ctx, inst, side, px)
    if inst.swap:
        _check_mode(ctx, inst, td_mode)
    tif = {"fok": TimeInForce.FOK, "ioc": TimeInForce.IOC}.get(ord_type, TimeInForce.GTC)
    request = OrderRequest(
        ctx.acct,
        inst.inst_id,
        side,
        OrderType.MARKET if market else OrderType.LIMIT,
        qty,
        price=px,
        tif=TimeInForce.IOC if market else tif,
        client_id=cl_ord_id,
        post_only=ord_type == "post_only",
        reduce_only=reduce_only,
    )
    tags = {
        "ordType": ord_type,
        "tdMode": td_mode,
        "sz": fmt(sz),
        "tgtCcy": tgt if not inst.swap else "",
        "clOrdId": cl_ord_id or "",
        "tag": p.opt("tag") or "",
    }
    return Placement(inst, request, tags)


def _price_band(ctx: Ctx, inst: Inst, side: Side, px: Decimal) -> None:
    core = ctx.core
    ref = core.mark_price(inst.inst_id) if inst.swap else core.fair[inst.spec.base]()
    buy_max = inst.spec.floor_price(ref * (1 + PRICE_BAND))
    sell_min = inst.spec.floor_price(ref * (1 - PRICE_BAND)) + inst.spec.tick
    if (side is Side.BUY and px > buy_max) or (side is Side.SELL and px < sell_min):
        raise ItemError(
            "51006",
            f"Order price is not within the price limit (max buy price: {fmt(buy_max)} "
            f"min sell price: {fmt(sell_min)})",
        )


def _check_mode(ctx: Ctx, inst: Inst, td_mode: str) -> None:
    pos = ctx.core.ledger.position(ctx.acct, inst.inst_id)
    isolated = td_mode == "isolated"
    if pos.qty == 0 and not ctx.engine(inst).open_orders(ctx.acct, inst.inst_id):
        pos.isolated = isolated
    elif pos.isolated != isolated:
        raise param("tdMode")


def _placed(ctx: Ctx, placement: Placement) -> dict[str, Any]:
    engine = ctx.engine(placement.inst)
    with engine.batch():  # tags are set before the batch's order events are published
        order = engine.place(placement.request)
        order.tags.update(placement.tags)
    return {
        "clOrdId": placement.tags["clOrdId"],
        "ordId": str(order.order_id),
        "tag": placement.tags["tag"],
        "ts": str(ctx.now),
        "sCode": "0",
        "sMsg": "Order placed",
    }


def _failed(ctx: Ctx, item: dict[str, Any], err: ItemError, **extra: str) -> dict[str, Any]:
    return {
        "clOrdId": str(item.get("clOrdId", "") or ""),
        "ordId": str(item.get("ordId", "") or ""),
        "tag": str(item.get("tag", "") or ""),
        "ts": str(ctx.now),
        "sCode": err.code,
        "sMsg": err.msg,
        **extra,
    }


def _ccy(placement: Placement) -> str:
    spec = placement.inst.spec
    if placement.inst.swap or placement.request.side is Side.BUY:
        return spec.quote
    return spec.base


def _place_item(ctx: Ctx, item: dict[str, Any], batch: bool) -> dict[str, Any]:
    try:
        placement = parse_order(ctx, Params(item))
    except ItemError as err:
        return _failed(ctx, item, err)
    except OkxError as err:
        if not batch:
            raise
        return _failed(ctx, item, ItemError(err.code, err.msg))
    try:
        return _placed(ctx, placement)
    except Rejected as exc:
        return _failed(ctx, item, reject_item(exc, _ccy(placement)))


async def place(ctx: Ctx) -> Any:
    if not isinstance(ctx.body, dict):
        raise OkxError("50002", "Invalid JSON", 400)
    return Batch([_place_item(ctx, ctx.body, batch=False)])


async def batch_place(ctx: Ctx) -> Any:
    items = _items(ctx)
    if len(items) > MAX_BATCH:
        raise OkxError("51111", f"Maximum {MAX_BATCH} orders can be placed in bulk.")
    engines = {inst.spec.market: ctx.engine(inst) for inst in ctx.insts.values()}
    out: list[dict[str, Any]] = []
    with engines["spot"].batch(), engines["swap"].batch():
        for item in items:
            out.append(_place_item(ctx, item, batch=True))
    return Batch(out)


# ----------------------------------------------------------------- lookups
def _ids(p: Params) -> tuple[int | None, str | None]:
    ord_id, cl_ord_id = p.opt("ordId"), p.opt("clOrdId")
    if ord_id is None and cl_ord_id is None:
        raise OkxError("50015", "Either parameter ordId or clOrdId is required.", 400)
    if ord_id is not None:
        return (int(ord_id) if ord_id.isdigit() else -1), None
    return None, cl_ord_id


def _find(ctx: Ctx, inst: Inst, ord_id: int | None, cl_ord_id: str | None) -> Order:
    return ctx.engine(inst).get(ctx.acct, inst.inst_id, ord_id, cl_ord_id)


async def get_order(ctx: Ctx) -> Any:
    p = ctx.params
    inst = p.inst(ctx.insts)
    ord_id, cl_ord_id = _ids(p)
    try:
        order = _find(ctx, inst, ord_id, cl_ord_id)
    except Rejected:
        raise OkxError("51603", "Order does not exist") from None
    return [order_json(ctx.core, inst, order)]


async def orders_pending(ctx: Ctx) -> Any:
    p = ctx.params
    inst_type = p.inst_type(("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"), required=False)
    only = p.opt_inst(ctx.insts)
    ord_type = p.opt("ordType")
    state = p.opt("state")
    limit = p.limit(100, 100)
    after, before = p.integer("after"), p.integer("before")
    rows: list[tuple[Inst, Order]] = []
    for inst in ctx.insts.values():
        if (only and inst is not only) or (inst_type and inst.inst_type != inst_type):
            continue
        for order in ctx.engine(inst).open_orders(ctx.acct, inst.inst_id):
            rows.append((inst, order))
    rows.sort(key=lambda r: r[1].order_id, reverse=True)
    out = []
    for inst, order in rows:
        body = order_json(ctx.core, inst, order)
        if ord_type and body["ordType"] not in ord_type.split(","):
            continue
        if state and body["state"] != state:
            continue
        if (after is not None and order.order_id >= after) or (
            before is not None and order.order_id <= before
        ):
            continue
        out.append(body)
    return out[:limit]


async def fills(ctx: Ctx) -> Any:
    p = ctx.params
    inst_type = p.inst_type(("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"), required=False)
    only = p.opt_inst(ctx.insts)
    ord_id = p.opt("ordId")
    limit = p.limit(100, 100)
    after, before = p.integer("after"), p.integer("before")
    begin, end = p.integer("begin"), p.integer("end")
    rows = []
    for inst in ctx.insts.values():
        if (only and inst is not only) or (inst_type and inst.inst_type != inst_type):
            continue
        for f in ctx.engine(inst).account_fills(ctx.acct, inst.inst_id):
            if ord_id and str(f.order_id) != ord_id:
                continue
            bill = int(bill_id(f))
            if (after is not None and bill >= after) or (before is not None and bill <= before):
                continue
            if (begin is not None and f.time_ms < begin) or (end is not None and f.time_ms > end):
                continue
            rows.append((f.time_ms, bill, fill_json(inst, f)))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [r[2] for r in rows[:limit]]


# ----------------------------------------------------------------- cancel
CANCEL_FAILED = (
    "51400",
    "Order cancellation failed as the order has been filled, canceled or does not exist.",
)


def _cancel_item(ctx: Ctx, item: dict[str, Any], batch: bool) -> dict[str, Any]:
    p = Params(item)
    try:
        inst = p.inst(ctx.insts)
        ord_id, cl_ord_id = _ids(p)
    except OkxError as err:
        if not batch:
            raise
        return _failed(ctx, item, ItemError(err.code, err.msg))
    try:
        order = ctx.engine(inst).cancel(ctx.acct, inst.inst_id, ord_id, cl_ord_id)
    except Rejected:
        return _failed(ctx, item, ItemError(*CANCEL_FAILED))
    return {
        "clOrdId": order.tags.get("clOrdId", ""),
        "ordId": str(order.order_id),
        "ts": str(ctx.now),
        "sCode": "0",
        "sMsg": "",
    }


async def cancel(ctx: Ctx) -> Any:
    if not isinstance(ctx.body, dict):
        raise OkxError("50002", "Invalid JSON", 400)
    return Batch([_cancel_item(ctx, ctx.body, batch=False)])


async def batch_cancel(ctx: Ctx) -> Any:
    items = _items(ctx)
    if len(items) > MAX_BATCH:
        raise OkxError("51406", f"Canceled order count exceeds the limit {MAX_BATCH}.")
    return Batch([_cancel_item(ctx, item, batch=True) for item in items])


# ----------------------------------------------------------------- amend
def _amend_error(exc: Rejected, inst: Inst) -> ItemError:
    if exc.reason is RejectReason.UNKNOWN_ORDER:
        return ItemError(
            "51503",
            "Order modification failed as the order has been filled, canceled or does not exist.",
        )
    if exc.reason is RejectReason.POST_ONLY_WOULD_TAKE:
        return ItemError(
            "51511",
            "Operation failed as the order price did not meet the requirement for post only.",
        )
    if exc.reason is RejectReason.INVALID_AMEND:
        return ItemError("51000", "Parameter newSz error")
    return reject_item(exc, inst.spec.quote)


def _amend_item(ctx: Ctx, item: dict[str, Any], batch: bool) -> dict[str, Any]:
    p = Params(item)
    req_id = str(item.get("reqId", "") or "")
    try:
        inst = p.inst(ctx.insts)
        ord_id, cl_ord_id = _ids(p)
        new_sz, new_px = p.decimal("newSz"), p.decimal("newPx")
    except OkxError as err:
        if not batch:
            raise
        return _failed(ctx, item, ItemError(err.code, err.msg), reqId=req_id)
    try:
        if new_sz is None and new_px is None:
            raise ItemError("51500", "Either order price or amount is required.")
        spec = inst.spec
        qty = inst.from_wire(new_sz) if new_sz is not None else None
        if qty is not None and (not spec.on_lot(qty) or qty <= 0):
            raise ItemError("51121", "Order quantity must be a multiple of the lot size.")
        if new_px is not None and (new_px <= 0 or not spec.on_tick(new_px)):
            raise ItemError("51000", "Parameter newPx error")
        try:
            order = _find(ctx, inst, ord_id, cl_ord_id)
            if new_px is not None:
                _price_band(ctx, inst, order.side, new_px)
            ctx.engine(inst).amend(ctx.acct, inst.inst_id, order.order_id, price=new_px, qty=qty)
        except Rejected as exc:
            raise _amend_error(exc, inst) from None
        if new_sz is not None:
            order.tags["sz"] = fmt(new_sz)
    except ItemError as err:
        return _failed(ctx, item, err, reqId=req_id)
    return {
        "clOrdId": order.tags.get("clOrdId", ""),
        "ordId": str(order.order_id),
        "ts": str(ctx.now),
        "reqId": req_id,
        "sCode": "0",
        "sMsg": "",
    }


async def amend(ctx: Ctx) -> Any:
    if not isinstance(ctx.body, dict):
        raise OkxError("50002", "Invalid JSON", 400)
    return Batch([_amend_item(ctx, ctx.body, batch=False)])


async def batch_amend(ctx: Ctx) -> Any:
    items = _items(ctx)
    if len(items) > MAX_BATCH:
        raise OkxError("51501", f"Maximum {MAX_BATCH} orders can be modified.")
    return Batch([_amend_item(ctx, item, batch=True) for item in items])


def routes() -> list[Route]:
    post, get = "POST", "GET"
    return [
        Route(post, "/api/v5/trade/order", place, private=True, trade=True, places=True),
        Route(
            post,
            "/api/v5/trade/batch-orders",
            batch_place,
            private=True,
            trade=True,
            places=True,
        ),
        Route(post, "/api/v5/trade/amend-order", amend, private=True, trade=True),
        Route(
            post,
            "/api/v5/trade/amend-batch-orders",
            batch_amend,
            private=True,
            trade=True,
        ),
        Route(post, "/api/v5/trade/cancel-order", cancel, private=True, trade=True),
        Route(
            post,
            "/api/v5/trade/cancel-batch-orders",
            batch_cancel,
            private=True,
            trade=True,
        ),
        Route(get, "/api/v5/trade/order", get_order, private=True),
        Route(get, "/api/v5/trade/orders-pending", orders_pending, private=True),
        Route(get, "/api/v5/trade/fills", fills, private=True),
    ]

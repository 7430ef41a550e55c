"""Orders: create, edit, batch cancel, get, list, fills ("Orders" pages of the REST reference).

A duplicate `client_order_id` does not create an order: the order that already has that id is
returned (Create Order, `client_order_id`). Business refusals are HTTP 200 with
`success: false` and an `error_response`; malformed requests are HTTP 400 INVALID_ARGUMENT.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.coinbase.errors import OrderFailure, invalid, not_found
from lotusx.sim.dialects.coinbase.http import Ctx, Route
from lotusx.sim.dialects.coinbase.markets import MAKER_FEE as MAKER
from lotusx.sim.dialects.coinbase.markets import TAKER_FEE as TAKER
from lotusx.sim.dialects.coinbase.params import decimal
from lotusx.sim.dialects.coinbase.render import (
    Json,
    configuration,
    fill_json,
    order_json,
    plain,
    rfc3339,
)
from lotusx.sim.engine import OrderRequest
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import (
    ZERO,
    ExecType,
    Order,
    OrderStatus,
    OrderType,
    Rejected,
    Side,
    TimeInForce,
)
from lotusx.sim.model import RejectReason as R

CONFIGS = {
    "market_market_ioc": (OrderType.MARKET, TimeInForce.IOC),
    "sor_limit_ioc": (OrderType.LIMIT, TimeInForce.IOC),
    "limit_limit_gtc": (OrderType.LIMIT, TimeInForce.GTC),
    "limit_limit_gtd": (OrderType.LIMIT, TimeInForce.GTC),
    "limit_limit_fok": (OrderType.LIMIT, TimeInForce.FOK),
    "market_market_fok": (OrderType.MARKET, TimeInForce.FOK),
}
KNOWN_UNSUPPORTED = (
    "stop_limit_stop_limit_gtc",
    "stop_limit_stop_limit_gtd",
    "trigger_bracket_gtc",
    "trigger_bracket_gtd",
    "twap_limit_gtd",
)
CANCEL_MAX = 100
LIST_MAX = 1000
OPEN = "OPEN"
STATUSES = ("OPEN", "FILLED", "CANCELLED", "EXPIRED", "FAILED", "PENDING", "QUEUED")


def _places(value: Decimal) -> int:
    return max(0, -int(value.normalize().as_tuple().exponent))


def _quote_to_base(ctx: Ctx, spec: MarketSpec, side: Side, amount: Decimal) -> Decimal:
    book = ctx.engine.books[spec.symbol]
    left, got = amount, ZERO
    for level in book.side(side.opposite).iter_best_first():
        if left <= 0:
            break
        take = min(level.qty, left / level.price)
        got += take
        left -= take * level.price
    return spec.floor_qty(got)


def _size(spec: MarketSpec, size: Decimal, price: Decimal | None, ref: Decimal) -> None:
    if _places(size) > spec.qty_decimals:
        raise OrderFailure("INVALID_SIZE_PRECISION", "Invalid size precision")
    if size < spec.min_qty:
        raise OrderFailure("UNKNOWN_FAILURE_REASON", "", "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL")
    if size > spec.max_qty:
        raise OrderFailure("UNKNOWN_FAILURE_REASON", "", "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE")
    if price is not None and _places(price) > spec.price_decimals:
        raise OrderFailure("INVALID_PRICE_PRECISION", "Invalid price precision")
    if size * (price or ref) < spec.min_notional:
        raise OrderFailure("UNKNOWN_FAILURE_REASON", "", "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL")


def _end_time(raw: Any, now: int) -> int:
    if not isinstance(raw, str):
        raise invalid("end_time is required")
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("invalid end_time") from None
    if moment.tzinfo is None:
        raise invalid("invalid end_time")
    ms = int(moment.timestamp() * 1000)
    if ms <= now:
        raise OrderFailure(
            "INVALID_REQUEST", "end_time must be in the future", "PREVIEW_INVALID_END_TIME"
        )
    return ms


def parse(ctx: Ctx, body: dict[str, Any]) -> tuple[OrderRequest, dict[str, str]]:
    """Validate a Create Order body; raise 400 for malformed input, OrderFailure otherwise."""
    cid, product_id, side_raw = (
        body.get("client_order_id"),
        body.get("product_id"),
        body.get("side"),
    )
    config = body.get("order_configuration")
    for name, value in (("client_order_id", cid), ("product_id", product_id), ("side", side_raw)):
        if not isinstance(value, str) or not value:
            raise invalid(f"{name} is required")
    assert isinstance(cid, str) and isinstance(product_id, str) and isinstance(side_raw, str)
    if not isinstance(config, dict) or len(config) != 1:
        raise invalid("order_configuration must hold exactly one configuration")
    key, cfg = next(iter(config.items()))
    if not isinstance(cfg, dict):
        raise invalid(f"invalid {key}")
    spec = ctx.core.specs["spot"].get(product_id)
    if spec is None:
        raise OrderFailure("INVALID_PRODUCT_ID", "Invalid product_id", "PREVIEW_INVALID_PRODUCT_ID")
    if side_raw not in ("BUY", "SELL"):
        raise OrderFailure("INVALID_SIDE", "Invalid side", "PREVIEW_INVALID_SIDE")
    side = Side(side_raw)
    if key not in CONFIGS:
        if key in KNOWN_UNSUPPORTED:
            raise OrderFailure("UNSUPPORTED_ORDER_CONFIGURATION", f"{key} is not supported")
        raise invalid(f"unknown order configuration {key}")
    otype, tif = CONFIGS[key]
    ref = ctx.engine.last_price[spec.symbol]
    tags = {"cfg": key}
    quote_qty: Decimal | None = None
    price: Decimal | None = None
    if otype is OrderType.MARKET:
        has_q, has_b = cfg.get("quote_size") is not None, cfg.get("base_size") is not None
        if has_q == has_b:
            raise invalid("exactly one of quote_size and base_size is required")
        if has_q:
            quote = decimal(cfg["quote_size"], "quote_size")
            if _places(quote) > spec.price_decimals:
                raise OrderFailure(
                    "UNKNOWN_FAILURE_REASON", "", "PREVIEW_INVALID_QUOTE_SIZE_PRECISION"
                )
            if quote < spec.min_notional:
                raise OrderFailure(
                    "UNKNOWN_FAILURE_REASON", "", "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL"
                )
            tags["quote_size"] = cfg["quote_size"]
            if side is Side.BUY:  # the quote size includes the fees (`size_inclusive_of_fees`)
                rate = max(ctx.core.ledger.fee_rates(ctx.acct, "spot", (MAKER, TAKER)))
                quote_qty = spec.floor_price(quote / (1 + rate))
            size = _quote_to_base(ctx, spec, side, quote_qty or quote)
            if size <= 0:
                raise OrderFailure(
                    "INVALID_NO_LIQUIDITY", "No liquidity", "PREVIEW_INVALID_NO_LIQUIDITY"
                )
        else:
            size = decimal(cfg["base_size"], "base_size")
            _size(spec, size, None, ref)
            tags["base_size"] = cfg["base_size"]
    else:
        size = decimal(cfg.get("base_size"), "base_size")
        price = decimal(cfg.get("limit_price"), "limit_price")
        if price <= 0:
            raise OrderFailure("INVALID_LIMIT_PRICE", "Invalid limit price")
        _size(spec, size, price, ref)
    if key == "market_market_fok":
        # Fill or kill at market: all of it against the book now, or nothing (the order ends
        # CANCELLED). The engine kills a FOK order that names the worst price it may reach.
        book = ctx.engine.books[spec.symbol]
        levels = (book.asks if side is Side.BUY else book.bids).depth(10**6)
        if sum((q for _, q in levels), Decimal(0)) < size:
            price = levels[-1][0] if levels else ref
    post_only = cfg.get("post_only", False)
    if not isinstance(post_only, bool):
        raise invalid("invalid post_only")
    if post_only and key == "limit_limit_fok":
        raise OrderFailure(
            "POST_ONLY_NOT_ALLOWED_WITH_FOK", "", "PREVIEW_POST_ONLY_NOT_ALLOWED_WITH_FOK"
        )
    if key == "limit_limit_gtd":
        tags["end_ms"] = str(_end_time(cfg.get("end_time"), ctx.now))
        tags["end_time"] = str(cfg.get("end_time"))
    request = OrderRequest(
        ctx.acct,
        spec.symbol,
        side,
        otype,
        size,
        price=price,
        tif=tif,
        client_id=cid,
        post_only=post_only and key in ("limit_limit_gtc", "limit_limit_gtd"),
        quote_qty=quote_qty,
    )
    return request, tags


def _failure(exc: Rejected) -> OrderFailure:
    if exc.reason is R.INSUFFICIENT_BALANCE:
        return OrderFailure(
            "INSUFFICIENT_FUND",
            "Insufficient balance in source account",
            "PREVIEW_INSUFFICIENT_FUND",
        )
    if exc.reason is R.POST_ONLY_WOULD_TAKE:
        return OrderFailure(
            "INVALID_LIMIT_PRICE_POST_ONLY",
            "Limit price would take liquidity",
            "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY",
        )
    return OrderFailure("UNKNOWN_FAILURE_REASON", exc.reason.value)


def _success(ctx: Ctx, order: Order) -> Json:
    return {
        "success": True,
        "success_response": {
            "order_id": ctx.ids.order(order.order_id),
            "product_id": order.symbol,
            "side": order.side.value,
            "client_order_id": order.client_id,
        },
        "order_configuration": configuration(ctx.core, order),
    }


async def create(ctx: Ctx) -> Any:
    body = ctx.body
    cid = body.get("client_order_id")
    if isinstance(cid, str) and cid in ctx.ids.clients:
        return _success(ctx, ctx.engine.orders[ctx.ids.clients[cid]])
    config = body.get("order_configuration")
    try:
        request, tags = parse(ctx, body)
        engine = ctx.engine
        with engine.batch():
            order = engine.place(request)
            order.tags.update(tags)
    except OrderFailure as fail:
        out: Json = {"success": False, "error_response": fail.error_response()}
        if isinstance(config, dict):
            out["order_configuration"] = config
        return out
    except Rejected as exc:
        return {
            "success": False,
            "error_response": _failure(exc).error_response(),
            "order_configuration": config,
        }
    ctx.ids.clients[order.client_id] = order.order_id
    return _success(ctx, order)


def find(ctx: Ctx, raw: Any) -> Order | None:
    """The key's order named by a Coinbase order id, if it exists."""
    if not isinstance(raw, str):
        return None
    oid = ctx.ids.order_int(raw)
    order = ctx.engine.orders.get(oid) if oid is not None else None
    if order is None or order.account != ctx.acct:
        return None
    return order


def _edit_failure(reason: str, preview: str = "") -> Json:
    error: Json = {"edit_failure_reason": reason}
    if preview:
        error["preview_failure_reason"] = preview
    return {"success": False, "errors": [error]}


async def edit(ctx: Ctx) -> Any:
    body = ctx.body
    if not isinstance(body.get("order_id"), str):
        raise invalid("order_id is required")
    order = find(ctx, body["order_id"])
    if order is None:
        return _edit_failure("ORDER_NOT_FOUND")
    if not order.status.is_open:
        return _edit_failure("ONLY_OPEN_ORDERS_CAN_BE_EDITED")
    if order.tags.get("cfg") != "limit_limit_gtc":
        return _edit_failure("ONLY_LIMIT_ORDER_EDITS_SUPPORTED")
    if body.get("price") is None and body.get("size") is None:
        raise invalid("price or size is required")
    assert order.price is not None
    price = order.price if body.get("price") is None else decimal(body["price"], "price")
    size = order.orig_qty if body.get("size") is None else decimal(body["size"], "size")
    spec = ctx.core.specs["spot"][order.symbol]
    if price <= 0 or _places(price) > spec.price_decimals:
        return _edit_failure("INVALID_EDITED_PRICE")
    if size <= 0 or _places(size) > spec.qty_decimals or size > spec.max_qty:
        return _edit_failure("INVALID_EDITED_SIZE")
    if size <= order.executed_qty:
        return _edit_failure("CANNOT_EDIT_TO_BELOW_FILLED_SIZE")
    if price == order.price and size == order.orig_qty:
        return _edit_failure("EDIT_REQUEST_EQUAL_TO_ORIGINAL_REQUEST")
    try:
        ctx.engine.amend(order.account, order.symbol, order.order_id, price=price, qty=size)
    except Rejected as exc:
        if exc.reason is R.POST_ONLY_WOULD_TAKE:
            return _edit_failure("INVALID_EDITED_PRICE", "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY")
        if exc.reason is R.INSUFFICIENT_BALANCE:
            return _edit_failure("COMMANDER_REJECTED_EDIT_ORDER", "PREVIEW_INSUFFICIENT_FUND")
        return _edit_failure("UNKNOWN_EDIT_ORDER_FAILURE_REASON")
    history = json.loads(order.tags.get("edits", "[]"))
    history.append(
        {"price": plain(price), "size": plain(size), "replace_accept_timestamp": rfc3339(ctx.now)}
    )
    order.tags["edits"] = json.dumps(history)
    # The order status enum has EDIT_QUEUED (an accepted edit not yet applied): the next read
    # of the order by id shows it once, so clients see the transient status.
    order.tags["edit_queued"] = "1"
    return {"success": True, "errors": []}


def _cancel_one(ctx: Ctx, raw: Any) -> Json:
    order = find(ctx, raw)
    result: Json = {"success": False, "failure_reason": "UNKNOWN_CANCEL_ORDER", "order_id": raw}
    if order is None:
        return result
    if order.status is OrderStatus.FILLED:
        return {**result, "failure_reason": "ORDER_IS_FULLY_FILLED"}
    if not order.status.is_open:
        return {**result, "failure_reason": "DUPLICATE_CANCEL_REQUEST"}
    ctx.engine.cancel(order.account, order.symbol, order.order_id)
    return {**result, "success": True, "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON"}


async def batch_cancel(ctx: Ctx) -> Any:
    ids = ctx.body.get("order_ids")
    if not isinstance(ids, list) or not ids:
        raise invalid("order_ids is required")
    if len(ids) > CANCEL_MAX:
        raise invalid(f"at most {CANCEL_MAX} order_ids")
    with ctx.engine.batch():
        return {"results": [_cancel_one(ctx, raw) for raw in ids]}


def render(ctx: Ctx, order: Order) -> Json:
    out = order_json(ctx.core, ctx.ids, order)
    out["edit_history"] = json.loads(order.tags.get("edits", "[]"))
    return out


async def get_order(ctx: Ctx) -> Any:
    order = find(ctx, ctx.path.get("order_id"))
    if order is None:
        raise not_found("order with this orderID was not found")
    out = render(ctx, order)
    if order.tags.pop("edit_queued", None) and order.status.is_open:
        out["status"] = "EDIT_QUEUED"
    return {"order": out}


def _page(ctx: Ctx, rows: list[Any]) -> tuple[list[Any], bool, str]:
    q = ctx.query
    limit = q.integer("limit", 100, 1, LIST_MAX)
    cursor = q.opt("cursor")
    if cursor is not None and not cursor.isdigit():
        raise invalid("invalid cursor")
    start = int(cursor or 0)
    page = rows[start : start + limit]
    more = start + limit < len(rows)
    return page, more, str(start + limit) if more else ""


def _time_filter(ctx: Ctx, start_name: str, end_name: str) -> tuple[int, int]:
    bounds = []
    for name in (start_name, end_name):
        raw = ctx.query.opt(name)
        if raw is None:
            bounds.append(0)
            continue
        try:
            moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise invalid(f"invalid {name}") from None
        bounds.append(int(moment.timestamp() * 1000))
    return bounds[0], bounds[1]


async def list_orders(ctx: Ctx) -> Any:
    q = ctx.query
    statuses = q.many("order_status")
    if any(s not in STATUSES for s in statuses):
        raise invalid("invalid order_status")
    if OPEN in statuses and len(statuses) > 1:
        raise invalid("OPEN is not allowed in combination with other order statuses")
    products = q.many("product_ids")
    order_ids = set(q.many("order_ids"))
    side = q.opt("order_side")
    start, end = _time_filter(ctx, "start_date", "end_date")
    engine = ctx.engine
    orders = [
        o
        for sym in ctx.core.specs["spot"]
        if not products or sym in products
        for o in engine.all_orders(ctx.acct, sym)
    ]
    orders.sort(key=lambda o: o.order_id, reverse=True)
    rows = []
    for o in orders:
        body = render(ctx, o)
        if (
            (not statuses or body["status"] in statuses)
            and (not order_ids or body["order_id"] in order_ids)
            and (side is None or o.side.value == side)
            and (not start or o.created_ms >= start)
            and (not end or o.created_ms <= end)
        ):
            rows.append(body)
    page, more, cursor = _page(ctx, rows)
    return {"orders": page, "sequence": "0", "has_next": more, "cursor": cursor}


async def list_fills(ctx: Ctx) -> Any:
    q = ctx.query
    products = q.many("product_ids")
    order_ids = set(q.many("order_ids"))
    trade_ids = set(q.many("trade_ids"))
    start, end = _time_filter(ctx, "start_sequence_timestamp", "end_sequence_timestamp")
    engine = ctx.engine
    fills = [
        f
        for sym in ctx.core.specs["spot"]
        if not products or sym in products
        for f in engine.account_fills(ctx.acct, sym)
    ]
    fills.sort(key=lambda f: (f.time_ms, f.trade_id), reverse=True)
    rows = []
    for f in fills:
        body = fill_json(ctx.core, ctx.ids, f)
        if (
            (not order_ids or body["order_id"] in order_ids)
            and (not trade_ids or body["trade_id"] in trade_ids)
            and (not start or f.time_ms >= start)
            and (not end or f.time_ms <= end)
        ):
            rows.append(body)
    page, _, cursor = _page(ctx, rows)
    return {"fills": page, "cursor": cursor}


def expire_gtd(core: VenueCore, now: int) -> None:
    """Expire `limit_limit_gtd` orders whose `end_time` has passed (run on every tick)."""
    engine = core.engines["spot"]
    due = [
        o
        for orders in engine.open_orders_by_account.values()
        for o in orders.values()
        if o.tags.get("end_ms") and int(o.tags["end_ms"]) <= now
    ]
    if due:
        with engine.batch():
            for order in due:
                engine._finish(order, OrderStatus.EXPIRED, ExecType.EXPIRED)


def routes() -> list[Route]:
    return [
        Route("POST", "/orders", create, places=True),
        Route("POST", "/orders/edit", edit),
        Route("POST", "/orders/batch_cancel", batch_cancel),
        Route("GET", "/orders/historical/batch", list_orders),
        Route("GET", "/orders/historical/fills", list_fills),
        Route("GET", "/orders/historical/{order_id}", get_order),
    ]

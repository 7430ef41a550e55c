"""Spot WebSocket v2 trading methods on `ws-auth`: add_order, batch_add, amend_order,
cancel_order, cancel_all. Each maps onto the REST handlers, so checks and errors are shared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from lotusx.sim import wsorders
from lotusx.sim.dialects.kraken import rest_spot_trade as trade
from lotusx.sim.dialects.kraken.errors import SpotError, invalid
from lotusx.sim.dialects.kraken.http_spot import Ctx
from lotusx.sim.dialects.kraken.params import Params, plain

if TYPE_CHECKING:
    from lotusx.sim.dialects.kraken.ws_spot import Conn, SpotStreams

METHODS = frozenset({"add_order", "batch_add", "amend_order", "cancel_order", "cancel_all"})
PLACES = frozenset({"add_order", "batch_add"})
SERVER = "spot_ws_auth"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return plain(value)


def _expiry(raw: Any) -> str | None:
    """`expire_time`: RFC 3339, or `+<seconds>` relative, as AddOrder's `expiretm`."""
    if raw is None:
        return None
    text = str(raw)
    if text.startswith("+"):
        return text
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("expire_time") from None
    return str(int(moment.timestamp()))


def rest_order(p: dict[str, Any]) -> dict[str, Any]:
    """WebSocket order fields as AddOrder arguments."""
    flags = []
    if p.get("post_only"):
        flags.append("post")
    fee = p.get("fee_preference")
    if fee is not None:
        if fee not in ("base", "quote"):
            raise invalid("fee_preference")
        flags.append("fcib" if fee == "base" else "fciq")
    values = {
        "type": _text(p.get("side")),
        "ordertype": _text(p.get("order_type")),
        "volume": _text(p.get("order_qty")),
        "price": _text(p.get("limit_price")),
        "timeinforce": (_text(p.get("time_in_force")) or "gtc").upper(),
        "expiretm": _expiry(p.get("expire_time")),
        "cl_ord_id": _text(p.get("cl_ord_id")),
        "userref": _text(p.get("order_userref")),
        "oflags": ",".join(flags) or None,
        "validate": _text(p.get("validate")),
    }
    return {k: v for k, v in values.items() if v is not None}


async def _add(ctx: Ctx, p: dict[str, Any]) -> Any:
    ctx.params = Params({"pair": p.get("symbol"), **rest_order(p)}, invalid)
    placed = await trade.add_order(ctx)
    if "txid" not in placed:
        return {"order_id": None}
    out: dict[str, Any] = {"order_id": placed["txid"][0]}
    if p.get("cl_ord_id") is not None:
        out["cl_ord_id"] = p["cl_ord_id"]
    if p.get("order_userref") is not None:
        out["order_userref"] = p["order_userref"]
    return out


async def _batch(ctx: Ctx, p: dict[str, Any]) -> Any:
    orders = p.get("orders")
    if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
        raise invalid("orders")
    values = {"pair": p.get("symbol"), "orders": [rest_order(o) for o in orders]}
    ctx.params = Params({**values, "validate": _text(p.get("validate"))}, invalid)
    done = await trade.add_order_batch(ctx)
    out = []
    for entry, order in zip(done["orders"], orders, strict=True):
        if "error" in entry:
            out.append({"error": entry["error"]})
            continue
        row = {"order_id": entry.get("txid", [None])[0]}
        if order.get("cl_ord_id") is not None:
            row["cl_ord_id"] = order["cl_ord_id"]
        out.append(row)
    return out


async def _amend(ctx: Ctx, p: dict[str, Any]) -> Any:
    values = {
        "txid": _text(p.get("order_id")),
        "cl_ord_id": _text(p.get("cl_ord_id")),
        "order_qty": _text(p.get("order_qty")),
        "limit_price": _text(p.get("limit_price")),
        "post_only": _text(p.get("post_only")),
    }
    ctx.params = Params({k: v for k, v in values.items() if v is not None}, invalid)
    amended = await trade.amend_order(ctx)
    out = {"amend_id": amended["amend_id"]}
    return out | {k: p[k] for k in ("order_id", "cl_ord_id") if p.get(k) is not None}


async def _cancel_all(ctx: Ctx, p: dict[str, Any]) -> Any:
    return await trade.cancel_all(ctx)


Method = Callable[[Ctx, dict[str, Any]], Awaitable[Any]]
SINGLE: dict[str, Method] = {
    "add_order": _add,
    "batch_add": _batch,
    "amend_order": _amend,
    "cancel_all": _cancel_all,
}


async def handle(hub: SpotStreams, conn: Conn, req: dict[str, Any], t_in: int) -> None:
    """Run one trading request and send its response(s); logged as one `WS` request."""
    method = str(req["method"])
    reply = await _run(hub, conn, req, t_in)
    if reply is None:  # cancel_order replied per identifier
        return
    ok = bool(reply["success"])
    if ok and method in PLACES and (mode := wsorders.lost_reply_mode(hub.core)) is not None:
        wsorders.log(hub.core, method, wsorders.LOST, t_in, SERVER)
        wsorders.lose(conn, mode)
        return
    hub.reply(conn, req, t_in, **reply)
    wsorders.log(hub.core, method, 200 if ok else 400, t_in, SERVER)


async def _run(
    hub: SpotStreams, conn: Conn, req: dict[str, Any], t_in: int
) -> dict[str, Any] | None:
    """The response fields of one request (None: cancel_order, which sends its own)."""
    method = str(req["method"])
    params = req.get("params")
    if not isinstance(params, dict):
        return {"error": "EGeneral:Invalid arguments", "success": False}
    if not conn.private_ok:
        return {"error": "EGeneral:Permission denied", "success": False}
    key = hub.tokens.check(str(params.get("token", "")), t_in)
    if key is None:
        return {"error": "EAPI:Invalid token", "success": False}
    ctx = Ctx(hub.core, hub.ids, hub.pairs, Params({}, invalid), key, hub.limits, t_in)
    if method == "cancel_order":
        ok = await _cancel(hub, conn, req, ctx, params, t_in)
        wsorders.log(hub.core, method, 200 if ok else 400, t_in, SERVER)
        return None
    try:
        result = await SINGLE[method](ctx, params)
    except SpotError as err:
        return {"error": err.error, "success": False}
    return {"result": result, "success": True}


async def _cancel(
    hub: SpotStreams, conn: Conn, req: dict[str, Any], ctx: Ctx, p: dict[str, Any], t_in: int
) -> bool:
    """`order_id`, `cl_ord_id` or `order_userref` lists; one response per identifier."""
    targets = [("txid", v) for v in p.get("order_id") or []]
    targets += [("cl_ord_id", v) for v in p.get("cl_ord_id") or []]
    targets += [("txid", str(v)) for v in p.get("order_userref") or []]
    if not targets:
        hub.reply(conn, req, t_in, error="EGeneral:Invalid arguments", success=False)
        return False
    ok = True
    for name, value in targets:
        ctx.params = Params({name: str(value)}, invalid)
        try:
            await trade.cancel_order(ctx)
        except SpotError as err:
            hub.reply(conn, req, t_in, error=err.error, success=False)
            ok = False
            continue
        field = "cl_ord_id" if name == "cl_ord_id" else "order_id"
        hub.reply(conn, req, t_in, result={field: value}, success=True)
    return ok

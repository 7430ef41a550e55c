"""Spot REST shapes: numbers as strings, order and trade records, order descriptions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.markets import Pair
from lotusx.sim.model import Fill, Order, OrderStatus, OrderType, Side, TimeInForce

VOL = Decimal("0.00000001")
COST = Decimal("0.00001")


def px(pair: Pair, value: Decimal) -> str:
    return f"{value.quantize(pair.spec.tick):f}"


def vol(value: Decimal) -> str:
    return f"{value.quantize(VOL):f}"


def cost(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.00001')):f}"


def seconds(ms: int) -> float:
    return ms / 1000


def side_name(side: Side) -> str:
    return "buy" if side is Side.BUY else "sell"


def describe(pair: Pair, side: Side, kind: OrderType, qty: Decimal, price: Decimal | None) -> str:
    text = f"{side_name(side)} {vol(qty)} {pair.altname} @ "
    if kind is OrderType.MARKET:
        return text + "market"
    assert price is not None
    return text + f"limit {px(pair, price)}"


def status(order: Order) -> str:
    if order.status.is_open:
        return "open"
    if order.status is OrderStatus.FILLED:
        return "closed"
    if order.status is OrderStatus.EXPIRED and order.executed_qty >= order.orig_qty:
        return "closed"
    return "expired" if order.tags.get("gtd") == "expired" else "canceled"


def reason(order: Order) -> str | None:
    if order.status.is_open or order.status is OrderStatus.FILLED:
        return None
    if order.tags.get("post_only_canceled"):
        return "Post only order"
    if order.tags.get("gtd") == "expired":
        return None
    if order.status is OrderStatus.EXPIRED:
        return "Insufficient liquidity" if order.type is OrderType.MARKET else "IOC"
    return "User requested"


def order_json(pair: Pair, order: Order, ids: Ids, fills: list[Fill] | None) -> dict[str, Any]:
    flags = []
    if order.post_only:
        flags.append("post")
    flags.append("fcib" if order.tags.get("fee") == "base" else "fciq")
    fee = sum((f.fee for f in fills or []), Decimal(0))
    body: dict[str, Any] = {
        "refid": None,
        "userref": int(order.tags.get("userref", "0")),
        "status": status(order),
        "opentm": seconds(order.created_ms),
        "starttm": 0,
        "expiretm": int(order.tags.get("expiretm", "0")),
        "descr": {
            "pair": pair.altname,
            "type": side_name(order.side),
            "ordertype": "market" if order.type is OrderType.MARKET else "limit",
            "price": px(pair, order.price) if order.price is not None else "0",
            "price2": "0",
            "leverage": "none",
            "order": describe(pair, order.side, order.type, order.orig_qty, order.price),
            "close": "",
        },
        "vol": vol(order.orig_qty),
        "vol_exec": vol(order.executed_qty),
        "cost": cost(order.cum_quote),
        "fee": cost(fee),
        "price": px(pair, order.avg_price) if order.executed_qty else "0",
        "stopprice": "0",
        "limitprice": "0",
        "misc": "",
        "oflags": ",".join(flags),
        "timeinforce": tif_name(order),
    }
    if not order.client_id.startswith("sim-"):
        body["cl_ord_id"] = order.client_id
    if not order.status.is_open:
        body["closetm"] = seconds(order.updated_ms)
        body["reason"] = reason(order)
    if fills:
        body["trades"] = [Ids.spot_trade(f.symbol, f.trade_id, f.order_id) for f in fills]
    return body


def tif_name(order: Order) -> str:
    if order.tags.get("expiretm"):
        return "GTD"
    return {TimeInForce.IOC: "IOC", TimeInForce.FOK: "FOK"}.get(order.tif, "GTC")


def trade_json(pair: Pair, fill: Fill, ids: Ids, kind: OrderType | None = None) -> dict[str, Any]:
    market = kind is OrderType.MARKET if kind is not None else not fill.is_maker
    return {
        "ordertxid": ids.spot_order(fill.order_id),
        "postxid": Ids.spot_trade(fill.symbol, fill.trade_id, 0),
        "pair": pair.key,
        "time": seconds(fill.time_ms),
        "type": side_name(fill.side),
        "ordertype": "market" if market else "limit",
        "price": px(pair, fill.price),
        "cost": cost(fill.quote_qty),
        "fee": cost(fill.fee),
        "vol": vol(fill.qty),
        "margin": "0.00000",
        "leverage": "0",
        "misc": "",
        "trade_id": fill.trade_id,
        "maker": fill.is_maker,
    }

"""Kraken Futures shapes: orders, open orders, fills, positions, the flex account."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.kraken.http_futures import iso
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.markets import CODE, FUTURES
from lotusx.sim.ledger import Position
from lotusx.sim.margin import available, maintenance, unrealized
from lotusx.sim.model import Fill, Order, OrderType, Side, TimeInForce


def num(value: Decimal) -> Decimal:
    """A JSON number without trailing zeros."""
    return value.normalize() if value != value.to_integral() else value.quantize(Decimal(1))


def order_type(order: Order) -> str:
    if order.type is OrderType.MARKET:
        return "mkt"
    if order.post_only:
        return "post"
    return "ioc" if order.tif is TimeInForce.IOC else "lmt"


def side(s: Side) -> str:
    return "buy" if s is Side.BUY else "sell"


def cli_ord_id(order: Order) -> str | None:
    return None if order.client_id.startswith("sim-") else order.client_id


def order_json(ids: Ids, order: Order) -> dict[str, Any]:
    return {
        "orderId": ids.futures_order(order.order_id),
        "cliOrdId": cli_ord_id(order),
        "type": order_type(order),
        "symbol": order.symbol,
        "side": side(order.side),
        "quantity": num(order.orig_qty),
        "filled": num(order.executed_qty),
        "limitPrice": num(order.price) if order.price is not None else None,
        "reduceOnly": order.reduce_only,
        "timestamp": iso(order.created_ms),
        "lastUpdateTimestamp": iso(order.updated_ms),
    }


def open_order_json(ids: Ids, order: Order) -> dict[str, Any]:
    return {
        "order_id": ids.futures_order(order.order_id),
        "cliOrdId": cli_ord_id(order),
        "symbol": order.symbol,
        "side": side(order.side),
        "orderType": order_type(order) if order.type is OrderType.LIMIT else "mkt",
        "limitPrice": num(order.price) if order.price is not None else None,
        "unfilledSize": num(order.remaining),
        "filledSize": num(order.executed_qty),
        "receivedTime": iso(order.created_ms),
        "lastUpdateTime": iso(order.updated_ms),
        "status": "partiallyFilled" if order.executed_qty else "untouched",
        "reduceOnly": order.reduce_only,
    }


def fill_json(ids: Ids, fill: Fill) -> dict[str, Any]:
    return {
        "fill_id": Ids.futures_fill(fill.symbol, fill.trade_id, fill.order_id),
        "symbol": fill.symbol,
        "side": side(fill.side),
        "order_id": ids.futures_order(fill.order_id),
        "cliOrdId": None if fill.client_id.startswith("sim-") else fill.client_id,
        "size": num(fill.qty),
        "price": num(fill.price),
        "fillTime": iso(fill.time_ms),
        "fillType": "maker" if fill.is_maker else "taker",
    }


def position_json(core: VenueCore, pos: Position) -> dict[str, Any]:
    return {
        "side": "long" if pos.qty > 0 else "short",
        "symbol": pos.symbol,
        "price": num(pos.entry_price),
        "fillTime": iso(pos.updated_ms),
        "size": num(abs(pos.qty)),
        "unrealizedFunding": 0,
        "pnlCurrency": "USD",
        "maxFixedLeverage": core.ledger.get_leverage(pos.account, pos.symbol),
    }


def flex_account(core: VenueCore, account: str) -> dict[str, Any]:
    """The multi-collateral (flex) account, every amount in USD."""
    led = core.ledger
    specs = core.specs[FUTURES]
    marks = core.marks()
    usd = led.balance(account, FUTURES, "USD")
    positions = [p for p in led.positions.values() if p.account == account and p.qty]
    upnl = sum((unrealized(p, marks[p.symbol]) for p in positions), Decimal(0))
    im = sum(
        (abs(p.qty) * marks[p.symbol] / led.get_leverage(account, p.symbol) for p in positions),
        Decimal(0),
    )
    mm = sum((maintenance(p, marks[p.symbol], specs[p.symbol])[0] for p in positions), Decimal(0))
    orders_im = usd.locked
    currencies: dict[str, Any] = {}
    collateral = Decimal(0)
    for asset, bal in sorted(led.wallet(account, FUTURES).items()):
        if not bal.total:
            continue
        value = bal.total if asset == "USD" else bal.total * core.fair[asset]()
        collateral += value
        currencies[CODE.get(asset, asset)] = {
            "quantity": num(bal.total),
            "value": num(value.quantize(Decimal("0.01"))),
            "collateral": num(value.quantize(Decimal("0.01"))),
            "available": num(bal.free),
        }
    avail = available(led, account, "USD", specs, marks)
    q = Decimal("0.01")
    return {
        "type": "multiCollateralMarginAccount",
        "currencies": currencies,
        "initialMargin": num(im.quantize(q)),
        "initialMarginWithOrders": num((im + orders_im).quantize(q)),
        "maintenanceMargin": num(mm.quantize(q)),
        "balanceValue": num(collateral.quantize(q)),
        "portfolioValue": num((collateral + upnl).quantize(q)),
        "collateralValue": num(collateral.quantize(q)),
        "pnl": num(upnl.quantize(q)),
        "unrealizedFunding": 0,
        "totalUnrealized": num(upnl.quantize(q)),
        "totalUnrealizedAsMargin": num(upnl.quantize(q)),
        "availableMargin": num(avail.quantize(q)),
        "marginEquity": num((collateral + upnl).quantize(q)),
    }

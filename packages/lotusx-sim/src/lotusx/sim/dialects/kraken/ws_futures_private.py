"""Kraken Futures WebSocket v1 private feeds: open_orders, fills, balances, open_positions."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.markets import FUTURES
from lotusx.sim.dialects.kraken.render_futures import flex_account, num
from lotusx.sim.margin import maintenance, unrealized
from lotusx.sim.model import (
    AccountEvent,
    BalanceEvent,
    Event,
    ExecType,
    Fill,
    Order,
    OrderEvent,
    OrderStatus,
    OrderType,
    Side,
)

if TYPE_CHECKING:
    from lotusx.sim.dialects.kraken.ws_futures import Conn, FuturesStreams


def _account(hub: FuturesStreams, conn: Conn) -> str:
    assert conn.account is not None
    return str(hub.core.ledger.accounts[conn.account].uid)


def order_json(ids: Ids, order: Order) -> dict[str, Any]:
    body: dict[str, Any] = {
        "instrument": order.symbol,
        "time": order.created_ms,
        "last_update_time": order.updated_ms,
        "qty": num(order.orig_qty),
        "filled": num(order.executed_qty),
        "limit_price": num(order.price) if order.price is not None else 0,
        "stop_price": 0,
        "type": "limit" if order.type is OrderType.LIMIT else "market",
        "order_id": ids.futures_order(order.order_id),
        "direction": 0 if order.side is Side.BUY else 1,
        "reduce_only": order.reduce_only,
    }
    if not order.client_id.startswith("sim-"):
        body["cli_ord_id"] = order.client_id
    return body


def fill_json(hub: FuturesStreams, fill: Fill, order: Order | None) -> dict[str, Any]:
    return {
        "instrument": fill.symbol,
        "time": fill.time_ms,
        "price": num(fill.price),
        "seq": fill.trade_id,
        "buy": fill.side is Side.BUY,
        "qty": num(fill.qty),
        "remaining_order_qty": num(order.remaining) if order is not None else 0,
        "order_id": hub.ids.futures_order(fill.order_id),
        "cli_ord_id": None if fill.client_id.startswith("sim-") else fill.client_id,
        "fill_id": Ids.futures_fill(fill.symbol, fill.trade_id, fill.order_id),
        "fill_type": "maker" if fill.is_maker else "taker",
        "fee_paid": num(fill.fee),
        "fee_currency": fill.fee_asset,
        "taker_order_type": "mkt"
        if order is not None and order.type is OrderType.MARKET
        else "lmt",
        "order_type": "lmt" if order is None or order.type is OrderType.LIMIT else "mkt",
    }


def _positions(hub: FuturesStreams, conn: Conn) -> dict[str, Any]:
    core = hub.core
    assert conn.account is not None
    rows = []
    for (acct, sym), pos in sorted(core.ledger.positions.items()):
        if acct != conn.account or not pos.qty:
            continue
        mark = core.mark_price(sym)
        lev = core.ledger.get_leverage(acct, sym)
        im = abs(pos.qty) * mark / lev
        pnl = unrealized(pos, mark)
        rows.append(
            {
                "instrument": sym,
                "balance": num(pos.qty),
                "pnl": num(pnl.quantize(Decimal("0.0001"))),
                "entry_price": num(pos.entry_price),
                "mark_price": num(mark),
                "index_price": num(core.index_price(sym)),
                "liquidation_threshold": 0,
                "effective_leverage": lev,
                "return_on_equity": num((pnl / im * 100).quantize(Decimal("0.01"))) if im else 0,
                "initial_margin": num(im.quantize(Decimal("0.0001"))),
                "initial_margin_with_orders": num(im.quantize(Decimal("0.0001"))),
                "maintenance_margin": num(
                    maintenance(pos, mark, core.specs[FUTURES][sym])[0].quantize(Decimal("0.0001"))
                ),
                "pnl_currency": "USD",
            }
        )
    return {
        "feed": "open_positions",
        "account": _account(hub, conn),
        "positions": rows,
        "seq": hub.core.now_ms(),
        "timestamp": hub.core.now_ms(),
    }


def _balances(hub: FuturesStreams, conn: Conn, feed: str) -> dict[str, Any]:
    assert conn.account is not None
    flex = flex_account(hub.core, conn.account)
    currencies = {
        asset: {
            "quantity": row["quantity"],
            "value": row["value"],
            "collateral_value": row["collateral"],
            "available": row["available"],
            "haircut": 0,
            "conversion_spread": 0,
        }
        for asset, row in flex["currencies"].items()
    }
    return {
        "feed": feed,
        "account": _account(hub, conn),
        "holding": {},
        "futures": {},
        "time": hub.core.now_ms(),
        "flex_futures": {
            "currencies": currencies,
            "balance_value": flex["balanceValue"],
            "portfolio_value": flex["portfolioValue"],
            "collateral_value": flex["collateralValue"],
            "initial_margin": flex["initialMarginWithOrders"],
            "initial_margin_without_orders": flex["initialMargin"],
            "maintenance_margin": flex["maintenanceMargin"],
            "pnl": flex["pnl"],
            "unrealized_funding": 0,
            "total_unrealized": flex["totalUnrealized"],
            "total_unrealized_as_margin": flex["totalUnrealizedAsMargin"],
            "margin_equity": flex["marginEquity"],
            "available_margin": flex["availableMargin"],
        },
        "seq": hub.core.now_ms(),
    }


def snapshot(hub: FuturesStreams, conn: Conn, feed: str) -> None:
    core = hub.core
    assert conn.account is not None
    engine = core.engines[FUTURES]
    account = _account(hub, conn)
    if feed == "open_orders":
        orders = [order_json(hub.ids, o) for o in engine.open_orders(conn.account)]
        conn.send({"feed": "open_orders_snapshot", "account": account, "orders": orders})
    elif feed == "fills":
        fills = sorted(
            (f for s in engine.specs for f in engine.account_fills(conn.account, s)),
            key=lambda f: f.time_ms,
            reverse=True,
        )[:100]
        rows = [fill_json(hub, f, engine.orders.get(f.order_id)) for f in fills]
        conn.send({"feed": "fills_snapshot", "account": account, "fills": rows})
    elif feed == "balances":
        conn.send(_balances(hub, conn, "balances_snapshot"))
    elif feed == "open_positions":
        conn.send(_positions(hub, conn))


REASONS = {
    ExecType.NEW: "new_placed_order_by_user",
    ExecType.AMENDMENT: "edited_by_user",
    ExecType.CANCELED: "cancelled_by_user",
}


def _order_update(hub: FuturesStreams, ev: OrderEvent) -> dict[str, Any] | None:
    order = ev.order
    wire = hub.ids.futures_order(order.order_id)
    cid = None if order.client_id.startswith("sim-") else order.client_id
    if ev.exec_type is ExecType.TRADE:
        if order.status is OrderStatus.FILLED:
            return {
                "feed": "open_orders",
                "order_id": wire,
                "cli_ord_id": cid,
                "is_cancel": True,
                "reason": "full_fill",
            }
        return {
            "feed": "open_orders",
            "order": order_json(hub.ids, order),
            "is_cancel": False,
            "reason": "partial_fill",
        }
    if ev.exec_type is ExecType.NEW:
        if not order.status.is_open:
            return None
        return {
            "feed": "open_orders",
            "order": order_json(hub.ids, order),
            "is_cancel": False,
            "reason": REASONS[ev.exec_type],
        }
    if ev.exec_type is ExecType.AMENDMENT:
        return {
            "feed": "open_orders",
            "order": order_json(hub.ids, order),
            "is_cancel": False,
            "reason": "edited_by_user",
        }
    if ev.exec_type in (ExecType.CANCELED, ExecType.EXPIRED):
        if order.executed_qty >= order.orig_qty:
            return None
        if ev.exec_type is ExecType.EXPIRED:
            why = (
                "market_inactive"
                if order.type is OrderType.MARKET
                else "ioc_order_failed_because_it_would_not_be_executed"
            )
        else:
            why = (
                "post_order_failed_because_it_would_filled"
                if order.tags.get("post_only_canceled")
                else "cancelled_by_user"
            )
        return {
            "feed": "open_orders",
            "order_id": wire,
            "cli_ord_id": cid,
            "is_cancel": True,
            "reason": why,
        }
    return None


def on_event(hub: FuturesStreams, ev: Event) -> None:
    if isinstance(ev, OrderEvent) and ev.order.market == FUTURES:
        conns = [c for c in hub.conns if c.account == ev.order.account]
        update = _order_update(hub, ev)
        for conn in conns:
            if update is not None and "open_orders" in conn.feeds:
                conn.send(update)
            if ev.fill is not None and "fills" in conn.feeds:
                row = fill_json(hub, ev.fill, ev.order)
                conn.send({"feed": "fills", "username": _account(hub, conn), "fills": [row]})
    elif isinstance(ev, AccountEvent | BalanceEvent) and ev.wallet == FUTURES:
        for conn in hub.conns:
            if conn.account != ev.account:
                continue
            if "balances" in conn.feeds:
                conn.send(_balances(hub, conn, "balances"))
            symbols = ev.symbols if isinstance(ev, AccountEvent) else ()
            if "open_positions" in conn.feeds and (symbols or ev.reason == "FUNDING_FEE"):
                conn.send(_positions(hub, conn))

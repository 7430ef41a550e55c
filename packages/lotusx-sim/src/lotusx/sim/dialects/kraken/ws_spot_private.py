"""Spot WebSocket v2 private channels: `executions` (order lifecycle and fills) and `balances`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.kraken import books as bk
from lotusx.sim.dialects.kraken.ids import Ids, txid
from lotusx.sim.dialects.kraken.markets import SPOT, WS_ASSET
from lotusx.sim.dialects.kraken.render import reason, tif_name
from lotusx.sim.dialects.kraken.wsbase import iso_us
from lotusx.sim.model import (
    AccountEvent,
    BalanceEvent,
    Event,
    ExecType,
    Order,
    OrderEvent,
    OrderStatus,
    OrderType,
    Side,
)

if TYPE_CHECKING:
    from lotusx.sim.dialects.kraken.ws_spot import Conn, SpotStreams

STATUS = {
    OrderStatus.NEW: "new",
    OrderStatus.PARTIALLY_FILLED: "partially_filled",
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "canceled",
    OrderStatus.EXPIRED: "expired",
    OrderStatus.REJECTED: "canceled",
}
LEDGER_TYPE = {"WALLET_TRANSFER": "transfer", "DEPOSIT": "deposit", "WITHDRAW": "withdrawal"}


def _status(order: Order) -> str:
    if order.status is OrderStatus.EXPIRED and order.tags.get("gtd") != "expired":
        return "filled" if order.executed_qty >= order.orig_qty else "canceled"
    if order.tags.get("gtd") == "expired":
        return "expired"
    return STATUS[order.status]


def order_fields(core: VenueCore, ids: Ids, order: Order) -> dict[str, Any]:
    spec = core.specs[SPOT][order.symbol]
    body: dict[str, Any] = {
        "order_id": ids.spot_order(order.order_id),
        "symbol": f"{WS_ASSET[spec.base]}/{spec.quote}",
        "side": "buy" if order.side is Side.BUY else "sell",
        "order_type": "market" if order.type is OrderType.MARKET else "limit",
        "order_qty": order.orig_qty.quantize(bk.QTY),
        "time_in_force": tif_name(order),
        "post_only": order.post_only,
        "order_userref": int(order.tags.get("userref", "0")),
        "order_status": _status(order),
        "timestamp": iso_us(order.updated_ms),
        "cum_qty": order.executed_qty.quantize(bk.QTY),
        "cum_cost": order.cum_quote.quantize(Decimal("0.00001")),
        "avg_price": order.avg_price.quantize(spec.tick),
    }
    if order.price is not None:
        body["limit_price"] = order.price.quantize(spec.tick)
    if not order.client_id.startswith("sim-"):
        body["cl_ord_id"] = order.client_id
    return body


def executions_snapshot(core: VenueCore, ids: Ids, conn: Conn, opts: dict[str, Any]) -> None:
    if not opts.get("snap_orders", True):
        return
    assert conn.account is not None
    rows = [
        order_fields(core, ids, o) | {"exec_type": "new"}
        for o in core.engines[SPOT].open_orders(conn.account)
    ]
    if opts.get("snap_trades", False):
        engine = core.engines[SPOT]
        fills = sorted(
            (f for s in engine.specs for f in engine.account_fills(conn.account, s)),
            key=lambda f: f.time_ms,
        )
        for f in fills[-50:]:
            order = engine.orders.get(f.order_id)
            if order is not None:
                rows.append(
                    order_fields(core, ids, order) | _fill_fields(core, f) | {"exec_type": "trade"}
                )
    conn.send(
        {
            "channel": "executions",
            "type": "snapshot",
            "data": rows,
            "sequence": conn.next_seq("executions"),
        }
    )


def _fill_fields(core: VenueCore, fill: Any) -> dict[str, Any]:
    spec = core.specs[SPOT][fill.symbol]
    return {
        "exec_id": Ids.spot_trade(fill.symbol, fill.trade_id, fill.order_id),  # the trade txid
        "trade_id": fill.trade_id,
        "last_qty": fill.qty.quantize(bk.QTY),
        "last_price": fill.price.quantize(spec.tick),
        "cost": fill.quote_qty.quantize(Decimal("0.00001")),
        "liquidity_ind": "m" if fill.is_maker else "t",
        "fees": [{"asset": WS_ASSET[fill.fee_asset], "qty": fill.fee}],
        "fee_usd_equiv": fill.fee,
    }


def _execution(core: VenueCore, ids: Ids, ev: OrderEvent) -> list[dict[str, Any]]:
    order = ev.order
    full = order_fields(core, ids, order)
    if ev.exec_type is ExecType.NEW:
        return [
            full | {"exec_type": "pending_new", "order_status": "pending_new"},
            {
                "order_id": full["order_id"],
                "exec_type": "new",
                "order_status": "new",
                "timestamp": full["timestamp"],
                **({"cl_ord_id": full["cl_ord_id"]} if "cl_ord_id" in full else {}),
            },
        ]
    if ev.exec_type is ExecType.TRADE and ev.fill is not None:
        rows = [full | _fill_fields(core, ev.fill) | {"exec_type": "trade"}]
        if order.status is OrderStatus.FILLED:  # completion comes as its own `filled` update
            rows.append(
                {
                    "order_id": full["order_id"],
                    "exec_type": "filled",
                    "order_status": "filled",
                    "cum_qty": full["cum_qty"],
                    "cum_cost": full["cum_cost"],
                    "avg_price": full["avg_price"],
                    "timestamp": full["timestamp"],
                }
            )
        return rows
    if ev.exec_type is ExecType.AMENDMENT:
        return [full | {"exec_type": "amended", "reason": "User requested"}]
    if ev.exec_type in (ExecType.CANCELED, ExecType.EXPIRED):
        status = _status(order)
        if status == "filled":
            return []
        kind = "expired" if status == "expired" else "canceled"
        return [
            full
            | {"exec_type": kind, "order_status": kind, "reason": reason(order) or "User requested"}
        ]
    return []


def balances_snapshot(core: VenueCore, conn: Conn, opts: dict[str, Any]) -> None:
    assert conn.account is not None
    wallet = core.ledger.wallet(conn.account, SPOT)
    rows = []
    for asset, bal in sorted(wallet.items()):
        conn.balances[asset] = bal.total
        if asset not in WS_ASSET:
            continue
        rows.append(
            {
                "asset": WS_ASSET[asset],
                "asset_class": "currency",
                "balance": bal.total,
                "wallets": [{"type": "spot", "id": "main", "balance": bal.total}],
            }
        )
    if opts.get("snapshot", True):
        conn.send(
            {
                "channel": "balances",
                "type": "snapshot",
                "data": rows,
                "sequence": conn.next_seq("balances"),
            }
        )


def _balance_update(core: VenueCore, conn: Conn, asset: str, kind: str, ref: str) -> None:
    assert conn.account is not None
    total = core.ledger.balance(conn.account, SPOT, asset).total
    delta = total - conn.balances.get(asset, Decimal(0))
    conn.balances[asset] = total
    if not delta or asset not in WS_ASSET:
        return
    now = core.now_ms()
    row = {
        "ledger_id": txid("L", f"ledger:{conn.conn_id}:{conn.next_seq('ledger')}"),
        "ref_id": ref,
        "timestamp": iso_us(now),
        "type": kind,
        "asset": WS_ASSET[asset],
        "asset_class": "currency",
        "category": kind,
        "wallet_type": "spot",
        "wallet_id": "main",
        "amount": delta,
        "fee": Decimal(0),
        "balance": total,
    }
    conn.send(
        {
            "channel": "balances",
            "type": "update",
            "data": [row],
            "sequence": conn.next_seq("balances"),
        }
    )


def on_event(hub: SpotStreams, ev: Event) -> None:
    core = hub.core
    if isinstance(ev, OrderEvent) and ev.order.market == SPOT:
        targets = [
            c for c in hub.conns if c.account == ev.order.account and ("executions", "") in c.subs
        ]
        if not targets:
            return
        rows = _execution(core, hub.ids, ev)
        for conn in targets:
            every = conn.subs[("executions", "")].get("order_status", True)
            for row in rows:
                if not every and row["exec_type"] in ("pending_new", "amended"):
                    continue
                conn.send(
                    {
                        "channel": "executions",
                        "type": "update",
                        "data": [row],
                        "sequence": conn.next_seq("executions"),
                    }
                )
    elif isinstance(ev, AccountEvent | BalanceEvent) and ev.wallet == SPOT:
        assets = ev.assets if isinstance(ev, AccountEvent) else (ev.asset,)
        kind = "trade" if isinstance(ev, AccountEvent) else LEDGER_TYPE.get(ev.reason, "adjustment")
        for conn in hub.conns:
            if conn.account == ev.account and ("balances", "") in conn.subs:
                for asset in assets:
                    _balance_update(core, conn, asset, kind, ev.reason)

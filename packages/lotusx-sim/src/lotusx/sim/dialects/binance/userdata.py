"""User-data-stream payloads: spot executionReport/outboundAccountPosition/balanceUpdate and
USDⓈ-M ORDER_TRADE_UPDATE/ACCOUNT_UPDATE/ACCOUNT_CONFIG_UPDATE."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.binance.render import f8, fp, futures_tif, spot_type
from lotusx.sim.ledger import Position
from lotusx.sim.margin import FUTURES, unrealized
from lotusx.sim.model import (
    ZERO,
    AccountEvent,
    BalanceEvent,
    ExecType,
    OrderEvent,
    OrderType,
    Side,
)


def execution_report(ev: OrderEvent, now: int) -> dict[str, Any]:
    o, fill = ev.order, ev.fill
    cancel_cid = o.tags.get("cancel_cid") if ev.exec_type is ExecType.CANCELED else None
    return {
        "e": "executionReport",
        "E": now,
        "s": o.symbol,
        "c": cancel_cid or o.client_id,
        "S": o.side.value,
        "o": spot_type(o),
        "f": o.tif.value,
        "q": f8(o.orig_qty),
        "p": f8(o.price or ZERO),
        "P": f8(ZERO),
        "F": f8(ZERO),
        "g": -1,
        "C": o.client_id if cancel_cid else "",
        "x": ev.exec_type.value,
        "X": o.status.value,
        "r": "NONE",
        "i": o.order_id,
        "l": f8(fill.qty if fill else ZERO),
        "z": f8(o.executed_qty),
        "L": f8(fill.price if fill else ZERO),
        "n": f8(fill.fee) if fill else "0",
        "N": fill.fee_asset if fill else None,
        "T": ev.time_ms,
        "t": fill.trade_id if fill else -1,
        "I": o.order_id * 2 + 1,
        "w": o.status.is_open and o.type is OrderType.LIMIT,
        "m": bool(fill and fill.is_maker),
        "M": False,
        "O": o.created_ms,
        "Z": f8(o.cum_quote),
        "Y": f8(fill.quote_qty if fill else ZERO),
        "Q": f8(o.quote_qty or ZERO),
        "W": o.working_ms,
        "V": "NONE",
    }


def account_position(core: VenueCore, ev: AccountEvent, now: int) -> dict[str, Any]:
    led = core.ledger
    return {
        "e": "outboundAccountPosition",
        "E": now,
        "u": ev.time_ms,
        "B": [
            {
                "a": a,
                "f": f8(led.balance(ev.account, "spot", a).free),
                "l": f8(led.balance(ev.account, "spot", a).locked),
            }
            for a in ev.assets
        ],
    }


def balance_update(ev: BalanceEvent, now: int) -> dict[str, Any]:
    return {"e": "balanceUpdate", "E": now, "a": ev.asset, "d": f8(ev.delta), "T": ev.time_ms}


def order_trade_update(core: VenueCore, ev: OrderEvent, now: int) -> dict[str, Any]:
    o, fill = ev.order, ev.fill
    spec = core.specs[FUTURES][o.symbol]
    pp, qp = spec.price_decimals, spec.qty_decimals
    bids = asks = ZERO
    for other in core.engines[FUTURES].open_orders(o.account, o.symbol):
        notional = (other.price or ZERO) * other.remaining
        if other.side is Side.BUY:
            bids += notional
        else:
            asks += notional
    body: dict[str, Any] = {
        "s": o.symbol,
        "c": o.client_id,
        "S": o.side.value,
        "o": o.type.value,
        "f": futures_tif(o),
        "q": fp(o.orig_qty, qp),
        "p": fp(o.price or ZERO, pp),
        "ap": fp(o.avg_price, max(pp, 5)),
        "sp": fp(ZERO, pp),
        "x": ev.exec_type.value,
        "X": o.status.value,
        "i": o.order_id,
        "l": fp(fill.qty if fill else ZERO, qp),
        "z": fp(o.executed_qty, qp),
        "L": fp(fill.price if fill else ZERO, pp),
        "T": ev.time_ms,
        "t": fill.trade_id if fill else 0,
        "b": f8(bids),
        "a": f8(asks),
        "m": bool(fill and fill.is_maker),
        "R": o.reduce_only,
        "wt": "CONTRACT_PRICE",
        "ot": o.type.value,
        "ps": "BOTH",
        "cp": False,
        "rp": f8(fill.realized_pnl if fill else ZERO),
        "pP": False,
        "si": 0,
        "ss": 0,
        "V": "NONE",
        "pm": "NONE",
        "gtd": 0,
    }
    if fill is not None:
        body["N"], body["n"] = fill.fee_asset, f8(fill.fee)
    return {"e": "ORDER_TRADE_UPDATE", "E": now, "T": ev.time_ms, "o": body}


def _position_row(core: VenueCore, pos: Position) -> dict[str, Any]:
    spec = core.specs[FUTURES][pos.symbol]
    realized = core.ledger.realized.get((pos.account, pos.symbol), ZERO)
    return {
        "s": pos.symbol,
        "pa": fp(pos.qty, spec.qty_decimals),
        "ep": f8(pos.entry_price),
        "bep": f8(pos.entry_price),
        "cr": f8(realized),
        "up": f8(unrealized(pos, core.mark_price(pos.symbol))),
        "mt": "isolated" if pos.isolated else "cross",
        "iw": f8(pos.isolated_wallet),
        "ps": "BOTH",
    }


def account_update(
    core: VenueCore,
    account: str,
    reason: str,
    assets: tuple[str, ...],
    symbols: tuple[str, ...],
    changes: dict[str, Decimal],
    time_ms: int,
    now: int,
) -> dict[str, Any]:
    led = core.ledger
    rows = []
    for asset in assets:
        bal = led.balance(account, FUTURES, asset)
        cross = bal.free + bal.locked
        iso = sum((p.isolated_wallet for (a, _), p in led.positions.items() if a == account), ZERO)
        rows.append(
            {"a": asset, "wb": f8(cross + iso), "cw": f8(cross), "bc": f8(changes.get(asset, ZERO))}
        )
    positions = [_position_row(core, led.position(account, s)) for s in symbols]
    return {
        "e": "ACCOUNT_UPDATE",
        "E": now,
        "T": time_ms,
        "a": {"m": reason, "B": rows, "P": positions},
    }


def config_update(symbol: str, leverage: int, now: int) -> dict[str, Any]:
    return {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now, "ac": {"s": symbol, "l": leverage}}


def listen_key_expired(key: str, now: int) -> dict[str, Any]:
    return {"e": "listenKeyExpired", "E": str(now), "listenKey": key}


def futures_reason(ev: BalanceEvent) -> str:
    if ev.reason == "FUNDING_FEE":
        return "FUNDING_FEE"
    return "DEPOSIT" if ev.delta > 0 else "WITHDRAW"

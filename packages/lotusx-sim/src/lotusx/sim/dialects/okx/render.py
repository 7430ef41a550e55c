"""JSON shapes of OKX orders, fills, positions and balances (numbers as strings)."""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.okx.markets import Inst
from lotusx.sim.ledger import Position
from lotusx.sim.margin import FUTURES, available, risk
from lotusx.sim.model import ZERO, ExecType, Fill, Order, OrderStatus

Json = dict[str, Any]
STATE = {
    OrderStatus.NEW: "live",
    OrderStatus.PARTIALLY_FILLED: "partially_filled",
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "canceled",
    OrderStatus.EXPIRED: "canceled",
    OrderStatus.REJECTED: "canceled",
}


def fmt(value: Decimal) -> str:
    """A decimal as OKX writes it: plain notation, no trailing zeros."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def fmt_or_empty(value: Decimal) -> str:
    return fmt(value) if value else ""


def bill_id(fill: Fill) -> str:
    return str(fill.order_id * 1_000_000 + fill.trade_id % 1_000_000)


def order_fills(core: VenueCore, order: Order) -> list[Fill]:
    fills = core.engines[order.market].account_fills(order.account, order.symbol)
    return [f for f in fills if f.order_id == order.order_id]


def order_json(core: VenueCore, inst: Inst, o: Order, fill: Fill | None = None) -> Json:
    """The order object of GET order / orders-pending / the `orders` channel."""
    fills = order_fills(core, o)
    last = fill or (fills[-1] if fills else None)
    fee = sum((f.fee for f in fills), ZERO)
    fee_ccy = fills[-1].fee_asset if fills else (inst.spec.quote if inst.swap else "")
    pnl = sum((f.realized_pnl for f in fills), ZERO)
    return {
        "instType": inst.inst_type,
        "instId": inst.inst_id,
        "tgtCcy": o.tags.get("tgtCcy", ""),
        "ccy": "",
        "ordId": str(o.order_id),
        "clOrdId": o.tags.get("clOrdId", ""),
        "tag": o.tags.get("tag", ""),
        "px": fmt(o.price) if o.price is not None else "",
        "pxUsd": "",
        "pxVol": "",
        "pxType": "",
        "sz": o.tags.get("sz") or fmt(inst.to_wire(o.orig_qty)),
        "pnl": fmt(pnl),
        "ordType": o.tags.get("ordType", "limit"),
        "side": o.side.value.lower(),
        "posSide": "net" if inst.swap else "",
        "tdMode": o.tags.get("tdMode", "cash"),
        "accFillSz": fmt(inst.to_wire(o.executed_qty)),
        "fillPx": fmt(last.price) if last else "",
        "tradeId": str(last.trade_id) if last else "",
        "fillSz": fmt(inst.to_wire(last.qty)) if last else "",
        "fillTime": str(last.time_ms) if last else "",
        "avgPx": fmt(o.avg_price) if o.executed_qty else "",
        "state": STATE[o.status],
        "stpId": "",
        "stpMode": o.tags.get("stpMode", "cancel_maker"),
        "lever": str(o.leverage) if inst.swap else "",
        "attachAlgoClOrdId": "",
        "tpTriggerPx": "",
        "tpTriggerPxType": "",
        "tpOrdPx": "",
        "slTriggerPx": "",
        "slTriggerPxType": "",
        "slOrdPx": "",
        "attachAlgoOrds": [],
        "linkedAlgoOrd": {"algoId": ""},
        "feeCcy": fee_ccy,
        "fee": fmt(-fee),
        "rebateCcy": fee_ccy,
        "rebate": "0",
        "source": "",
        "category": "normal",
        "reduceOnly": "true" if o.reduce_only else "false",
        "isTpLimit": "false",
        "cancelSource": o.tags.get("cancelSource", ""),
        "cancelSourceReason": "",
        "quickMgnType": "",
        "algoClOrdId": "",
        "algoId": "",
        "uTime": str(o.updated_ms),
        "cTime": str(o.created_ms),
    }


def order_push(core: VenueCore, inst: Inst, o: Order, ex: ExecType, fill: Fill | None) -> Json:
    """The `orders` channel adds the fill of this update and its fee."""
    out = order_json(core, inst, o, fill)
    out.update(
        {
            "fillSz": fmt(inst.to_wire(fill.qty)) if fill else "0",
            "fillPx": fmt(fill.price) if fill else "",
            "tradeId": str(fill.trade_id) if fill else "",
            "fillTime": str(fill.time_ms) if fill else "",
            "fillFee": fmt(-fill.fee) if fill else "0",
            "fillFeeCcy": fill.fee_asset if fill else "",
            "fillPnl": fmt(fill.realized_pnl) if fill else "0",
            "execType": ("M" if fill.is_maker else "T") if fill else "",
            "fillNotionalUsd": fmt(fill.quote_qty) if fill else "",
            "notionalUsd": fmt((o.price or o.avg_price) * o.orig_qty),
            "amendResult": "0" if ex is ExecType.AMENDMENT else "",
            "amendSource": "",
            "reqId": "",
            "code": "0",
            "msg": "",
        }
    )
    return out


def fill_json(inst: Inst, f: Fill) -> Json:
    return {
        "instType": inst.inst_type,
        "instId": inst.inst_id,
        "tradeId": str(f.trade_id),
        "ordId": str(f.order_id),
        "clOrdId": f.client_id if not f.client_id.startswith("sim-") else "",
        "billId": bill_id(f),
        "subType": "1" if f.side.value == "BUY" else "2",
        "tag": "",
        "fillPx": fmt(f.price),
        "fillSz": fmt(inst.to_wire(f.qty)),
        "fillIdxPx": "",
        "fillPnl": fmt(f.realized_pnl),
        "fillPxVol": "",
        "fillPxUsd": "",
        "fillMarkVol": "",
        "fillFwdPx": "",
        "fillMarkPx": "",
        "side": f.side.value.lower(),
        "posSide": "net" if inst.swap else "",
        "execType": "M" if f.is_maker else "T",
        "feeCcy": f.fee_asset,
        "fee": fmt(-f.fee),
        "ts": str(f.time_ms),
        "fillTime": str(f.time_ms),
    }


def position_json(core: VenueCore, inst: Inst, pos: Position) -> Json:
    specs = core.futures_specs()
    marks = core.marks()
    r = risk(core.ledger, pos, specs, marks)
    lev = core.ledger.get_leverage(pos.account, pos.symbol)
    mark = marks[pos.symbol]
    realized = core.ledger.realized.get((pos.account, pos.symbol), ZERO)
    initial = abs(pos.qty) * pos.entry_price / lev if lev else ZERO
    return {
        "adl": "1",
        "availPos": fmt(inst.to_wire(abs(pos.qty))) if pos.isolated else "",
        "avgPx": fmt(pos.entry_price) if pos.qty else "",
        "cTime": str(pos.updated_ms),
        "ccy": inst.spec.quote,
        "deltaBS": "",
        "deltaPA": "",
        "gammaBS": "",
        "gammaPA": "",
        "imr": "" if pos.isolated else fmt(r.initial_margin),
        "instId": inst.inst_id,
        "instType": "SWAP",
        "interest": "",
        "idxPx": fmt(core.index_price(pos.symbol)),
        "last": fmt(core.engines[inst.spec.market].last_price[pos.symbol]),
        "lever": str(lev),
        "liab": "",
        "liabCcy": "",
        "liqPx": fmt(r.liquidation_price) if pos.qty and r.liquidation_price else "",
        "markPx": fmt(mark),
        "margin": fmt(pos.isolated_wallet) if pos.isolated else "",
        "mgnMode": "isolated" if pos.isolated else "cross",
        "mgnRatio": "",
        "mmr": fmt(r.maint_margin),
        "notionalUsd": fmt(abs(r.notional)),
        "optVal": "",
        "pendingCloseOrdLiabVal": "",
        "pnl": fmt(realized),
        "pos": fmt(inst.to_wire(pos.qty)),
        "posCcy": "",
        "posId": str(zlib.crc32(f"{pos.account}:{pos.symbol}".encode())),
        "posSide": "net",
        "quoteBal": "",
        "baseBal": "",
        "realizedPnl": fmt(realized),
        "thetaBS": "",
        "thetaPA": "",
        "tradeId": "",
        "bizRefId": "",
        "bizRefType": "",
        "uTime": str(pos.updated_ms),
        "upl": fmt(r.unrealized),
        "uplRatio": fmt((r.unrealized / initial).quantize(Decimal("1e-8"))) if initial else "0",
        "vegaBS": "",
        "vegaPA": "",
    }


def balance_detail(core: VenueCore, account: str, ccy: str, now: int) -> Json:
    """One currency of the trading account (`spot` and `futures` are one unified wallet)."""
    led = core.ledger
    bal = led.balance(account, "spot", ccy)
    upl = ZERO
    for pos in led.positions.values():
        if pos.account == account and pos.qty and core.futures_specs()[pos.symbol].quote == ccy:
            upl += pos.qty * (core.mark_price(pos.symbol) - pos.entry_price)
    futures_ccy = any(s.quote == ccy for s in core.futures_specs().values())
    avail_eq = (
        available(led, account, ccy, core.futures_specs(), core.marks())
        if futures_ccy
        else bal.free
    )
    return {
        "ccy": ccy,
        "eq": fmt(bal.total + upl),
        "cashBal": fmt(bal.total),
        "uTime": str(now),
        "isoEq": "0",
        "availEq": fmt(avail_eq),
        "disEq": fmt(bal.total + upl),
        "fixedBal": "0",
        "availBal": fmt(bal.free),
        "frozenBal": fmt(bal.locked),
        "ordFrozen": fmt(bal.locked),
        "liab": "0",
        "upl": fmt(upl),
        "uplLiab": "0",
        "crossLiab": "0",
        "isoLiab": "0",
        "mgnRatio": "",
        "interest": "0",
        "twap": "0",
        "maxLoan": "0",
        "eqUsd": fmt(bal.total + upl),
        "borrowFroz": "0",
        "notionalLever": "0",
        "stgyEq": "0",
        "isoUpl": "0",
        "spotInUseAmt": "",
        "clSpotInUseAmt": "",
        "maxSpotInUse": "",
        "spotIsoBal": "0",
        "smtSyncEq": "0",
        "spotCopyTradingEq": "0",
        "spotBal": "",
        "openAvgPx": "",
        "accAvgPx": "",
        "spotUpl": "",
        "spotUplRatio": "",
        "totalPnl": "",
        "totalPnlRatio": "",
        "imr": "",
        "mmr": "",
        "frpType": "0",
        "rewardBal": "0",
        "colRes": "0",
        "colBorrAutoConversion": "0",
        "collateralEnabled": False,
        "collateralRestrict": False,
        "autoLendStatus": "off",
        "autoLendMtAmt": "0",
    }


def wallet_ccys(core: VenueCore, account: str) -> list[str]:
    held = core.ledger.wallet(account, FUTURES)
    return sorted(a for a, b in held.items() if b.total)

"""JSON shapes of Bybit orders, executions, positions and wallets (numbers as strings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.core import VenueCore
from lotusx.sim.ledger import Position
from lotusx.sim.margin import available, risk
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, Fill, Order, OrderStatus, OrderType

Json = dict[str, Any]


def plain(value: Decimal) -> str:
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def price_scale(spec: MarketSpec) -> int:
    """Decimals of prices on the wire: the tick as listed (0.10 → 2), like `priceScale`."""
    return max(spec.price_decimals, -int(spec.tick.as_tuple().exponent))


def px(spec: MarketSpec, value: Decimal) -> str:
    return f"{value:.{price_scale(spec)}f}"


def qty(spec: MarketSpec, value: Decimal) -> str:
    return f"{value:.{spec.qty_decimals}f}"


def status(o: Order) -> str:
    if o.status is OrderStatus.NEW:
        return "New"
    if o.status is OrderStatus.PARTIALLY_FILLED:
        return "PartiallyFilled"
    if o.status is OrderStatus.FILLED:
        return "Filled"
    if o.status is OrderStatus.REJECTED:
        return "Rejected"
    if o.executed_qty and o.market == "spot":
        return "PartiallyFilledCanceled"
    return "Cancelled"


def order_fills(core: VenueCore, o: Order) -> list[Fill]:
    fills = core.engines[o.market].account_fills(o.account, o.symbol)
    return [f for f in fills if f.order_id == o.order_id]


def order_json(core: VenueCore, o: Order) -> Json:
    spec = core.specs[o.market][o.symbol]
    fee = sum((f.fee for f in order_fills(core, o)), ZERO)
    open_ = o.status.is_open
    reject = "EC_PostOnlyWillTakeLiquidity" if o.tags.get("post_only_canceled") else "EC_NoError"
    cancel = o.tags.get("cancelType", "UNKNOWN")
    if o.tags.get("post_only_canceled"):
        cancel = "UNKNOWN"
    return {
        "orderId": str(o.order_id),
        "orderLinkId": o.tags.get("orderLinkId", ""),
        "blockTradeId": "",
        "symbol": o.symbol,
        "price": px(spec, o.price) if o.price is not None else "0",
        "qty": o.tags.get("qty") or qty(spec, o.orig_qty),
        "side": o.side.value.capitalize(),
        "isLeverage": "0" if o.market == "spot" else "",
        "positionIdx": 0,
        "orderStatus": status(o),
        "createType": "CreateByUser",
        "cancelType": cancel
        if o.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED)
        else "UNKNOWN",
        "rejectReason": reject,
        "avgPrice": px(spec, o.avg_price)
        if o.executed_qty
        else ("" if o.market == "spot" else "0"),
        "leavesQty": qty(spec, o.remaining if open_ else ZERO),
        "leavesValue": plain((o.price or ZERO) * o.remaining if open_ else ZERO),
        "cumExecQty": qty(spec, o.executed_qty),
        "cumExecValue": plain(o.cum_quote),
        "cumExecFee": plain(fee),
        "timeInForce": o.tags.get("timeInForce", o.tif.value),
        "orderType": "Market" if o.type is OrderType.MARKET else "Limit",
        "stopOrderType": "",
        "orderIv": "",
        "marketUnit": o.tags.get("marketUnit", ""),
        "triggerPrice": "0",
        "takeProfit": "0",
        "stopLoss": "0",
        "tpslMode": "",
        "ocoTriggerBy": "",
        "tpLimitPrice": "0",
        "slLimitPrice": "0",
        "tpTriggerBy": "",
        "slTriggerBy": "",
        "triggerDirection": 0,
        "triggerBy": "",
        "lastPriceOnCreated": o.tags.get("lastPrice", ""),
        "basePrice": o.tags.get("lastPrice", ""),
        "reduceOnly": o.reduce_only,
        "closeOnTrigger": False,
        "placeType": "",
        "smpType": "None",
        "smpGroup": 0,
        "smpOrderId": "",
        "createdTime": str(o.created_ms),
        "updatedTime": str(o.updated_ms),
    }


def exec_json(core: VenueCore, f: Fill, o: Order | None) -> Json:
    spec = core.specs[f.market][f.symbol]
    category = f.market
    rates = core.ledger.fee_rates(f.account, f.market, (spec.maker_fee, spec.taker_fee))
    out: Json = {
        "symbol": f.symbol,
        "orderId": str(f.order_id),
        "orderLinkId": o.tags.get("orderLinkId", "") if o else "",
        "side": f.side.value.capitalize(),
        "orderPrice": px(spec, o.price) if o and o.price is not None else "0",
        "orderQty": qty(spec, o.orig_qty) if o else "0",
        "leavesQty": qty(spec, o.remaining if o and o.status.is_open else ZERO),
        "createType": "CreateByUser",
        "orderType": ("Market" if o and o.type is OrderType.MARKET else "Limit"),
        "stopOrderType": "",
        "execFee": plain(f.fee),
        "execId": str(f.trade_id),
        "execPrice": px(spec, f.price),
        "execQty": qty(spec, f.qty),
        "execType": "Trade",
        "execValue": plain(f.quote_qty),
        "execTime": str(f.time_ms),
        "feeCurrency": f.fee_asset if category == "spot" else "",
        "isMaker": f.is_maker,
        "feeRate": plain(rates[0] if f.is_maker else rates[1]),
        "tradeIv": "",
        "markIv": "",
        "markPrice": plain(core.mark_price(f.symbol)) if category == "linear" else "",
        "indexPrice": "",
        "underlyingPrice": "",
        "blockTradeId": "",
        "closedSize": qty(spec, ZERO),
        "seq": f.trade_id,
        "extraFees": "",
    }
    if category == "linear":
        out["execPnl"] = plain(f.realized_pnl)
    return out


def position_json(core: VenueCore, spec: MarketSpec, pos: Position) -> Json:
    marks = core.marks()
    r = risk(core.ledger, pos, core.futures_specs(), marks)
    lev = core.ledger.get_leverage(pos.account, pos.symbol)
    bracket = spec.bracket_for(abs(r.notional))
    realized = core.ledger.realized.get((pos.account, pos.symbol), ZERO)
    side = "Buy" if pos.qty > 0 else "Sell" if pos.qty < 0 else ""
    return {
        "positionIdx": 0,
        "riskId": bracket.bracket,
        "riskLimitValue": plain(bracket.notional_cap),
        "symbol": pos.symbol,
        "side": side,
        "size": qty(spec, abs(pos.qty)),
        "avgPrice": px(spec, pos.entry_price) if pos.qty else "0",
        "positionValue": plain(abs(pos.qty) * pos.entry_price),
        "tradeMode": 1 if pos.isolated else 0,
        "positionStatus": "Normal",
        "autoAddMargin": 0,
        "adlRankIndicator": 2 if pos.qty else 0,
        "leverage": str(lev),
        "positionBalance": plain(pos.isolated_wallet),
        "markPrice": px(spec, marks[pos.symbol]),
        "liqPrice": px(spec, r.liquidation_price) if pos.qty and r.liquidation_price else "",
        "bustPrice": "",
        "positionMM": plain(r.maint_margin),
        "positionIM": plain(r.initial_margin),
        "tpslMode": "Full",
        "takeProfit": "0",
        "stopLoss": "0",
        "trailingStop": "0",
        "unrealisedPnl": plain(r.unrealized),
        "curRealisedPnl": plain(realized),
        "cumRealisedPnl": plain(realized),
        "sessionAvgPrice": "",
        "seq": pos.updated_ms,
        "isReduceOnly": False,
        "mmrSysUpdatedTime": "",
        "leverageSysUpdatedTime": "",
        "createdTime": str(pos.updated_ms),
        "updatedTime": str(pos.updated_ms),
    }


def coin_json(core: VenueCore, account: str, wallet: str, coin: str) -> Json:
    led = core.ledger
    bal = led.balance(account, wallet, coin)
    upl = ZERO
    im = mm = ZERO
    if wallet == "spot":
        for pos in led.positions.values():
            if (
                pos.account == account
                and pos.qty
                and core.futures_specs()[pos.symbol].quote == coin
            ):
                r = risk(led, pos, core.futures_specs(), core.marks())
                upl += r.unrealized
                im += r.initial_margin
                mm += r.maint_margin
    usd = Decimal(1) if coin == "USDT" else (core.fair[coin]() if coin in core.fair else ZERO)
    return {
        "coin": coin,
        "equity": plain(bal.total + upl),
        "usdValue": plain((bal.total + upl) * usd),
        "walletBalance": plain(bal.total),
        "free": plain(bal.free),
        "locked": plain(bal.locked),
        "spotHedgingQty": "0",
        "borrowAmount": "0",
        "availableToWithdraw": plain(bal.free),
        "accruedInterest": "0",
        "totalOrderIM": "0",
        "totalPositionIM": plain(im),
        "totalPositionMM": plain(mm),
        "unrealisedPnl": plain(upl),
        "cumRealisedPnl": plain(
            sum((v for (a, _), v in led.realized.items() if a == account), ZERO)
        ),
        "bonus": "0",
        "marginCollateral": True,
        "collateralSwitch": True,
        "spotBorrow": "0",
    }


def wallet_json(core: VenueCore, account: str, coins: list[str] | None) -> Json:
    led = core.ledger
    held = led.wallet(account, "spot")
    names = coins if coins else sorted(c for c, b in held.items() if b.total)
    rows = [coin_json(core, account, "spot", c) for c in names]
    equity = sum((Decimal(r["usdValue"]) for r in rows), ZERO)
    im = sum((Decimal(r["totalPositionIM"]) for r in rows), ZERO)
    mm = sum((Decimal(r["totalPositionMM"]) for r in rows), ZERO)
    avail = available(led, account, "USDT", core.futures_specs(), core.marks())
    return {
        "accountType": "UNIFIED",
        "accountIMRate": plain((im / equity).quantize(Decimal("1e-4"))) if equity else "0",
        "accountMMRate": plain((mm / equity).quantize(Decimal("1e-4"))) if equity else "0",
        "accountLTV": "0",
        "totalEquity": plain(equity),
        "totalWalletBalance": plain(equity),
        "totalMarginBalance": plain(equity),
        "totalAvailableBalance": plain(avail),
        "totalPerpUPL": plain(sum((Decimal(r["unrealisedPnl"]) for r in rows), ZERO)),
        "totalInitialMargin": plain(im),
        "totalMaintenanceMargin": plain(mm),
        "coin": rows,
    }

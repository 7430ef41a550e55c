"""USDⓈ-M account figures (balances, positions, margins) in Binance's shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.binance.render import f8, fp
from lotusx.sim.ledger import Position
from lotusx.sim.margin import FUTURES, available, risk
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO


def specs(core: VenueCore) -> dict[str, MarketSpec]:
    return core.specs[FUTURES]


def max_notional(spec: MarketSpec, leverage: int) -> Decimal:
    """Largest notional allowed at `leverage`: the cap of the last bracket permitting it."""
    cap = spec.brackets[0].notional_cap
    for b in spec.brackets:
        if b.initial_leverage >= leverage:
            cap = b.notional_cap
    return cap


def wallet_figures(core: VenueCore, account: str, asset: str) -> dict[str, Decimal]:
    led = core.ledger
    marks = core.marks()
    bal = led.balance(account, FUTURES, asset)
    cross_wallet = bal.free + bal.locked
    iso = sum((p.isolated_wallet for (a, _), p in led.positions.items() if a == account), ZERO)
    cross_upnl = ZERO
    upnl = ZERO
    pos_im = ZERO
    maint = ZERO
    for (a, _), pos in led.positions.items():
        if a != account or not pos.qty:
            continue
        r = risk(led, pos, specs(core), marks)
        upnl += r.unrealized
        pos_im += r.initial_margin
        maint += r.maint_margin
        if not pos.isolated:
            cross_upnl += r.unrealized
    avail = available(led, account, asset, specs(core), marks)
    wallet = cross_wallet + iso
    return {
        "wallet": wallet,
        "cross_wallet": cross_wallet,
        "cross_upnl": cross_upnl,
        "upnl": upnl,
        "available": avail,
        "max_withdraw": max(ZERO, min(avail, cross_wallet)),
        "position_im": pos_im,
        "order_im": bal.locked,
        "maint": maint,
    }


def balance_rows(core: VenueCore, account: str, now: int) -> list[dict[str, Any]]:
    assets = sorted({"USDT"} | set(core.ledger.wallet(account, FUTURES)))
    rows = []
    for asset in assets:
        w = wallet_figures(core, account, asset)
        rows.append(
            {
                "accountAlias": "SgsR",
                "asset": asset,
                "balance": f8(w["wallet"]),
                "crossWalletBalance": f8(w["cross_wallet"]),
                "crossUnPnl": f8(w["cross_upnl"]),
                "availableBalance": f8(w["available"]),
                "maxWithdrawAmount": f8(w["max_withdraw"]),
                "marginAvailable": True,
                "updateTime": now,
            }
        )
    return rows


def position_risk_row(core: VenueCore, account: str, spec: MarketSpec) -> dict[str, Any]:
    led = core.ledger
    pos = led.positions.get((account, spec.symbol)) or Position(account, spec.symbol)
    mark = core.mark_price(spec.symbol)
    r = risk(led, pos, specs(core), core.marks())
    lev = led.get_leverage(account, spec.symbol)
    iso_margin = pos.isolated_wallet + r.unrealized if pos.isolated and pos.qty else ZERO
    return {
        "entryPrice": f8(pos.entry_price),
        "breakEvenPrice": f8(pos.entry_price),
        "marginType": "isolated" if pos.isolated else "cross",
        "isAutoAddMargin": "false",
        "isolatedMargin": f8(iso_margin),
        "leverage": str(lev),
        "liquidationPrice": f8(r.liquidation_price),
        "markPrice": f8(mark),
        "maxNotionalValue": str(max_notional(spec, lev)),
        "positionAmt": fp(pos.qty, spec.qty_decimals),
        "notional": f8(r.notional),
        "isolatedWallet": f8(pos.isolated_wallet),
        "symbol": spec.symbol,
        "unRealizedProfit": f8(r.unrealized),
        "positionSide": "BOTH",
        "updateTime": pos.updated_ms,
    }


def account_body(core: VenueCore, account: str, now: int) -> dict[str, Any]:
    w = wallet_figures(core, account, "USDT")
    led = core.ledger
    marks = core.marks()
    positions = []
    for spec in specs(core).values():
        pos = led.positions.get((account, spec.symbol)) or Position(account, spec.symbol)
        r = risk(led, pos, specs(core), marks)
        lev = led.get_leverage(account, spec.symbol)
        order_im = sum(
            (o.reserved for o in core.engines[FUTURES].open_orders(account, spec.symbol)), ZERO
        )
        positions.append(
            {
                "symbol": spec.symbol,
                "initialMargin": f8(r.initial_margin + order_im),
                "maintMargin": f8(r.maint_margin),
                "unrealizedProfit": f8(r.unrealized),
                "positionInitialMargin": f8(r.initial_margin),
                "openOrderInitialMargin": f8(order_im),
                "leverage": str(lev),
                "isolated": pos.isolated,
                "entryPrice": f8(pos.entry_price),
                "breakEvenPrice": f8(pos.entry_price),
                "maxNotional": str(max_notional(spec, lev)),
                "positionSide": "BOTH",
                "positionAmt": fp(pos.qty, spec.qty_decimals),
                "notional": f8(r.notional),
                "isolatedWallet": f8(pos.isolated_wallet),
                "updateTime": pos.updated_ms,
                "bidNotional": "0",
                "askNotional": "0",
            }
        )
    margin_balance = w["wallet"] + w["upnl"]
    totals = {
        "totalInitialMargin": f8(w["position_im"] + w["order_im"]),
        "totalMaintMargin": f8(w["maint"]),
        "totalWalletBalance": f8(w["wallet"]),
        "totalUnrealizedProfit": f8(w["upnl"]),
        "totalMarginBalance": f8(margin_balance),
        "totalPositionInitialMargin": f8(w["position_im"]),
        "totalOpenOrderInitialMargin": f8(w["order_im"]),
        "totalCrossWalletBalance": f8(w["cross_wallet"]),
        "totalCrossUnPnl": f8(w["cross_upnl"]),
        "availableBalance": f8(w["available"]),
        "maxWithdrawAmount": f8(w["max_withdraw"]),
    }
    asset_row = {
        "asset": "USDT",
        "walletBalance": f8(w["wallet"]),
        "unrealizedProfit": f8(w["upnl"]),
        "marginBalance": f8(margin_balance),
        "maintMargin": f8(w["maint"]),
        "initialMargin": f8(w["position_im"] + w["order_im"]),
        "positionInitialMargin": f8(w["position_im"]),
        "openOrderInitialMargin": f8(w["order_im"]),
        "crossWalletBalance": f8(w["cross_wallet"]),
        "crossUnPnl": f8(w["cross_upnl"]),
        "availableBalance": f8(w["available"]),
        "maxWithdrawAmount": f8(w["max_withdraw"]),
        "marginAvailable": True,
        "updateTime": now,
    }
    return {
        "feeTier": 0,
        "feeBurn": False,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "updateTime": 0,
        "multiAssetsMargin": False,
        "tradeGroupId": -1,
        **totals,
        "assets": [asset_row],
        "positions": positions,
    }

"""Kraken Futures account: accounts (flex), openpositions, leveragepreferences, withdrawal
(futures → spot wallet), subaccounts."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.kraken.errors import FuturesError
from lotusx.sim.dialects.kraken.http_futures import FCtx, FRoute
from lotusx.sim.dialects.kraken.ids import NS
from lotusx.sim.dialects.kraken.markets import ASSET_OF_REST, CODE, FUTURES, SPOT
from lotusx.sim.dialects.kraken.render_futures import flex_account, num, position_json
from lotusx.sim.dialects.kraken.rest_futures_market import MAX_LEVERAGE
from lotusx.sim.model import Rejected


async def accounts(ctx: FCtx) -> dict[str, Any]:
    return {"accounts": {"flex": flex_account(ctx.core, ctx.account)}}


async def open_positions(ctx: FCtx) -> dict[str, Any]:
    led = ctx.core.ledger
    rows = [
        position_json(ctx.core, p)
        for (acct, _), p in sorted(led.positions.items())
        if acct == ctx.account and p.qty
    ]
    return {"openPositions": rows}


async def get_leverage(ctx: FCtx) -> dict[str, Any]:
    prefs = [
        {"symbol": sym, "maxLeverage": lev}
        for (acct, sym), lev in sorted(ctx.core.ledger.leverage.items())
        if acct == ctx.account and sym in ctx.engine.specs
    ]
    return {"leveragePreferences": prefs}


async def put_leverage(ctx: FCtx) -> dict[str, Any]:
    symbol = ctx.params.req("symbol").upper()
    if symbol not in ctx.engine.specs:
        raise FuturesError("invalidArgument: symbol")
    raw = ctx.params.opt("maxLeverage")
    led = ctx.core.ledger
    if raw is None:  # no preference: back to cross margin at the default leverage
        led.leverage.pop((ctx.account, symbol), None)
        return {}
    try:
        lev = Decimal(raw)
    except ArithmeticError:
        raise FuturesError("invalidArgument: maxLeverage") from None
    if lev != lev.to_integral() or not 1 <= lev <= MAX_LEVERAGE:
        raise FuturesError("invalidArgument: maxLeverage")
    led.leverage[(ctx.account, symbol)] = int(lev)
    return {}


async def withdrawal(ctx: FCtx) -> dict[str, Any]:
    asset = ASSET_OF_REST.get(ctx.params.req("currency").upper())
    if asset is None:
        raise FuturesError("invalidArgument: currency")
    qty = ctx.params.decimal("amount")
    assert qty is not None
    if qty <= 0:
        raise FuturesError("invalidArgument: amount")
    try:
        rec = ctx.core.ledger.transfer(
            (ctx.account, FUTURES), (ctx.account, SPOT), asset, qty, "WALLET_TRANSFER"
        )
    except Rejected:
        raise FuturesError("insufficientFunds") from None
    return {"uid": f"ft-{rec.tran_id}"}


def account_uid(uid: int) -> str:
    """The UUID Kraken Futures names an account by (stable per simulated account)."""
    return str(uuid.uuid5(NS, f"account:{uid}"))


async def subaccounts(ctx: FCtx) -> dict[str, Any]:
    """`GET /subaccounts`: the master account's subaccounts, each with its spot holdings and
    its flex account; a subaccount's own key sees none."""
    led = ctx.core.ledger
    info = led.accounts[ctx.account]
    rows = []
    for sub in led.subs_of(ctx.account) if info.master is None else []:
        holdings = [
            {"currency": CODE.get(asset, asset).lower(), "amount": num(bal.total)}
            for asset, bal in sorted(led.wallet(sub.name, SPOT).items())
        ]
        rows.append(
            {
                "accountUid": account_uid(sub.uid),
                "email": sub.email,
                "fullName": sub.name,
                "holdingAccounts": holdings,
                "futuresAccounts": [],
                "flexAccount": flex_account(ctx.core, sub.name),
            }
        )
    return {"masterAccountUid": account_uid(info.uid), "subaccounts": rows}


def routes() -> list[FRoute]:
    return [
        FRoute("GET", "accounts", accounts),
        FRoute("GET", "openpositions", open_positions),
        FRoute("GET", "leveragepreferences", get_leverage),
        FRoute("PUT", "leveragepreferences", put_leverage),
        FRoute("POST", "withdrawal", withdrawal),
        FRoute("GET", "subaccounts", subaccounts),
    ]

"""Wallet `/sapi/v1` routes: system status, transfers, withdrawals, deposits, sub-accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.binance.auth import Security
from lotusx.sim.dialects.binance.errors import BinanceError
from lotusx.sim.dialects.binance.http import Ctx, Route
from lotusx.sim.dialects.binance.render import f8
from lotusx.sim.ledger import AccountInfo, Withdrawal, WithdrawalState
from lotusx.sim.model import Rejected

SIGNED = Security.SIGNED
WITHDRAW_FEES = {"BTC": Decimal("0.0002"), "ETH": Decimal("0.002"), "USDT": Decimal("1")}
NETWORKS = {"BTC": "BTC", "ETH": "ETH", "USDT": "ETH"}
TRANSFER_TYPES = {"MAIN_UMFUTURE": ("spot", "futures"), "UMFUTURE_MAIN": ("futures", "spot")}
SUB_WALLETS = {"SPOT": "spot", "USDT_FUTURE": "futures"}
WITHDRAW_STATUS = {
    WithdrawalState.PENDING: 2,
    WithdrawalState.PROCESSING: 4,
    WithdrawalState.COMPLETED: 6,
    WithdrawalState.FAILED: 5,
    WithdrawalState.CANCELLED: 1,
}
INSUFFICIENT_TRANSFER = BinanceError(-5013, "Asset transfer failed: insufficient balance")


def _amount(ctx: Ctx) -> Decimal:
    amount = ctx.params.req_decimal("amount")
    if amount <= 0:
        raise BinanceError(-1130, "Data sent for parameter 'amount' is not valid.")
    return amount


async def system_status(ctx: Ctx) -> Any:
    ctx.params.done()
    if ctx.core.faults.maintenance:
        return {"status": 1, "msg": "system_maintenance"}
    return {"status": 0, "msg": "normal"}


async def asset_transfer(ctx: Ctx) -> Any:
    p = ctx.params
    kind = p.req("type")
    asset = p.req("asset")
    amount = _amount(ctx)
    p.opt("fromSymbol")
    p.opt("toSymbol")
    p.done()
    if kind not in TRANSFER_TYPES:
        raise BinanceError(-1130, "Data sent for parameter 'type' is not valid.")
    src, dst = TRANSFER_TYPES[kind]
    try:
        rec = ctx.core.ledger.transfer((ctx.acct, src), (ctx.acct, dst), asset, amount, kind)
    except Rejected:
        raise INSUFFICIENT_TRANSFER from None
    return {"tranId": rec.tran_id}


async def withdraw_apply(ctx: Ctx) -> Any:
    p = ctx.params
    coin = p.req("coin")
    address = p.req("address")
    amount = _amount(ctx)
    network = p.opt("network") or NETWORKS.get(coin, coin)
    client_id = p.opt("withdrawOrderId")
    for name in ("addressTag", "transactionFeeFlag", "name", "walletType"):
        p.opt(name)
    p.done()
    if coin not in WITHDRAW_FEES:
        raise BinanceError(-4003, "Withdrawal amount must be greater than the fee.")
    try:
        wd = ctx.core.ledger.withdraw(
            ctx.acct, coin, amount, WITHDRAW_FEES[coin], network, address, client_id
        )
    except Rejected:
        raise BinanceError(-4026, "User has insufficient balance") from None
    return {"id": wd.id}


def _window(ctx: Ctx, t: int) -> bool:
    start, end = ctx.params.integer("startTime"), ctx.params.integer("endTime")
    return (start is None or t >= start) and (end is None or t <= end)


def _page(ctx: Ctx, rows: list[Any]) -> list[Any]:
    offset = ctx.params.integer("offset", 0) or 0
    limit = min(ctx.params.integer("limit", 1000) or 1000, 1000)
    return rows[offset : offset + limit]


async def deposit_history(ctx: Ctx) -> Any:
    p = ctx.params
    coin, status, tx = p.opt("coin"), p.integer("status"), p.opt("txId")
    p.integer("startTime")
    p.integer("endTime")
    p.integer("offset")
    p.integer("limit")
    p.opt("includeSource")
    p.done()
    rows = []
    for d in sorted(ctx.core.ledger.deposits, key=lambda d: -d.time_ms):
        code = 1 if d.credited else 0
        if d.account != ctx.acct or (coin and d.asset != coin):
            continue
        if (status is not None and code != status) or (tx and d.tx_id != tx):
            continue
        if not _window(ctx, d.time_ms):
            continue
        rows.append(
            {
                "id": d.id,
                "amount": f8(d.amount).rstrip("0").rstrip("."),
                "coin": d.asset,
                "network": d.network,
                "status": code,
                "address": d.address,
                "addressTag": "",
                "txId": d.tx_id,
                "insertTime": d.time_ms,
                "transferType": 0,
                "confirmTimes": "1/1" if d.credited else "0/1",
                "unlockConfirm": 0,
                "walletType": 0,
            }
        )
    return _page(ctx, rows)


def _withdraw_row(w: Withdrawal) -> dict[str, Any]:
    apply = dt.datetime.fromtimestamp(w.apply_ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    row: dict[str, Any] = {
        "id": w.id,
        "amount": f8(w.amount),
        "transactionFee": f8(w.fee),
        "coin": w.asset,
        "status": WITHDRAW_STATUS[w.state],
        "address": w.address,
        "txId": w.tx_id,
        "applyTime": apply,
        "network": w.network,
        "transferType": 0,
        "info": "",
        "confirmNo": 1 if w.state is WithdrawalState.COMPLETED else 0,
        "walletType": 0,
        "txKey": "",
    }
    if w.client_id:
        row["withdrawOrderId"] = w.client_id
    if w.complete_ms:
        row["completeTime"] = dt.datetime.fromtimestamp(w.complete_ms / 1000, dt.UTC).strftime(
            "%Y-%m-%d %H:%M:%S"
        )
    return row


async def withdraw_history(ctx: Ctx) -> Any:
    p = ctx.params
    coin, client_id, status = p.opt("coin"), p.opt("withdrawOrderId"), p.integer("status")
    for name in ("startTime", "endTime", "offset", "limit"):
        p.integer(name)
    p.opt("idList")
    p.done()
    rows = [
        _withdraw_row(w)
        for w in sorted(ctx.core.ledger.withdrawals, key=lambda w: -w.apply_ms)
        if w.account == ctx.acct
        and (coin is None or w.asset == coin)
        and (client_id is None or w.client_id == client_id)
        and (status is None or WITHDRAW_STATUS[w.state] == status)
        and _window(ctx, w.apply_ms)
    ]
    return _page(ctx, rows)


def _master_only(ctx: Ctx) -> None:
    if ctx.core.ledger.accounts[ctx.acct].master is not None:
        raise BinanceError(-1002, "You are not authorized to execute this request.")


def _sub_row(a: AccountInfo) -> dict[str, Any]:
    return {
        "email": a.email,
        "isFreeze": False,
        "createTime": a.created_ms,
        "isManagedSubAccount": False,
        "isAssetManagementSubAccount": False,
    }


async def sub_account_list(ctx: Ctx) -> Any:
    p = ctx.params
    email, frozen = p.opt("email"), p.opt("isFreeze")
    page = p.integer("page", 1) or 1
    limit = min(p.integer("limit", 1) or 1, 200) if p.has("limit") else 200
    p.done()
    _master_only(ctx)
    subs = [
        a
        for a in ctx.core.ledger.subs_of(ctx.acct)
        if (email is None or a.email == email) and frozen in (None, "false")
    ]
    return {"subAccounts": [_sub_row(a) for a in subs[(page - 1) * limit : page * limit]]}


def _resolve(ctx: Ctx, email: str | None) -> str:
    if email is None:
        return ctx.acct
    info = ctx.core.ledger.by_email(email)
    if info is None or (info.name != ctx.acct and info.master != ctx.acct):
        raise BinanceError(-1130, "Data sent for parameter 'email' is not valid.")
    return info.name


async def sub_transfer(ctx: Ctx) -> Any:
    p = ctx.params
    from_email, to_email = p.opt("fromEmail"), p.opt("toEmail")
    from_type, to_type = p.req("fromAccountType"), p.req("toAccountType")
    client_id = p.opt("clientTranId")
    asset = p.req("asset")
    amount = _amount(ctx)
    p.opt("symbol")
    p.done()
    _master_only(ctx)
    if from_type not in SUB_WALLETS or to_type not in SUB_WALLETS:
        raise BinanceError(-1130, "Data sent for parameter 'fromAccountType' is not valid.")
    src = (_resolve(ctx, from_email), SUB_WALLETS[from_type])
    dst = (_resolve(ctx, to_email), SUB_WALLETS[to_type])
    try:
        rec = ctx.core.ledger.transfer(
            src, dst, asset, amount, f"SUB_{from_type}_{to_type}", client_id
        )
    except Rejected:
        raise INSUFFICIENT_TRANSFER from None
    out: dict[str, Any] = {"tranId": rec.tran_id}
    if client_id:
        out["clientTranId"] = client_id
    return out


async def sub_transfer_history(ctx: Ctx) -> Any:
    p = ctx.params
    from_email, to_email, client_id = p.opt("fromEmail"), p.opt("toEmail"), p.opt("clientTranId")
    for name in ("startTime", "endTime", "page", "limit"):
        p.integer(name)
    p.done()
    if from_email and to_email:
        raise BinanceError(-1128, "Combination of optional parameters invalid.")
    led = ctx.core.ledger
    rows = []
    for t in led.transfers:
        if not t.kind.startswith("SUB_"):
            continue
        fe, te = led.accounts[t.from_account].email, led.accounts[t.to_account].email
        if (from_email and fe != from_email) or (to_email and te != to_email):
            continue
        if client_id and t.client_id != client_id:
            continue
        types = {v: k for k, v in SUB_WALLETS.items()}
        rows.append(
            {
                "tranId": t.tran_id,
                "fromEmail": fe,
                "toEmail": te,
                "asset": t.asset,
                "amount": f8(t.amount),
                "createTimeStamp": t.time_ms,
                "fromAccountType": types[t.from_wallet],
                "toAccountType": types[t.to_wallet],
                "status": "SUCCESS",
                "clientTranId": t.client_id or "",
            }
        )
    return {"result": rows, "totalCount": len(rows)}


def routes() -> list[Route]:
    s = "/sapi/v1"
    return [
        Route("GET", f"{s}/system/status", system_status, sapi=True, in_maintenance=True),
        Route("POST", f"{s}/asset/transfer", asset_transfer, SIGNED, weight=900, sapi=True),
        Route("POST", f"{s}/capital/withdraw/apply", withdraw_apply, SIGNED, weight=900, sapi=True),
        Route("GET", f"{s}/capital/deposit/hisrec", deposit_history, SIGNED, sapi=True),
        Route("GET", f"{s}/capital/withdraw/history", withdraw_history, SIGNED, sapi=True),
        Route("GET", f"{s}/sub-account/list", sub_account_list, SIGNED, sapi=True),
        Route("POST", f"{s}/sub-account/universalTransfer", sub_transfer, SIGNED, sapi=True),
        Route("GET", f"{s}/sub-account/universalTransfer", sub_transfer_history, SIGNED, sapi=True),
    ]

"""Bybit account, position, asset and user routes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.bybit.errors import BybitError, param
from lotusx.sim.dialects.bybit.http import Ctx, Route
from lotusx.sim.dialects.bybit.render import coin_json, plain, position_json, wallet_json
from lotusx.sim.ledger import WithdrawalState
from lotusx.sim.model import Rejected

WALLETS = {"UNIFIED": "spot", "FUND": "funding"}
UUID_RE = re.compile(r"^[0-9a-fA-F-]{1,64}$")
WITHDRAW_FEES = {"USDT": Decimal(1), "BTC": Decimal("0.0002"), "ETH": Decimal("0.0015")}
WD_STATUS = {
    WithdrawalState.PENDING: "SecurityCheck",
    WithdrawalState.PROCESSING: "Pending",
    WithdrawalState.COMPLETED: "success",
    WithdrawalState.FAILED: "Fail",
    WithdrawalState.CANCELLED: "CancelByUser",
}


async def wallet_balance(ctx: Ctx) -> Any:
    p = ctx.params
    account_type = p.req("accountType")
    coins = p.opt("coin")
    wanted = coins.split(",") if coins else None
    if account_type == "UNIFIED":
        return {"list": [wallet_json(ctx.core, ctx.acct, wanted)]}
    if account_type == "FUND":
        held = ctx.core.ledger.wallet(ctx.acct, "funding")
        names = wanted or sorted(c for c, b in held.items() if b.total)
        rows = [coin_json(ctx.core, ctx.acct, "funding", c) for c in names]
        return {"list": [{"accountType": "FUND", "coin": rows}]}
    raise param("accountType only support UNIFIED")


async def fee_rate(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category()
    only = p.opt_symbol(ctx.specs(category), category)
    base = p.opt("baseCoin")
    rows = []
    for spec in ctx.specs(category).values():
        if (only is not None and spec is not only) or (base is not None and spec.base != base):
            continue
        maker, taker = ctx.core.ledger.fee_rates(
            ctx.acct, category, (spec.maker_fee, spec.taker_fee)
        )
        row: dict[str, Any] = {
            "symbol": spec.symbol,
            "takerFeeRate": plain(taker),
            "makerFeeRate": plain(maker),
        }
        if category == "spot":
            row["baseCoin"] = spec.base
        rows.append(row)
    return {"list": rows}


async def position_list(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category(("linear",))
    only = p.opt_symbol(ctx.specs(category), category)
    settle = p.opt("settleCoin")
    if only is None and settle is None:
        raise param("symbol or settleCoin is required")
    p.limit(20, 200) if p.opt("limit") else None
    rows = []
    for spec in ctx.specs(category).values():
        if (only is not None and spec is not only) or (settle is not None and spec.quote != settle):
            continue
        pos = ctx.core.ledger.position(ctx.acct, spec.symbol)
        if only is None and not pos.qty:
            continue
        rows.append(position_json(ctx.core, spec, pos))
    return {"category": category, "list": rows, "nextPageCursor": ""}


async def set_leverage(ctx: Ctx) -> Any:
    p = ctx.params
    category = p.category(("linear",))
    spec = p.symbol(ctx.specs(category), category)
    buy, sell = p.req_decimal("buyLeverage"), p.req_decimal("sellLeverage")
    if buy != sell:
        raise param("buy leverage must be equal to sell leverage in one-way mode")
    if buy < 1 or buy > spec.brackets[0].initial_leverage or buy != buy.to_integral_value():
        raise BybitError(10001, f"leverage invalid: {plain(buy)}")
    key = (ctx.acct, spec.symbol)
    if ctx.core.ledger.get_leverage(*key) == int(buy):
        raise BybitError(110043, "leverage not modified")
    ctx.core.ledger.leverage[key] = int(buy)
    return {}


def _transfer_id(p: Any) -> str:
    tid = p.req("transferId")
    if not UUID_RE.match(tid):
        raise param("transferId invalid")
    return str(tid)


def _wallet(p: Any, name: str) -> str:
    raw = p.req(name)
    if raw not in WALLETS:
        raise param(f"{name} invalid")
    return WALLETS[raw]


async def inter_transfer(ctx: Ctx) -> Any:
    p = ctx.params
    tid = _transfer_id(p)
    coin, amount = p.req("coin"), p.req_decimal("amount")
    src, dst = _wallet(p, "fromAccountType"), _wallet(p, "toAccountType")
    if src == dst:
        raise BybitError(131214, "fromAccountType can't be the same as toAccountType")
    try:
        ctx.core.ledger.transfer((ctx.acct, src), (ctx.acct, dst), coin, amount, "INTER", tid)
    except Rejected:
        raise BybitError(131212, "Insufficient balance") from None
    return {"transferId": tid, "status": "SUCCESS"}


def _member(ctx: Ctx, uid: int) -> str:
    led = ctx.core.ledger
    for info in led.accounts.values():
        if info.uid == uid and (info.name == ctx.acct or info.master == ctx.acct):
            return info.name
    raise BybitError(131213, "Member does not exist or is not related to the master account")


async def universal_transfer(ctx: Ctx) -> Any:
    p = ctx.params
    if ctx.core.ledger.accounts[ctx.acct].master is not None:
        raise BybitError(10005, "Permission denied, please check your API key permissions.")
    tid = _transfer_id(p)
    coin, amount = p.req("coin"), p.req_decimal("amount")
    from_uid, to_uid = p.integer("fromMemberId"), p.integer("toMemberId")
    if from_uid is None or to_uid is None:
        raise param("fromMemberId and toMemberId are required")
    src = (_member(ctx, from_uid), _wallet(p, "fromAccountType"))
    dst = (_member(ctx, to_uid), _wallet(p, "toAccountType"))
    if src == dst:
        raise BybitError(131214, "fromAccountType can't be the same as toAccountType")
    try:
        ctx.core.ledger.transfer(src, dst, coin, amount, "UNIVERSAL", tid)
    except Rejected:
        raise BybitError(131212, "Insufficient balance") from None
    return {"transferId": tid, "status": "SUCCESS"}


async def withdraw(ctx: Ctx) -> Any:
    p = ctx.params
    coin, chain, address = p.req("coin"), p.req("chain"), p.req("address")
    amount = p.req_decimal("amount")
    stamp = p.integer("timestamp")
    if stamp is None:
        raise param("timestamp is required")
    if abs(ctx.now - stamp) > 5000:
        raise BybitError(10002, "invalid request, please check your timestamp")
    wallet = {"FUND": "funding", "UNIFIED": "spot", "SPOT": "spot"}.get(
        p.opt("accountType") or "FUND"
    )
    if wallet is None:
        raise param("accountType invalid")
    if ctx.core.ledger.accounts[ctx.acct].master is not None:
        raise BybitError(131002, "Sub-accounts cannot withdraw")
    fee = WITHDRAW_FEES.get(coin, Decimal(1))
    try:
        wd = ctx.core.ledger.withdraw(ctx.acct, coin, amount, fee, chain, address, wallet=wallet)
    except Rejected:
        raise BybitError(131001, "Insufficient balance") from None
    return {"id": wd.id}


def _page(ctx: Ctx, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    p = ctx.params
    start, end = p.integer("startTime"), p.integer("endTime")
    limit = p.limit(50, 50)
    picked = [
        r
        for t, r in sorted(rows, key=lambda tr: tr[0], reverse=True)
        if (start is None or t >= start) and (end is None or t <= end)
    ]
    return {"rows": picked[:limit], "nextPageCursor": ""}


async def withdraw_records(ctx: Ctx) -> Any:
    p = ctx.params
    coin, wid = p.opt("coin"), p.opt("withdrawID")
    rows = [
        (
            wd.apply_ms,
            {
                "coin": wd.asset,
                "chain": wd.network,
                "amount": plain(wd.amount),
                "txID": wd.tx_id,
                "status": WD_STATUS[wd.state],
                "toAddress": wd.address,
                "tag": "",
                "withdrawFee": plain(wd.fee),
                "createTime": str(wd.apply_ms),
                "updateTime": str(wd.complete_ms or wd.apply_ms),
                "withdrawId": wd.id,
                "withdrawType": 0,
                "fee": plain(wd.fee),
                "taxDeducted": "0",
                "taxRate": "0",
                "taxType": "",
            },
        )
        for wd in ctx.core.ledger.withdrawals
        if wd.account == ctx.acct
        and (coin is None or wd.asset == coin)
        and (wid is None or wd.id == wid)
    ]
    return _page(ctx, rows)


async def deposit_records(ctx: Ctx) -> Any:
    coin = ctx.params.opt("coin")
    rows = [
        (
            d.time_ms,
            {
                "id": d.id,
                "coin": d.asset,
                "chain": d.network,
                "amount": plain(d.amount),
                "txID": d.tx_id,
                "status": 3 if d.credited else 1,
                "toAddress": d.address,
                "tag": "",
                "depositFee": "",
                "successAt": str(d.time_ms),
                "confirmations": "64",
                "txIndex": "0",
                "blockHash": "",
                "batchReleaseLimit": "-1",
                "depositType": "0",
                "fromAddress": "",
                "taxDepositRecordsId": "0",
                "taxStatus": 0,
            },
        )
        for d in ctx.core.ledger.deposits
        if d.account == ctx.acct and (coin is None or d.asset == coin)
    ]
    return _page(ctx, rows)


async def sub_members(ctx: Ctx) -> Any:
    led = ctx.core.ledger
    if led.accounts[ctx.acct].master is not None:
        raise BybitError(10005, "Permission denied, please check your API key permissions.")
    return {
        "subMembers": [
            {
                "uid": str(info.uid),
                "username": f"lotusx{info.name}",
                "memberType": 1,
                "status": 1,
                "accountMode": 3,
                "remark": info.email,
            }
            for info in led.subs_of(ctx.acct)
        ]
    }


async def api_key_info(ctx: Ctx) -> Any:
    """GET /v5/user/query-api: the calling key's own account (any permission may ask)."""
    info = ctx.core.ledger.accounts[ctx.acct]
    master = ctx.core.ledger.accounts[info.master] if info.master is not None else None
    trade = ["Order", "Position"]
    return {
        "id": str(info.uid * 10 + 1),
        "note": "lotusx-sim",
        "apiKey": "",
        "readOnly": 0,
        "secret": "",
        "permissions": {
            "ContractTrade": trade,
            "Spot": ["SpotTrade"],
            "Wallet": ["AccountTransfer", "SubMemberTransfer", "Withdraw"],
            "Options": [],
            "Derivatives": [],
            "Exchange": [],
            "Earn": [],
            "BlockTrade": [],
        },
        "ips": ["*"],
        "type": 1,
        "deadlineDay": -1,
        "expiredAt": "",
        "createdAt": "",
        "uta": 1,
        "userID": info.uid,
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": "",
        "isMaster": master is None,
        "parentUid": str(master.uid) if master is not None else "0",
    }


def routes() -> list[Route]:
    get, post = "GET", "POST"
    return [
        Route(get, "/v5/account/wallet-balance", wallet_balance, private=True),
        Route(get, "/v5/account/fee-rate", fee_rate, private=True),
        Route(get, "/v5/position/list", position_list, private=True),
        Route(post, "/v5/position/set-leverage", set_leverage, private=True),
        Route(post, "/v5/asset/transfer/inter-transfer", inter_transfer, private=True),
        Route(post, "/v5/asset/transfer/universal-transfer", universal_transfer, private=True),
        Route(post, "/v5/asset/withdraw/create", withdraw, private=True),
        Route(get, "/v5/asset/deposit/query-record", deposit_records, private=True),
        Route(get, "/v5/asset/withdraw/query-record", withdraw_records, private=True),
        Route(get, "/v5/user/query-sub-members", sub_members, private=True),
        Route(get, "/v5/user/query-api", api_key_info, private=True),
    ]

"""OKX account, asset and sub-account routes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.okx.errors import OkxError, empty, param
from lotusx.sim.dialects.okx.http import Ctx, Route
from lotusx.sim.dialects.okx.markets import Inst
from lotusx.sim.dialects.okx.render import balance_detail, fmt, position_json, wallet_ccys
from lotusx.sim.ledger import WithdrawalState
from lotusx.sim.margin import risk
from lotusx.sim.model import ZERO, Rejected

FUNDING, TRADING = "funding", "spot"
ACCOUNT_TYPES = {"6": FUNDING, "18": TRADING}
WITHDRAW_FEES = {"USDT": Decimal(1), "BTC": Decimal("0.0001"), "ETH": Decimal("0.001")}
CHAINS = {"USDT": "USDT-TRC20", "BTC": "BTC-Bitcoin", "ETH": "ETH-ERC20"}
WD_STATE = {
    WithdrawalState.PENDING: "0",
    WithdrawalState.PROCESSING: "1",
    WithdrawalState.COMPLETED: "2",
    WithdrawalState.FAILED: "-1",
    WithdrawalState.CANCELLED: "-2",
}
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")


def sub_name(ctx: Ctx, account: str) -> str:
    return f"lotusx{account}"


def _sub_account(ctx: Ctx, name: str) -> str:
    for info in ctx.core.ledger.subs_of(ctx.acct):
        if name in (sub_name(ctx, info.name), info.email):
            return info.name
    raise OkxError("58115", "Sub-account does not exist.")


# ----------------------------------------------------------------- account
async def balance(ctx: Ctx) -> Any:
    wanted = ctx.params.opt("ccy")
    ccys = wanted.split(",") if wanted else wallet_ccys(ctx.core, ctx.acct)
    details = [balance_detail(ctx.core, ctx.acct, c, ctx.now) for c in ccys]
    total = sum((Decimal(d["eqUsd"]) * _usd(ctx, d["ccy"]) for d in details), ZERO)
    imr = mmr = ZERO
    for pos in ctx.core.ledger.positions.values():
        if pos.account == ctx.acct and pos.qty:
            r = risk(ctx.core.ledger, pos, ctx.core.futures_specs(), ctx.core.marks())
            imr += r.initial_margin
            mmr += r.maint_margin
    for d in details:
        d["eqUsd"] = fmt(Decimal(d["eqUsd"]) * _usd(ctx, d["ccy"]))
    return [
        {
            "adjEq": fmt(total),
            "availEq": fmt(total - imr),
            "borrowFroz": "0",
            "details": details,
            "imr": fmt(imr),
            "isoEq": "0",
            "mgnRatio": fmt((total / mmr).quantize(Decimal("1e-4"))) if mmr else "",
            "mmr": fmt(mmr),
            "notionalUsd": fmt(
                sum(
                    (
                        abs(p.qty) * ctx.core.mark_price(p.symbol)
                        for p in ctx.core.ledger.positions.values()
                        if p.account == ctx.acct and p.qty
                    ),
                    ZERO,
                )
            ),
            "ordFroz": "0",
            "totalEq": fmt(total),
            "uTime": str(ctx.now),
            "upl": "0",
        }
    ]


def _usd(ctx: Ctx, ccy: str) -> Decimal:
    if ccy in ("USDT", "USDC", "USD"):
        return Decimal(1)
    fair = ctx.core.fair.get(ccy)
    return fair().quantize(Decimal("0.01")) if fair else ZERO


def _swaps(ctx: Ctx) -> list[Inst]:
    return [i for i in ctx.insts.values() if i.swap]


async def positions(ctx: Ctx) -> Any:
    p = ctx.params
    inst_type = p.inst_type(("MARGIN", "SWAP", "FUTURES", "OPTION"), required=False)
    only = p.opt("instId")
    pos_ids = p.opt("posId")
    if inst_type not in ("", "SWAP"):
        return []
    out = []
    for inst in _swaps(ctx):
        if only and inst.inst_id not in only.split(","):
            continue
        pos = ctx.core.ledger.positions.get((ctx.acct, inst.inst_id))
        if pos is None or not pos.qty:
            continue
        row = position_json(ctx.core, inst, pos)
        if pos_ids and row["posId"] not in pos_ids.split(","):
            continue
        out.append(row)
    return out


async def trade_fee(ctx: Ctx) -> Any:
    p = ctx.params
    inst_type = p.inst_type(("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"))
    inst = p.opt_inst(ctx.insts)
    family = p.opt("instFamily") or p.opt("uly")
    market = "swap" if inst_type == "SWAP" else "spot"
    candidates = [
        i
        for i in ctx.insts.values()
        if i.spec.market == market
        and (inst is None or i is inst)
        and (family is None or i.family == family)
    ]
    if not candidates:
        raise param("instId")
    spec = candidates[0].spec
    maker, taker = ctx.core.ledger.fee_rates(ctx.acct, market, (spec.maker_fee, spec.taker_fee))
    out: dict[str, Any] = {
        "category": "1",
        "delivery": "",
        "exercise": "",
        "instType": inst_type,
        "level": "Lv1",
        "maker": fmt(-maker),
        "taker": fmt(-taker),
        "makerU": fmt(-maker) if inst_type == "SWAP" else "",
        "takerU": fmt(-taker) if inst_type == "SWAP" else "",
        "makerUSDC": fmt(-maker) if inst_type == "SWAP" else "",
        "takerUSDC": fmt(-taker) if inst_type == "SWAP" else "",
        "ruleType": "normal",
        "fiat": [],
        "ts": str(ctx.now),
    }
    return [out]


def _swap_inst(ctx: Ctx) -> Inst:
    inst = ctx.params.inst(ctx.insts)
    if not inst.swap:
        raise param("instId")
    return inst


async def leverage_info(ctx: Ctx) -> Any:
    mode = ctx.params.choice("mgnMode", ("cross", "isolated"))
    ids = ctx.params.req("instId").split(",")
    out = []
    for inst_id in ids:
        inst = ctx.insts.get(inst_id)
        if inst is None or not inst.swap:
            raise param("instId")
        lever = ctx.core.ledger.get_leverage(ctx.acct, inst.inst_id)
        out.append({"instId": inst.inst_id, "mgnMode": mode, "posSide": "net", "lever": str(lever)})
    return out


async def set_leverage(ctx: Ctx) -> Any:
    p = ctx.params
    inst = _swap_inst(ctx)
    mode = p.choice("mgnMode", ("cross", "isolated"))
    raw = p.req("lever")
    try:
        lever = Decimal(raw)
    except ArithmeticError:
        raise param("lever") from None
    if lever < 1 or lever != lever.to_integral_value():
        raise OkxError("51000", "Parameter lever error", 400)
    if lever > inst.max_lever:
        raise OkxError(
            "59102", "Leverage exceeds the maximum leverage. Please adjust the leverage."
        )
    pos_side = p.opt("posSide")
    if pos_side not in (None, "net"):
        raise param("posSide")
    ctx.core.ledger.leverage[(ctx.acct, inst.inst_id)] = int(lever)
    return [{"lever": str(int(lever)), "mgnMode": mode, "instId": inst.inst_id, "posSide": "net"}]


# ----------------------------------------------------------------- asset
async def transfer(ctx: Ctx) -> Any:
    p = ctx.params
    ccy = p.req("ccy")
    amt = p.req_decimal("amt")
    src_type, dst_type = p.req("from"), p.req("to")
    kind = p.choice("type", ("0", "1", "2", "3", "4"), default="0")
    client_id = p.opt("clientId")
    if src_type not in ACCOUNT_TYPES:
        raise param("from")
    if dst_type not in ACCOUNT_TYPES:
        raise param("to")
    if client_id is not None and not CLIENT_ID_RE.match(client_id):
        raise param("clientId")
    if amt <= 0:
        raise OkxError("58114", "Transfer amount must be greater than 0.")
    src_acct = dst_acct = ctx.acct
    if kind in ("1", "2", "4"):
        sub = p.opt("subAcct")
        if sub is None:
            raise empty("subAcct")
        if ctx.core.ledger.accounts[ctx.acct].master is not None and kind != "4":
            raise OkxError("59500", "Only the API key of the main account has permission.")
        if kind == "1":
            dst_acct = _sub_account(ctx, sub)
        elif kind == "2":
            src_acct = _sub_account(ctx, sub)
        else:
            master = ctx.core.ledger.accounts[ctx.acct].master
            if master is None:
                raise OkxError("59507", "The two accounts must be sub-accounts of one master.")
            dst_acct = next(
                (i.name for i in ctx.core.ledger.subs_of(master) if sub_name(ctx, i.name) == sub),
                "",
            )
            if not dst_acct:
                raise OkxError("58115", "Sub-account does not exist.")
    elif kind == "3":
        master = ctx.core.ledger.accounts[ctx.acct].master
        if master is None:
            raise OkxError("59507", "Only a sub-account can transfer to its master.")
        dst_acct = master
    if src_acct == dst_acct and src_type == dst_type:
        raise OkxError("58123", "Parameter from can not equal to parameter to.")
    try:
        rec = ctx.core.ledger.transfer(
            (src_acct, ACCOUNT_TYPES[src_type]),
            (dst_acct, ACCOUNT_TYPES[dst_type]),
            ccy,
            amt,
            f"OKX_{kind}",
            client_id,
        )
    except Rejected:
        raise OkxError("58350", "Insufficient balance.") from None
    return [
        {
            "transId": str(rec.tran_id),
            "ccy": ccy,
            "clientId": client_id or "",
            "from": src_type,
            "amt": fmt(amt),
            "to": dst_type,
        }
    ]


async def withdrawal(ctx: Ctx) -> Any:
    p = ctx.params
    ccy = p.req("ccy")
    amt = p.req_decimal("amt")
    dest = p.choice("dest", ("3", "4"))
    to_addr = p.req("toAddr")
    chain = p.opt("chain") or CHAINS.get(ccy, f"{ccy}-{ccy}")
    client_id = p.opt("clientId")
    if client_id is not None and not CLIENT_ID_RE.match(client_id):
        raise param("clientId")
    if ctx.core.ledger.accounts[ctx.acct].master is not None:
        raise OkxError("59504", "The sub-account does not support the withdrawal function.")
    if amt <= 0:
        raise param("amt")
    fee = ZERO if dest == "3" else WITHDRAW_FEES.get(ccy, Decimal(1))
    try:
        wd = ctx.core.ledger.withdraw(
            ctx.acct, ccy, amt, fee, chain, to_addr, client_id, wallet=FUNDING
        )
    except Rejected:
        raise OkxError("58350", "Insufficient balance.") from None
    return [
        {"amt": fmt(amt), "wdId": wd.id, "ccy": ccy, "clientId": client_id or "", "chain": chain}
    ]


def _window(ctx: Ctx, rows: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    p = ctx.params
    after, before = p.integer("after"), p.integer("before")
    limit = p.limit(100, 100)
    picked = [
        (t, r) for t, r in rows if (after is None or t < after) and (before is None or t > before)
    ]
    picked.sort(key=lambda tr: tr[0], reverse=True)
    return [r for _, r in picked[:limit]]


async def withdrawal_history(ctx: Ctx) -> Any:
    p = ctx.params
    ccy, wd_id, client_id, state = p.opt("ccy"), p.opt("wdId"), p.opt("clientId"), p.opt("state")
    rows = []
    for wd in ctx.core.ledger.withdrawals:
        body = {
            "chain": wd.network,
            "areaCodeFrom": "",
            "clientId": wd.client_id or "",
            "fee": fmt(wd.fee),
            "feeCcy": wd.asset,
            "amt": fmt(wd.amount),
            "txId": wd.tx_id,
            "from": "",
            "areaCodeTo": "",
            "to": wd.address,
            "state": WD_STATE[wd.state],
            "ts": str(wd.apply_ms),
            "nonTradableAsset": False,
            "wdId": wd.id,
            "ccy": wd.asset,
            "addrEx": None,
            "tag": "",
            "pmtId": "",
            "memo": "",
        }
        if wd.account != ctx.acct or (ccy and wd.asset != ccy) or (wd_id and wd.id != wd_id):
            continue
        if (client_id and wd.client_id != client_id) or (state and body["state"] != state):
            continue
        rows.append((wd.apply_ms, body))
    return _window(ctx, rows)


async def deposit_history(ctx: Ctx) -> Any:
    p = ctx.params
    ccy, dep_id, tx_id = p.opt("ccy"), p.opt("depId"), p.opt("txId")
    rows = []
    for dep in ctx.core.ledger.deposits:
        if dep.account != ctx.acct or (ccy and dep.asset != ccy) or (dep_id and dep.id != dep_id):
            continue
        if tx_id and dep.tx_id != tx_id:
            continue
        rows.append(
            (
                dep.time_ms,
                {
                    "actualDepBlkConfirm": "2",
                    "amt": fmt(dep.amount),
                    "areaCodeFrom": "",
                    "ccy": dep.asset,
                    "chain": dep.network,
                    "depId": dep.id,
                    "from": "",
                    "fromWdId": "",
                    "state": "2" if dep.credited else "0",
                    "to": dep.address,
                    "ts": str(dep.time_ms),
                    "txId": dep.tx_id,
                },
            )
        )
    return _window(ctx, rows)


async def subaccounts(ctx: Ctx) -> Any:
    led = ctx.core.ledger
    if led.accounts[ctx.acct].master is not None:
        raise OkxError("59500", "Only the API key of the main account has permission.")
    name = ctx.params.opt("subAcct")
    out = []
    for info in led.subs_of(ctx.acct):
        if name and sub_name(ctx, info.name) != name:
            continue
        out.append(
            {
                "canTransOut": True,
                "enable": True,
                "firstLvSubAcct": sub_name(ctx, info.name),
                "frozenFunc": [],
                "gAuth": False,
                "ifDma": False,
                "label": info.email,
                "mobile": "",
                "subAcct": sub_name(ctx, info.name),
                "subAcctLv": "1",
                "ts": str(info.created_ms),
                "type": "1",
                "uid": str(info.uid),
            }
        )
    return out[: ctx.params.limit(100, 100)]


def routes() -> list[Route]:
    get, post = "GET", "POST"
    return [
        Route(get, "/api/v5/account/balance", balance, private=True),
        Route(get, "/api/v5/account/positions", positions, private=True),
        Route(get, "/api/v5/account/trade-fee", trade_fee, private=True),
        Route(get, "/api/v5/account/leverage-info", leverage_info, private=True),
        Route(post, "/api/v5/account/set-leverage", set_leverage, private=True),
        Route(post, "/api/v5/asset/transfer", transfer, private=True),
        Route(post, "/api/v5/asset/withdrawal", withdrawal, private=True),
        Route(get, "/api/v5/asset/deposit-history", deposit_history, private=True),
        Route(get, "/api/v5/asset/withdrawal-history", withdrawal_history, private=True),
        Route(get, "/api/v5/users/subaccount/list", subaccounts, private=True),
    ]

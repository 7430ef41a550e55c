"""Spot account and funding: balances, fees, WalletTransfer, withdrawals, deposits, WS tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.kraken.errors import SpotError, invalid
from lotusx.sim.dialects.kraken.http_spot import Ctx, Route
from lotusx.sim.dialects.kraken.markets import ASSET_OF_REST, FUTURES, REST_ASSET, SPOT
from lotusx.sim.ledger import Withdrawal, WithdrawalState
from lotusx.sim.model import Rejected

TOKEN_TTL_MS = 15 * 60 * 1000
DECIMALS = {"BTC": 10, "ETH": 10, "USD": 4}
WITHDRAW_KEYS = {  # withdrawal key name -> (asset, method, address)
    "btc-main": ("BTC", "Bitcoin", "bc1qsimkrakenaddress0000000000000000000"),
    "eth-main": ("ETH", "Ether", "0x5151515151515151515151515151515151515151"),
    "usd-bank": ("USD", "Bank Frick (SWIFT)", "CH93 0076 2011 6238 5295 7"),
}
WITHDRAW_FEES = {"BTC": Decimal("0.00015"), "ETH": Decimal("0.0035"), "USD": Decimal(5)}
METHODS = {"BTC": "Bitcoin", "ETH": "Ether", "USD": "Bank Frick (SWIFT)"}
WD_STATUS = {
    WithdrawalState.PENDING: "Initial",
    WithdrawalState.PROCESSING: "Pending",
    WithdrawalState.COMPLETED: "Success",
    WithdrawalState.FAILED: "Failure",
    WithdrawalState.CANCELLED: "Failure",
}


@dataclass(slots=True)
class Tokens:
    """WebSocket tokens: valid for 15 minutes to open a connection, then for its life."""

    issued: dict[str, tuple[str, int]] = field(default_factory=dict)

    def issue(self, key: str, now: int) -> str:
        token = secrets.token_urlsafe(30)
        self.issued[token] = (key, now + TOKEN_TTL_MS)
        return token

    def check(self, token: str, now: int) -> str | None:
        entry = self.issued.get(token)
        if entry is None or entry[1] < now:
            return None
        return entry[0]


def amount(asset: str, value: Decimal) -> str:
    """At the asset's decimals (ZUSD 4, XXBT 10), or in full when the ledger holds finer."""
    shown = value.quantize(Decimal(1).scaleb(-DECIMALS[asset]))
    return f"{shown if shown == value else value.normalize():f}"


def _asset(ctx: Ctx, name: str = "asset") -> str:
    raw = ctx.params.req(name)
    asset = ASSET_OF_REST.get(raw)
    if asset is None or asset not in DECIMALS:
        raise SpotError("EQuery:Unknown asset")
    return asset


async def balance(ctx: Ctx) -> Any:
    wallet = ctx.core.ledger.wallet(ctx.account, SPOT)
    return {REST_ASSET[a]: amount(a, b.total) for a, b in sorted(wallet.items()) if a in DECIMALS}


async def balance_ex(ctx: Ctx) -> Any:
    wallet = ctx.core.ledger.wallet(ctx.account, SPOT)
    return {
        REST_ASSET[a]: {"balance": amount(a, b.total), "hold_trade": amount(a, b.locked)}
        for a, b in sorted(wallet.items())
        if a in DECIMALS
    }


def _usd_value(ctx: Ctx, asset: str, qty: Decimal) -> Decimal:
    if asset == "USD":
        return qty
    return qty * ctx.core.fair[asset]()


async def trade_balance(ctx: Ctx) -> Any:
    wallet = ctx.core.ledger.wallet(ctx.account, SPOT)
    total = sum((_usd_value(ctx, a, b.total) for a, b in wallet.items()), Decimal(0))
    text = amount("USD", total)
    zero = "0.0000"
    return {
        "eb": text,
        "tb": text,
        "m": zero,
        "n": zero,
        "c": zero,
        "v": zero,
        "e": text,
        "mf": text,
    }


async def trade_volume(ctx: Ctx) -> Any:
    engine = ctx.engine
    since = ctx.now - 30 * 86_400_000
    volume = sum(
        (
            f.quote_qty
            for s in engine.specs
            for f in engine.account_fills(ctx.account, s)
            if f.time_ms >= since
        ),
        Decimal(0),
    )
    out: dict[str, Any] = {"currency": "ZUSD", "volume": amount("USD", volume)}
    names = ctx.params.listed("pair")
    if names:
        fees: dict[str, Any] = {}
        makers: dict[str, Any] = {}
        for name in names:
            pair = ctx.pairs.get(name)
            if pair is None:
                raise SpotError("EQuery:Unknown asset pair")
            spec = pair.spec
            for table, rate, nxt in (
                (fees, spec.taker_fee, "0.3500"),
                (makers, spec.maker_fee, "0.2000"),
            ):
                pct = f"{rate * 100:.4f}"
                table[pair.key] = {
                    "fee": pct,
                    "minfee": "0.0000",
                    "maxfee": pct,
                    "nextfee": nxt,
                    "nextvolume": "10000.0000",
                    "tiervolume": "0.0000",
                }
        out["fees"], out["fees_maker"] = fees, makers
    return out


async def wallet_transfer(ctx: Ctx) -> Any:
    asset = _asset(ctx)
    if ctx.params.req("from") != "Spot Wallet" or ctx.params.req("to") != "Futures Wallet":
        raise invalid("to")
    qty = ctx.params.decimal("amount")
    assert qty is not None
    if qty <= 0:
        raise invalid("amount")
    try:
        rec = ctx.core.ledger.transfer(
            (ctx.account, SPOT), (ctx.account, FUTURES), asset, qty, "WALLET_TRANSFER"
        )
    except Rejected:
        raise SpotError("EFunding:Insufficient funds") from None
    return {"refid": f"FT{rec.tran_id:010d}"}


async def withdraw(ctx: Ctx) -> Any:
    """`key` names a withdrawal key set up in the account. The three seeded keys check `asset`
    and `address`; any other name stands for a key the user configured, paying to `address`
    (or to the key name). The fee is charged on top of `amount`."""
    asset = _asset(ctx)
    key = ctx.params.req("key")
    address = ctx.params.opt("address")
    entry = WITHDRAW_KEYS.get(key)
    if entry is not None and entry[0] != asset:
        raise SpotError("EFunding:Unknown withdraw key")
    if entry is not None and address is not None and address != entry[2]:
        raise SpotError("EFunding:Invalid withdrawal address")
    method, to = (entry[1], entry[2]) if entry else (METHODS[asset], address or key)
    qty = ctx.params.decimal("amount")
    assert qty is not None
    if qty <= 0:
        raise SpotError("EFunding:Invalid amount")
    fee = WITHDRAW_FEES[asset]
    try:
        wd = ctx.core.ledger.withdraw(ctx.account, asset, qty, fee, method, to)
    except Rejected:
        raise SpotError("EFunding:Insufficient funds") from None
    return {"refid": wd.id}


def _withdrawal_json(wd: Withdrawal) -> dict[str, Any]:
    body: dict[str, Any] = {
        "method": wd.network,
        "aclass": "currency",
        "asset": REST_ASSET[wd.asset],
        "refid": wd.id,
        "txid": wd.tx_id or None,
        "info": wd.address,
        "amount": amount(wd.asset, wd.amount),
        "fee": amount(wd.asset, wd.fee),
        "time": wd.apply_ms // 1000,
        "status": WD_STATUS[wd.state],
    }
    if wd.state is WithdrawalState.CANCELLED:
        body["status-prop"] = "canceled"
    return body


async def withdraw_status(ctx: Ctx) -> Any:
    asset = ASSET_OF_REST.get(ctx.params.opt("asset") or "")
    return [
        _withdrawal_json(w)
        for w in ctx.core.ledger.withdrawals
        if w.account == ctx.account and (asset is None or w.asset == asset)
    ]


async def deposit_status(ctx: Ctx) -> Any:
    asset = ASSET_OF_REST.get(ctx.params.opt("asset") or "")
    return [
        {
            "method": METHODS.get(d.asset, d.network),
            "aclass": "currency",
            "asset": REST_ASSET[d.asset],
            "refid": d.id,
            "txid": d.tx_id,
            "info": d.address,
            "amount": amount(d.asset, d.amount),
            "fee": amount(d.asset, Decimal(0)),
            "time": d.time_ms // 1000,
            "status": "Success" if d.credited else "Pending",
        }
        for d in ctx.core.ledger.deposits
        if d.account == ctx.account and (asset is None or d.asset == asset) and d.asset in DECIMALS
    ]


def _asset_filter(ctx: Ctx) -> str | None:
    raw = ctx.params.opt("asset")
    if raw is None:
        return None
    asset = ASSET_OF_REST.get(raw)
    if asset is None:
        raise SpotError("EQuery:Unknown asset")
    return asset


async def withdraw_addresses(ctx: Ctx) -> Any:
    """The account's withdrawal keys (the three seeded ones), all verified."""
    asset, method, key = _asset_filter(ctx), ctx.params.opt("method"), ctx.params.opt("key")
    return [
        {"address": address, "asset": REST_ASSET[a], "method": m, "key": name, "verified": True}
        for name, (a, m, address) in WITHDRAW_KEYS.items()
        if asset in (None, a) and method in (None, m) and key in (None, name)
    ]


async def withdraw_methods(ctx: Ctx) -> Any:
    asset = _asset_filter(ctx)
    return [
        {
            "asset": REST_ASSET[a],
            "method": m,
            "network": m if a != "USD" else None,
            "minimum": f"{WITHDRAW_FEES[a] * 2:f}",
        }
        for a, m in METHODS.items()
        if asset in (None, a)
    ]


def token_route(tokens: Tokens) -> Route:
    async def get_token(ctx: Ctx) -> Any:
        return {"token": tokens.issue(ctx.key, ctx.now), "expires": TOKEN_TTL_MS // 1000}

    return Route("GetWebSocketsToken", get_token)


def routes(tokens: Tokens) -> list[Route]:
    return [
        Route("Balance", balance),
        Route("BalanceEx", balance_ex),
        Route("TradeBalance", trade_balance),
        Route("TradeVolume", trade_volume),
        Route("WalletTransfer", wallet_transfer),
        Route("Withdraw", withdraw),
        Route("WithdrawStatus", withdraw_status),
        Route("WithdrawAddresses", withdraw_addresses),
        Route("WithdrawMethods", withdraw_methods),
        Route("DepositStatus", deposit_status),
        token_route(tokens),
    ]

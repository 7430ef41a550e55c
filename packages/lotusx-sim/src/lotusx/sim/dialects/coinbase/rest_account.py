"""Accounts (one per currency per portfolio), fee tier, portfolios and `move_funds`.

A CDP key is permissioned to one portfolio ("retail_portfolio_id ... CDP keys will default to a
key's permissioned portfolio"), so account and order reads see that portfolio only; the user's
three portfolios are the main account's default portfolio and two more (the sub-accounts).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotusx.sim.core import MAIN, SUB1, SUB2
from lotusx.sim.dialects.coinbase.errors import invalid, not_found
from lotusx.sim.dialects.coinbase.http import Ctx, Route
from lotusx.sim.dialects.coinbase.params import decimal
from lotusx.sim.dialects.coinbase.render import Json, plain, rfc3339
from lotusx.sim.model import Rejected

CURRENCIES = ("USD", "BTC", "ETH")
NAMES = {MAIN: "Default", SUB1: "Portfolio 2", SUB2: "Portfolio 3"}
ACCOUNTS_DEFAULT, ACCOUNTS_MAX = 49, 250


def _money(value: Decimal, currency: str) -> Json:
    return {"value": plain(value), "currency": currency}


def account_json(ctx: Ctx, account: str, currency: str) -> Json:
    bal = ctx.core.ledger.balance(account, "spot", currency)
    created = rfc3339(ctx.core.ledger.accounts[account].created_ms)
    return {
        "uuid": ctx.ids.account(account, currency),
        "name": f"{currency} Wallet",
        "currency": currency,
        "available_balance": _money(bal.free, currency),
        "default": True,
        "active": True,
        "created_at": created,
        "updated_at": rfc3339(ctx.now),
        "deleted_at": None,
        "type": "ACCOUNT_TYPE_FIAT" if currency == "USD" else "ACCOUNT_TYPE_CRYPTO",
        "ready": True,
        "hold": _money(bal.locked, currency),
        "retail_portfolio_id": ctx.ids.portfolios[account],
        "platform": "ACCOUNT_PLATFORM_CONSUMER",
    }


async def accounts(ctx: Ctx) -> Any:
    limit = ctx.query.integer("limit", ACCOUNTS_DEFAULT, 1, ACCOUNTS_MAX)
    cursor = ctx.query.opt("cursor")
    if cursor is not None and not cursor.isdigit():
        raise invalid("invalid cursor")
    start = int(cursor or 0)
    rows = [account_json(ctx, ctx.acct, c) for c in CURRENCIES]
    page = rows[start : start + limit]
    more = start + limit < len(rows)
    return {
        "accounts": page,
        "has_next": more,
        "cursor": str(start + limit) if more else "",
        "size": len(page),
    }


async def one_account(ctx: Ctx) -> Any:
    wanted = ctx.path.get("account_uuid")
    for currency in CURRENCIES:
        if ctx.ids.account(ctx.acct, currency) == wanted:
            return {"account": account_json(ctx, ctx.acct, currency)}
    raise not_found("account not found")


async def transaction_summary(ctx: Ctx) -> Any:
    spec = next(iter(ctx.core.specs["spot"].values()))
    maker, taker = ctx.core.ledger.fee_rates(ctx.acct, "spot", (spec.maker_fee, spec.taker_fee))
    fills = [f for sym in ctx.core.specs["spot"] for f in ctx.engine.account_fills(ctx.acct, sym)]
    volume = sum((f.quote_qty for f in fills), Decimal(0))
    fees = sum((f.fee if f.fee_asset == "USD" else f.fee * f.price for f in fills), Decimal(0))
    return {
        "total_volume": float(volume),
        "total_fees": float(fees),
        "fee_tier": {
            "pricing_tier": "Advanced 1",
            "usd_from": "0",
            "usd_to": "1000",
            "taker_fee_rate": plain(taker),
            "maker_fee_rate": plain(maker),
            "aop_from": "",
            "aop_to": "",
        },
        "margin_rate": None,
        "goods_and_services_tax": None,
        "advanced_trade_only_volume": float(volume),
        "advanced_trade_only_fees": float(fees),
        "coinbase_pro_volume": 0,
        "coinbase_pro_fees": 0,
        "total_balance": "",
        "has_promo_fee": False,
    }


def portfolio_json(ctx: Ctx, account: str) -> Json:
    return {
        "name": NAMES[account],
        "uuid": ctx.ids.portfolios[account],
        "type": "DEFAULT" if account == MAIN else "CONSUMER",
        "deleted": False,
    }


async def portfolios(ctx: Ctx) -> Any:
    kind = ctx.query.opt("portfolio_type")
    if kind not in (None, "UNDEFINED", "DEFAULT", "CONSUMER", "INTX"):
        raise invalid("invalid portfolio_type")
    rows = [portfolio_json(ctx, a) for a in (MAIN, SUB1, SUB2)]
    return {"portfolios": [r for r in rows if kind in (None, "UNDEFINED", r["type"])]}


def _usd(ctx: Ctx, currency: str) -> Decimal:
    return Decimal(1) if currency == "USD" else ctx.core.fair[currency]()


async def breakdown(ctx: Ctx) -> Any:
    account = ctx.ids.by_portfolio.get(ctx.path.get("portfolio_uuid", ""))
    if account is None:
        raise not_found("portfolio not found")
    positions = []
    total = cash = crypto = Decimal(0)
    for currency in CURRENCIES:
        bal = ctx.core.ledger.balance(account, "spot", currency)
        fiat = (bal.total * _usd(ctx, currency)).quantize(Decimal("0.01"))
        free_fiat = (bal.free * _usd(ctx, currency)).quantize(Decimal("0.01"))
        total += fiat
        cash, crypto = (cash + fiat, crypto) if currency == "USD" else (cash, crypto + fiat)
        positions.append(
            {
                "asset": currency,
                "account_uuid": ctx.ids.account(account, currency),
                "total_balance_fiat": float(fiat),
                "total_balance_crypto": float(bal.total),
                "available_to_trade_fiat": float(free_fiat),
                "allocation": 0.0,
                "cost_basis": _money(Decimal(0), "USD"),
                "asset_img_url": "",
                "is_cash": currency == "USD",
                "available_to_trade_crypto": float(bal.free),
                "available_to_transfer_fiat": float(free_fiat),
                "available_to_transfer_crypto": float(bal.free),
            }
        )
    for row in positions:
        row["allocation"] = float(Decimal(str(row["total_balance_fiat"])) / total) if total else 0.0
    return {
        "breakdown": {
            "portfolio": portfolio_json(ctx, account),
            "portfolio_balances": {
                "total_balance": _money(total, "USD"),
                "total_futures_balance": _money(Decimal(0), "USD"),
                "total_cash_equivalent_balance": _money(cash, "USD"),
                "total_crypto_balance": _money(crypto, "USD"),
                "futures_unrealized_pnl": _money(Decimal(0), "USD"),
                "perp_unrealized_pnl": _money(Decimal(0), "USD"),
            },
            "spot_positions": positions,
            "perp_positions": [],
            "futures_positions": [],
        }
    }


async def move_funds(ctx: Ctx) -> Any:
    body = ctx.body
    funds = body.get("funds")
    src_id, dst_id = body.get("source_portfolio_uuid"), body.get("target_portfolio_uuid")
    if not isinstance(funds, dict) or not isinstance(funds.get("currency"), str):
        raise invalid("funds is required")
    amount = decimal(funds.get("value"), "funds.value")
    currency = funds["currency"]
    if not isinstance(src_id, str) or not isinstance(dst_id, str):
        raise invalid("source_portfolio_uuid and target_portfolio_uuid are required")
    src, dst = ctx.ids.by_portfolio.get(src_id), ctx.ids.by_portfolio.get(dst_id)
    if src is None or dst is None:
        raise not_found("portfolio not found")
    if src == dst:
        raise invalid("source and target portfolios must differ")
    if currency not in CURRENCIES or amount <= 0:
        raise invalid("invalid funds")
    try:
        ctx.core.ledger.transfer((src, "spot"), (dst, "spot"), currency, amount, "MOVE_FUNDS")
    except Rejected:
        raise invalid("insufficient funds in source portfolio") from None
    return {"source_portfolio_uuid": src_id, "target_portfolio_uuid": dst_id}


def routes() -> list[Route]:
    return [
        Route("GET", "/accounts", accounts),
        Route("GET", "/accounts/{account_uuid}", one_account),
        Route("GET", "/transaction_summary", transaction_summary),
        Route("GET", "/portfolios", portfolios),
        Route("GET", "/portfolios/{portfolio_uuid}", breakdown),
        Route("POST", "/portfolios/move_funds", move_funds),
    ]

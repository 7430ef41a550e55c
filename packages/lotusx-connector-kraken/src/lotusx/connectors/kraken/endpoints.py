"""Kraken base URLs, REST endpoints and what each one costs.

Spot (``/0/public``, ``/0/private`` on ``spot_rest``) and Kraken Futures (``/derivatives/api/v3``
on ``futures_rest``) are separate platforms with separate limits, so each has its own
`RateLimiter`:

* Spot private calls share one per-key counter that decays continuously (Starter: at most 15,
  -0.33/s; Intermediate: 20, -0.5/s; Pro: 20, -1/s). A rolling window of ``max`` units over
  ``max / decay`` seconds allows the same burst and the same sustained rate, so that is how it
  is modelled (quota ``counter``). Ledger and trade-history calls cost 2, others 1.
  Placing and cancelling are governed by the matching engine's own per-pair limiter instead
  (quota ``orders``: Starter 60, decay 1/s, the same way).
* Spot public calls are limited per IP (about one per second); quota ``public``.
* Futures ``/derivatives`` calls spend a budget of 500 cost units per 10 s (quota ``derivatives``),
  at the documented costs (futures rate limits guide): sendorder/editorder/cancelorder 10,
  batchorder 9 + batch size (`batch_cost`), cancelallorders and cancelallordersafter 25,
  withdrawal to the spot wallet 100, fills 2 (25 with ``lastFillTime``), orders/status 1,
  PUT leveragepreferences and transfer 10, other reads 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from lotusx.core.ratelimit import Quota, WindowKind
from lotusx.core.transport.rest import BodyFormat, Endpoint

__all__ = ["MAINNET", "TESTNET", "TIERS", "Venue", "futures_quotas", "spot_quotas"]


class Venue(StrEnum):
    SPOT = "spot"
    FUTURES = "futures"


MAINNET: Mapping[str, str] = {
    "spot_rest": "https://api.kraken.com",
    "spot_ws": "wss://ws.kraken.com/v2",
    "spot_ws_auth": "wss://ws-auth.kraken.com/v2",
    "futures_rest": "https://futures.kraken.com",
    "futures_ws": "wss://futures.kraken.com/ws/v1",
}
# Spot has no sandbox: "testnet" means the Kraken Futures demo environment; spot calls there are
# refused (ConfigurationError) rather than silently sent to the live spot exchange.
TESTNET: Mapping[str, str] = {
    "spot_rest": "",
    "spot_ws": "",
    "spot_ws_auth": "",
    "futures_rest": "https://demo-futures.kraken.com",
    "futures_ws": "wss://demo-futures.kraken.com/ws/v1",
}

# Spot verification tiers: (counter maximum, decay per second).
TIERS: Mapping[str, tuple[int, float]] = {
    "starter": (15, 0.33),
    "intermediate": (20, 0.5),
    "pro": (20, 1.0),
}
_ORDER_LIMIT = {"starter": (60, 1.0), "intermediate": (125, 2.34), "pro": (180, 3.75)}


def _decaying(name: str, maximum: int, decay: float) -> Quota:
    return Quota(name, maximum, int(maximum / decay * 1000), WindowKind.ROLLING, headroom=0.0)


def spot_quotas(tier: str) -> list[Quota]:
    counter, decay = TIERS[tier]
    orders, order_decay = _ORDER_LIMIT[tier]
    return [
        _decaying("counter", counter, decay),
        _decaying("orders", orders, order_decay),
        Quota("public", 5, 5_000, WindowKind.ROLLING, headroom=0.0),
    ]


def futures_quotas() -> list[Quota]:
    return [Quota("derivatives", 500, 10_000, WindowKind.ROLLING, headroom=0.02)]


def _spot_public(name: str, path: str) -> Endpoint:
    return Endpoint(name, "GET", "spot_rest", "/0/public/" + path, False, {"public": 1})


def _spot_private(
    name: str, path: str, cost: int = 1, *, orders: int = 0, idempotent: bool | None = None
) -> Endpoint:
    costs = {"orders": orders} if orders else {"counter": cost}
    return Endpoint(
        name, "POST", "spot_rest", "/0/private/" + path, True, costs, idempotent, BodyFormat.FORM
    )


def _spot_json(name: str, path: str, *, orders: int) -> Endpoint:
    return Endpoint(
        name,
        "POST",
        "spot_rest",
        "/0/private/" + path,
        True,
        {"orders": orders},
        False,
        BodyFormat.JSON,
    )


def _fut(
    name: str,
    method: str,
    path: str,
    cost: int,
    *,
    signed: bool = True,
    idempotent: bool | None = None,
) -> Endpoint:
    body = BodyFormat.QUERY if method == "GET" else BodyFormat.FORM
    return Endpoint(
        name,
        method,
        "futures_rest",
        "/derivatives/api/v3/" + path,
        signed,
        {"derivatives": cost},
        idempotent,
        body,
    )


# ----------------------------------------------------------------------------- spot public

TIME = _spot_public("spot.Time", "Time")
SYSTEM_STATUS = _spot_public("spot.SystemStatus", "SystemStatus")
ASSETS = _spot_public("spot.Assets", "Assets")
ASSET_PAIRS = _spot_public("spot.AssetPairs", "AssetPairs")
DEPTH = _spot_public("spot.Depth", "Depth")
TRADES = _spot_public("spot.Trades", "Trades")
OHLC = _spot_public("spot.OHLC", "OHLC")
TICKER = _spot_public("spot.Ticker", "Ticker")

# ----------------------------------------------------------------------------- spot private
# Reads are idempotent (retried); every private call may be re-sent after ``EAPI:Invalid nonce``
# (the request was refused before anything happened), see signer.py.

BALANCE_EX = _spot_private("spot.BalanceEx", "BalanceEx", idempotent=True)
TRADE_VOLUME = _spot_private("spot.TradeVolume", "TradeVolume", idempotent=True)
OPEN_ORDERS = _spot_private("spot.OpenOrders", "OpenOrders", idempotent=True)
CLOSED_ORDERS = _spot_private("spot.ClosedOrders", "ClosedOrders", idempotent=True)
QUERY_ORDERS = _spot_private("spot.QueryOrders", "QueryOrders", idempotent=True)
TRADES_HISTORY = _spot_private("spot.TradesHistory", "TradesHistory", 2, idempotent=True)
ADD_ORDER = _spot_private("spot.AddOrder", "AddOrder", orders=1, idempotent=False)
AMEND_ORDER = _spot_private("spot.AmendOrder", "AmendOrder", orders=1, idempotent=False)
CANCEL_ORDER = _spot_private("spot.CancelOrder", "CancelOrder", orders=1, idempotent=True)
CANCEL_ALL = _spot_private("spot.CancelAll", "CancelAll", orders=1, idempotent=True)
ADD_ORDER_BATCH = _spot_json("spot.AddOrderBatch", "AddOrderBatch", orders=1)
CANCEL_ORDER_BATCH = _spot_json("spot.CancelOrderBatch", "CancelOrderBatch", orders=1)
WALLET_TRANSFER = _spot_private("spot.WalletTransfer", "WalletTransfer", idempotent=False)
WITHDRAW = _spot_private("spot.Withdraw", "Withdraw", idempotent=False)
WITHDRAW_ADDRESSES = _spot_private("spot.WithdrawAddresses", "WithdrawAddresses", idempotent=True)
WITHDRAW_STATUS = _spot_private("spot.WithdrawStatus", "WithdrawStatus", idempotent=True)
DEPOSIT_STATUS = _spot_private("spot.DepositStatus", "DepositStatus", idempotent=True)
WS_TOKEN = _spot_private("spot.GetWebSocketsToken", "GetWebSocketsToken", idempotent=True)

BATCH_MAX = 15  # AddOrderBatch: 2..15 orders, one pair
BATCH_MIN = 2
CANCEL_BATCH_MAX = 50
QUERY_MAX = 50  # QueryOrders: at most 50 txids per call
DEPTH_MAX = 500
OHLC_INTERVALS: Mapping[str, int] = {
    "1m": 1,
    "5m": 5,
    "15m": 15,
    "30m": 30,
    "1h": 60,
    "4h": 240,
    "1d": 1440,
    "1w": 10080,
    "15d": 21600,
}

# ----------------------------------------------------------------------------- futures

F_INSTRUMENTS = _fut("futures.instruments", "GET", "instruments", 0, signed=False)
F_TICKERS = _fut("futures.tickers", "GET", "tickers", 0, signed=False)
F_ORDERBOOK = _fut("futures.orderbook", "GET", "orderbook", 0, signed=False)
F_HISTORY = _fut("futures.history", "GET", "history", 0, signed=False)
F_FUNDING = _fut(
    "futures.historical-funding-rates", "GET", "historical-funding-rates", 0, signed=False
)
F_SEND_ORDER = _fut("futures.sendorder", "POST", "sendorder", 10, idempotent=False)
F_EDIT_ORDER = _fut("futures.editorder", "POST", "editorder", 10, idempotent=False)
F_CANCEL_ORDER = _fut("futures.cancelorder", "POST", "cancelorder", 10, idempotent=True)
F_CANCEL_ALL = _fut("futures.cancelallorders", "POST", "cancelallorders", 25, idempotent=True)
# batchorder costs 9 + the number of instructions: pass `batch_cost(n)` as the call's costs.
F_BATCH = _fut("futures.batchorder", "POST", "batchorder", 10, idempotent=False)
F_OPEN_ORDERS = _fut("futures.openorders", "GET", "openorders", 2)
F_ORDER_STATUS = _fut("futures.orders.status", "POST", "orders/status", 1, idempotent=True)
F_OPEN_POSITIONS = _fut("futures.openpositions", "GET", "openpositions", 2)
F_ACCOUNTS = _fut("futures.accounts", "GET", "accounts", 2)
F_FILLS = _fut("futures.fills", "GET", "fills", 2)
F_LEVERAGE_GET = _fut("futures.leveragepreferences", "GET", "leveragepreferences", 2)
F_LEVERAGE_SET = _fut(
    "futures.leveragepreferences.set", "PUT", "leveragepreferences", 10, idempotent=True
)
F_SUBACCOUNTS = _fut("futures.subaccounts", "GET", "subaccounts", 2)
F_TRANSFER = _fut("futures.transfer", "POST", "transfer", 10, idempotent=False)
F_WITHDRAWAL = _fut("futures.withdrawal", "POST", "withdrawal", 100, idempotent=False)
F_CANCEL_ALL_AFTER = _fut(
    "futures.cancelallordersafter", "POST", "cancelallordersafter", 25, idempotent=True
)

CHART_RESOLUTIONS = ("1m", "5m", "15m", "30m", "1h", "4h", "12h", "1d", "1w")
CHART_MS: Mapping[str, int] = {
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "4h": 14_400_000,
    "12h": 43_200_000,
    "1d": 86_400_000,
    "1w": 604_800_000,
}


def batch_cost(size: int) -> dict[str, int]:
    """The costs of one ``batchorder`` call of ``size`` instructions: 9 + size."""
    return {"derivatives": 9 + size}


def chart(symbol: str, resolution: str) -> Endpoint:
    """Futures Charts API ``/api/charts/v1/trade/{symbol}/{resolution}`` (public)."""
    path = f"/api/charts/v1/trade/{symbol}/{resolution}"
    return Endpoint("futures.charts", "GET", "futures_rest", path, False, {})


F_FILLS_WITH_TIME = 25  # fills with lastFillTime: pass {"derivatives": F_FILLS_WITH_TIME}
F_BATCH_MAX = 100  # orders per batchorder call (our chunk size)
FUNDING_INTERVAL_MS = 3_600_000  # Kraken Futures perpetuals fund every hour

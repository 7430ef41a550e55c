"""OKX v5 base URLs, REST endpoints and their published rate limits.

Spot, swaps and wallet calls share one REST host, so the connector has one `RestClient` and one
`RateLimiter`. OKX publishes a quota per endpoint ("20 requests per 2 seconds"), counted by IP for
public endpoints and by user id for private ones, over rolling windows; every endpoint below
declares its own quota (named after the endpoint) and costs 1 unit of it per request. Batch
endpoints count each item (their cost is passed per call: `batch_costs`). New and amended orders
also count against the sub-account-wide ``orders_2s`` quota (1000 per 2 s, error 50061).
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from lotusx.core.ratelimit import Quota, WindowKind
from lotusx.core.transport.rest import BodyFormat, Endpoint

__all__ = [
    "BATCH_MAX",
    "MAINNET",
    "ORDERS_QUOTA",
    "QUOTAS",
    "TESTNET",
    "EndpointLimit",
    "batch_costs",
]

# URL keys are a contract with lotusx-sim: exactly these four.
MAINNET: Mapping[str, str] = {
    "rest": "https://www.okx.com",
    "ws_public": "wss://ws.okx.com:8443/ws/v5/public",
    "ws_private": "wss://ws.okx.com:8443/ws/v5/private",
    "ws_business": "wss://ws.okx.com:8443/ws/v5/business",
}
# Demo trading: the same REST host with the ``x-simulated-trading: 1`` header, and its own WS hosts.
TESTNET: Mapping[str, str] = {
    "rest": "https://www.okx.com",
    "ws_public": "wss://wspap.okx.com:8443/ws/v5/public",
    "ws_private": "wss://wspap.okx.com:8443/ws/v5/private",
    "ws_business": "wss://wspap.okx.com:8443/ws/v5/business",
}
DEMO_HEADER = {"x-simulated-trading": "1"}

BATCH_MAX = 20  # items per batch place / amend / cancel request
ORDERS_QUOTA = "orders_2s"


class EndpointLimit(msgspec.Struct, frozen=True):
    """A published per-endpoint quota: ``limit`` requests per ``window_ms`` in ``scope``."""

    quota: str
    limit: int
    window_ms: int
    scope: str  # "ip" (public) or "uid" (private, per sub-account)


LIMITS: dict[str, EndpointLimit] = {}


def _ep(
    name: str,
    method: str,
    path: str,
    limit: int,
    window_ms: int = 2000,
    *,
    signed: bool = False,
    orders: bool = False,
    idempotent: bool | None = None,
) -> Endpoint:
    LIMITS[name] = EndpointLimit(name, limit, window_ms, "uid" if signed else "ip")
    costs = {name: 1}
    if orders:
        costs[ORDERS_QUOTA] = 1
    return Endpoint(name, method, "rest", path, signed, costs, idempotent, BodyFormat.JSON)


# ----------------------------------------------------------------------------- public

TIME = _ep("public.time", "GET", "/api/v5/public/time", 10)
SYSTEM_STATUS = _ep("system.status", "GET", "/api/v5/system/status", 1, 5000)
INSTRUMENTS = _ep("public.instruments", "GET", "/api/v5/public/instruments", 20)
BOOKS = _ep("market.books", "GET", "/api/v5/market/books", 40)
TRADES = _ep("market.trades", "GET", "/api/v5/market/trades", 100)
CANDLES = _ep("market.candles", "GET", "/api/v5/market/candles", 40)
TICKER = _ep("market.ticker", "GET", "/api/v5/market/ticker", 20)
INDEX_TICKERS = _ep("market.index-tickers", "GET", "/api/v5/market/index-tickers", 20)
MARK_PRICE = _ep("public.mark-price", "GET", "/api/v5/public/mark-price", 10)
FUNDING_RATE = _ep("public.funding-rate", "GET", "/api/v5/public/funding-rate", 20)
FUNDING_HISTORY = _ep(
    "public.funding-rate-history", "GET", "/api/v5/public/funding-rate-history", 10
)
POSITION_TIERS = _ep("public.position-tiers", "GET", "/api/v5/public/position-tiers", 10)

# ----------------------------------------------------------------------------- trade

ORDER = _ep("trade.order", "POST", "/api/v5/trade/order", 60, signed=True, orders=True)
BATCH_ORDERS = _ep(
    "trade.batch-orders", "POST", "/api/v5/trade/batch-orders", 300, signed=True, orders=True
)
AMEND = _ep("trade.amend-order", "POST", "/api/v5/trade/amend-order", 60, signed=True, orders=True)
AMEND_BATCH = _ep(
    "trade.amend-batch-orders",
    "POST",
    "/api/v5/trade/amend-batch-orders",
    300,
    signed=True,
    orders=True,
)
CANCEL = _ep("trade.cancel-order", "POST", "/api/v5/trade/cancel-order", 60, signed=True)
CANCEL_BATCH = _ep(
    "trade.cancel-batch-orders", "POST", "/api/v5/trade/cancel-batch-orders", 300, signed=True
)
ORDER_GET = _ep("trade.order.get", "GET", "/api/v5/trade/order", 60, signed=True)
ORDERS_PENDING = _ep("trade.orders-pending", "GET", "/api/v5/trade/orders-pending", 60, signed=True)
FILLS = _ep("trade.fills", "GET", "/api/v5/trade/fills", 60, signed=True)

# ----------------------------------------------------------------------------- account

BALANCE = _ep("account.balance", "GET", "/api/v5/account/balance", 10, signed=True)
POSITIONS = _ep("account.positions", "GET", "/api/v5/account/positions", 10, signed=True)
TRADE_FEE = _ep("account.trade-fee", "GET", "/api/v5/account/trade-fee", 5, signed=True)
LEVERAGE_INFO = _ep(
    "account.leverage-info", "GET", "/api/v5/account/leverage-info", 20, signed=True
)
SET_LEVERAGE = _ep(
    "account.set-leverage",
    "POST",
    "/api/v5/account/set-leverage",
    20,
    signed=True,
    idempotent=True,
)
SUBACCOUNTS = _ep("users.subaccount.list", "GET", "/api/v5/users/subaccount/list", 2, signed=True)

# ----------------------------------------------------------------------------- funding account

ASSET_BALANCES = _ep("asset.balances", "GET", "/api/v5/asset/balances", 6, 1000, signed=True)
TRANSFER = _ep("asset.transfer", "POST", "/api/v5/asset/transfer", 2, 1000, signed=True)
WITHDRAW = _ep("asset.withdrawal", "POST", "/api/v5/asset/withdrawal", 6, 1000, signed=True)
WITHDRAWAL_HISTORY = _ep(
    "asset.withdrawal-history", "GET", "/api/v5/asset/withdrawal-history", 6, 1000, signed=True
)
DEPOSIT_HISTORY = _ep(
    "asset.deposit-history", "GET", "/api/v5/asset/deposit-history", 6, 1000, signed=True
)

LIMITS[ORDERS_QUOTA] = EndpointLimit(ORDERS_QUOTA, 1000, 2000, "uid")

QUOTAS: tuple[Quota, ...] = tuple(
    Quota(rule.quota, rule.limit, rule.window_ms, WindowKind.ROLLING) for rule in LIMITS.values()
)


_SINGLE_OF_BATCH: dict[str, Endpoint] = {
    BATCH_ORDERS.name: ORDER,
    AMEND_BATCH.name: AMEND,
    CANCEL_BATCH.name: CANCEL,
}


def batch_costs(endpoint: Endpoint, items: int) -> dict[str, int]:
    """A batch request counts each of its ``items`` against its quotas; a batch of one counts
    against the single-order endpoint's quota instead (as OKX documents)."""
    single = _SINGLE_OF_BATCH.get(endpoint.name)
    if items == 1 and single is not None:
        return dict(single.costs)
    return {name: cost * items for name, cost in endpoint.costs.items()}

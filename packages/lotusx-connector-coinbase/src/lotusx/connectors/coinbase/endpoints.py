"""Coinbase Advanced Trade base URLs, REST endpoints and the quotas each call draws on.

One REST host serves every call under ``/api/v3/brokerage``. Coinbase documents two REST
limits: 30 requests/s per user on private (authenticated) endpoints and 10 requests/s per IP on
public ones; over them it answers HTTP 429. It sends no usage headers, so the limiter only
counts what this process sends (quotas ``user_1s`` and ``ip_1s``, rolling windows).

Market data has an authenticated path (``/products``, ``/product_book``...) and a public twin
under ``/market/``; the connector uses the authenticated one when it has keys (the user quota,
three times larger) and the public one otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

from lotusx.core.ratelimit import Quota, WindowKind
from lotusx.core.transport.rest import BodyFormat, Endpoint

__all__ = [
    "CANCEL_MAX",
    "DEFAULT_QUOTAS",
    "IP_QUOTA",
    "MAINNET",
    "USER_QUOTA",
    "costs",
]

# The URL keys are a contract with lotusx-sim: exactly these three.
MAINNET: Mapping[str, str] = {
    "rest": "https://api.coinbase.com",
    "ws": "wss://advanced-trade-ws.coinbase.com",
    "ws_user": "wss://advanced-trade-ws-user.coinbase.com",
}
# No testnet: Coinbase's Advanced Trade sandbox (api-sandbox.coinbase.com) serves static,
# mocked replies and no WebSocket, so it cannot stand in for the venue (see the exchange page).
TESTNET: Mapping[str, str] = {}

SECOND = 1000
USER_QUOTA = Quota("user_1s", 30, SECOND, WindowKind.ROLLING)
IP_QUOTA = Quota("ip_1s", 10, SECOND, WindowKind.ROLLING)
DEFAULT_QUOTAS: tuple[Quota, ...] = (USER_QUOTA, IP_QUOTA)

PREFIX = "/api/v3/brokerage"


def costs(endpoint: Endpoint) -> dict[str, int]:
    """One request of the user quota (signed calls) or of the IP quota (public calls)."""
    return {(USER_QUOTA if endpoint.signed else IP_QUOTA).name: 1}


def _ep(
    name: str, method: str, path: str, *, signed: bool = True, idempotent: bool | None = None
) -> Endpoint:
    return Endpoint(name, method, "rest", PREFIX + path, signed, {}, idempotent, BodyFormat.JSON)


def with_product(endpoint: Endpoint, product_id: str) -> Endpoint:
    """``endpoint`` with ``{product_id}`` in its path filled in (names and quotas unchanged)."""
    return Endpoint(
        endpoint.name,
        endpoint.method,
        endpoint.base,
        endpoint.path.replace("{product_id}", product_id),
        endpoint.signed,
        endpoint.costs,
        endpoint.idempotent,
        endpoint.body,
    )


def with_order(endpoint: Endpoint, order_id: str) -> Endpoint:
    """``endpoint`` with ``{order_id}`` in its path filled in."""
    return Endpoint(
        endpoint.name,
        endpoint.method,
        endpoint.base,
        endpoint.path.replace("{order_id}", order_id),
        endpoint.signed,
        endpoint.costs,
        endpoint.idempotent,
        endpoint.body,
    )


# ----------------------------------------------------------------------------- public

TIME = _ep("time", "GET", "/time", signed=False)
PUBLIC_PRODUCTS = _ep("market.products", "GET", "/market/products", signed=False)
PUBLIC_BOOK = _ep("market.product_book", "GET", "/market/product_book", signed=False)
PUBLIC_TICKER = _ep(
    "market.products.ticker", "GET", "/market/products/{product_id}/ticker", signed=False
)
PUBLIC_CANDLES = _ep(
    "market.products.candles", "GET", "/market/products/{product_id}/candles", signed=False
)

# ----------------------------------------------------------------------------- market (keys)

PRODUCTS = _ep("products", "GET", "/products")
BOOK = _ep("product_book", "GET", "/product_book")
TICKER = _ep("products.ticker", "GET", "/products/{product_id}/ticker")
CANDLES = _ep("products.candles", "GET", "/products/{product_id}/candles")

# ----------------------------------------------------------------------------- orders

# Not idempotent for the transport's retry: a lost answer is resolved by the client order id
# (Coinbase answers a repeated ``client_order_id`` with the order it already holds).
CREATE_ORDER = _ep("orders.create", "POST", "/orders")
EDIT_ORDER = _ep("orders.edit", "POST", "/orders/edit")
# Cancelling an order twice is harmless: safe to resend.
CANCEL_ORDERS = _ep("orders.batch_cancel", "POST", "/orders/batch_cancel", idempotent=True)
GET_ORDER = _ep("orders.get", "GET", "/orders/historical/{order_id}")
LIST_ORDERS = _ep("orders.list", "GET", "/orders/historical/batch")
LIST_FILLS = _ep("orders.fills", "GET", "/orders/historical/fills")

# ----------------------------------------------------------------------------- account

ACCOUNTS = _ep("accounts", "GET", "/accounts")
TRANSACTION_SUMMARY = _ep("transaction_summary", "GET", "/transaction_summary")
PORTFOLIOS = _ep("portfolios", "GET", "/portfolios")
MOVE_FUNDS = _ep("portfolios.move_funds", "POST", "/portfolios/move_funds")

# ----------------------------------------------------------------------------- request limits

CANCEL_MAX = 100  # order ids per batch_cancel request
BOOK_MAX = 1000  # /product_book limit (LotusX's cap; Coinbase documents no maximum)
TRADES_MAX = 1000  # /products/{id}/ticker limit
CANDLES_MAX = 350  # candles per /candles request
ORDERS_PAGE = 1000  # /orders/historical/batch limit
FILLS_PAGE = 100
ACCOUNTS_PAGE = 250  # /accounts limit (documented maximum)

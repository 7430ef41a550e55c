"""Bybit v5 base URLs, REST endpoints and the quotas each call draws on.

One REST host serves every category (``category=spot|linear`` in the request). Bybit limits
requests twice: per IP (600 requests in any 5 s, quota ``ip_5s``) and per UID, per endpoint, in a
rolling window (``order.create:linear`` 10/s, ``order.create:spot`` 20/s...). Each response's
``X-Bapi-Limit`` (the endpoint's limit) and ``X-Bapi-Limit-Status`` (what is left) correct the
local quota of the endpoint that was just called (`observe_headers`).
"""

from __future__ import annotations

from collections.abc import Mapping

from lotusx.core.ratelimit import Quota, RateLimiter, WindowKind
from lotusx.core.transport.rest import BodyFormat, Endpoint

__all__ = [
    "BATCH_MAX",
    "DEFAULT_QUOTAS",
    "IP_QUOTA",
    "LIMITS",
    "MAINNET",
    "TESTNET",
    "costs",
    "observe_headers",
    "quota_name",
    "ws_costs",
]

# The URL keys are a contract with lotusx-sim: exactly these five.
MAINNET: Mapping[str, str] = {
    "rest": "https://api.bybit.com",
    "ws_public_spot": "wss://stream.bybit.com/v5/public/spot",
    "ws_public_linear": "wss://stream.bybit.com/v5/public/linear",
    "ws_private": "wss://stream.bybit.com/v5/private",
    "ws_trade": "wss://stream.bybit.com/v5/trade",
}
TESTNET: Mapping[str, str] = {
    "rest": "https://api-testnet.bybit.com",
    "ws_public_spot": "wss://stream-testnet.bybit.com/v5/public/spot",
    "ws_public_linear": "wss://stream-testnet.bybit.com/v5/public/linear",
    "ws_private": "wss://stream-testnet.bybit.com/v5/private",
    "ws_trade": "wss://stream-testnet.bybit.com/v5/trade",
}

SECOND = 1000
MINUTE = 60_000
IP_QUOTA = Quota("ip_5s", 600, 5000, WindowKind.ROLLING)

# Orders per batch request. The create-batch page allows 20 linear / 10 spot orders, the rate-limit
# page "1-10 orders/request": 10 is valid everywhere.
BATCH_MAX = 10

ANY = "all"  # the quota group of endpoints whose limit does not depend on the category

# Per-UID limits (rate-limit page, UTA 2.0 Pro defaults): endpoint → group → (limit, window).
# A group is a category (``spot``, ``linear``) or ``all``.
LIMITS: Mapping[str, Mapping[str, tuple[int, int]]] = {
    "order.create": {"spot": (20, SECOND), "linear": (10, SECOND)},
    "order.amend": {"spot": (10, SECOND), "linear": (10, SECOND)},
    "order.cancel": {"spot": (20, SECOND), "linear": (10, SECOND)},
    "order.cancel-all": {"spot": (20, SECOND), "linear": (10, SECOND)},
    "order.create-batch": {"spot": (20, SECOND), "linear": (10, SECOND)},
    "order.amend-batch": {"spot": (20, SECOND), "linear": (10, SECOND)},
    "order.cancel-batch": {"spot": (20, SECOND), "linear": (10, SECOND)},
    "order.realtime": {ANY: (50, SECOND)},
    "order.history": {ANY: (50, SECOND)},
    "execution.list": {ANY: (50, SECOND)},
    "position.list": {ANY: (50, SECOND)},
    "position.set-leverage": {ANY: (10, SECOND)},
    "account.wallet-balance": {ANY: (50, SECOND)},
    "account.fee-rate": {ANY: (5, SECOND)},
    "asset.account-coins-balance": {ANY: (5, SECOND)},
    "asset.inter-transfer": {ANY: (60, MINUTE)},
    "asset.universal-transfer": {ANY: (5, SECOND)},
    "asset.withdraw": {ANY: (5, SECOND)},
    "asset.withdraw-record": {ANY: (300, MINUTE)},
    "asset.deposit-record": {ANY: (100, MINUTE)},
    "user.sub-members": {ANY: (10, SECOND)},
    "user.query-api": {ANY: (10, SECOND)},
}


def quota_name(endpoint: str, group: str) -> str:
    return f"{endpoint}:{group}"


def _quotas() -> list[Quota]:
    quotas = [IP_QUOTA]
    for endpoint, groups in LIMITS.items():
        for group, (limit, window) in groups.items():
            quotas.append(Quota(quota_name(endpoint, group), limit, window, WindowKind.ROLLING))
    return quotas


DEFAULT_QUOTAS: tuple[Quota, ...] = tuple(_quotas())


def group_of(endpoint: str, category: str | None) -> str | None:
    """The quota group a call of ``endpoint`` in ``category`` counts against (None: IP only)."""
    groups = LIMITS.get(endpoint)
    if groups is None:
        return None
    if ANY in groups:
        return ANY
    if category is not None and category in groups:
        return category
    return None


def costs(endpoint: Endpoint, category: str | None = None, count: int = 1) -> dict[str, int]:
    """What one call costs: one IP request, and ``count`` units (orders in a batch) of the
    endpoint's UID quota."""
    out = {IP_QUOTA.name: 1}
    group = group_of(endpoint.name, category)
    if group is not None:
        out[quota_name(endpoint.name, group)] = count
    return out


def ws_costs(endpoint: Endpoint, category: str | None = None, count: int = 1) -> dict[str, int]:
    """What one trade-socket request costs: the endpoint's UID quota as over REST (shared with
    REST), not the HTTP IP quota (the socket's own IP limit is far above it)."""
    return {k: v for k, v in costs(endpoint, category, count).items() if k != IP_QUOTA.name}


LIMIT_HEADER = "X-Bapi-Limit"
STATUS_HEADER = "X-Bapi-Limit-Status"
RESET_HEADER = "X-Bapi-Limit-Reset-Timestamp"


def observe_headers(
    headers: Mapping[str, str], limiter: RateLimiter, charged: Mapping[str, int], sent_ms: int
) -> None:
    """Correct the called endpoint's quota: its limit from ``X-Bapi-Limit``, its use from
    ``X-Bapi-Limit`` − ``X-Bapi-Limit-Status`` (what Bybit says is left in the window)."""
    name = next((key for key in charged if key != IP_QUOTA.name), None)
    if name is None:
        return
    limit_text, left_text = headers.get(LIMIT_HEADER), headers.get(STATUS_HEADER)
    if limit_text is None or left_text is None:
        return
    if not (limit_text.isdigit() and left_text.isdigit()):
        return
    limit, left = int(limit_text), int(left_text)
    if limit <= 0:
        return
    known = {q.name: q for q in limiter.quotas}.get(name)
    window = known.window_ms if known is not None else SECOND
    if known is None or known.limit != limit:
        limiter.set_quota(Quota(name, limit, window, WindowKind.ROLLING))
    limiter.observe(name, max(0, limit - left), sent_ms)


def _ep(
    name: str,
    method: str,
    path: str,
    *,
    signed: bool = False,
    idempotent: bool | None = None,
) -> Endpoint:
    return Endpoint(name, method, "rest", path, signed, {}, idempotent, BodyFormat.JSON)


# ----------------------------------------------------------------------------- market (public)

TIME = _ep("market.time", "GET", "/v5/market/time")
SYSTEM_STATUS = _ep("system.status", "GET", "/v5/system/status")
INSTRUMENTS = _ep("market.instruments-info", "GET", "/v5/market/instruments-info")
ORDERBOOK = _ep("market.orderbook", "GET", "/v5/market/orderbook")
RECENT_TRADES = _ep("market.recent-trade", "GET", "/v5/market/recent-trade")
KLINE = _ep("market.kline", "GET", "/v5/market/kline")
TICKERS = _ep("market.tickers", "GET", "/v5/market/tickers")
FUNDING_HISTORY = _ep("market.funding-history", "GET", "/v5/market/funding/history")
RISK_LIMIT = _ep("market.risk-limit", "GET", "/v5/market/risk-limit")

# ----------------------------------------------------------------------------- trade

ORDER_CREATE = _ep("order.create", "POST", "/v5/order/create", signed=True)
ORDER_AMEND = _ep("order.amend", "POST", "/v5/order/amend", signed=True)
ORDER_CANCEL = _ep("order.cancel", "POST", "/v5/order/cancel", signed=True)
ORDER_CANCEL_ALL = _ep("order.cancel-all", "POST", "/v5/order/cancel-all", signed=True)
ORDER_CREATE_BATCH = _ep("order.create-batch", "POST", "/v5/order/create-batch", signed=True)
ORDER_AMEND_BATCH = _ep("order.amend-batch", "POST", "/v5/order/amend-batch", signed=True)
ORDER_CANCEL_BATCH = _ep("order.cancel-batch", "POST", "/v5/order/cancel-batch", signed=True)
ORDER_REALTIME = _ep("order.realtime", "GET", "/v5/order/realtime", signed=True)
ORDER_HISTORY = _ep("order.history", "GET", "/v5/order/history", signed=True)
EXECUTIONS = _ep("execution.list", "GET", "/v5/execution/list", signed=True)

# ----------------------------------------------------------------------------- account, position

WALLET_BALANCE = _ep("account.wallet-balance", "GET", "/v5/account/wallet-balance", signed=True)
FEE_RATE = _ep("account.fee-rate", "GET", "/v5/account/fee-rate", signed=True)
POSITIONS = _ep("position.list", "GET", "/v5/position/list", signed=True)
SET_LEVERAGE = _ep(
    "position.set-leverage", "POST", "/v5/position/set-leverage", signed=True, idempotent=True
)
SUB_MEMBERS = _ep("user.sub-members", "GET", "/v5/user/query-sub-members", signed=True)
QUERY_API = _ep("user.query-api", "GET", "/v5/user/query-api", signed=True)

# ----------------------------------------------------------------------------- asset

FUND_BALANCE = _ep(
    "asset.account-coins-balance",
    "GET",
    "/v5/asset/transfer/query-account-coins-balance",
    signed=True,
)
INTER_TRANSFER = _ep(
    "asset.inter-transfer", "POST", "/v5/asset/transfer/inter-transfer", signed=True
)
UNIVERSAL_TRANSFER = _ep(
    "asset.universal-transfer", "POST", "/v5/asset/transfer/universal-transfer", signed=True
)
# ``requestId`` makes a withdrawal idempotent on Bybit's side, so a lost answer is safe to resend.
WITHDRAW = _ep("asset.withdraw", "POST", "/v5/asset/withdraw/create", signed=True, idempotent=True)
WITHDRAW_RECORDS = _ep(
    "asset.withdraw-record", "GET", "/v5/asset/withdraw/query-record", signed=True
)
DEPOSIT_RECORDS = _ep("asset.deposit-record", "GET", "/v5/asset/deposit/query-record", signed=True)

# ----------------------------------------------------------------------------- request limits

ORDERBOOK_MAX = 1000  # /v5/market/orderbook limit, spot and linear
TRADES_MAX = {"spot": 60, "linear": 1000}
KLINE_MAX = 1000
FUNDING_MAX = 200
REALTIME_PAGE = 50
EXECUTION_PAGE = 100
RECORDS_PAGE = 50
POSITIONS_PAGE = 200
INSTRUMENTS_PAGE = 1000
WS_BOOK_DEPTHS = (1, 50, 200, 1000)  # orderbook.{depth}.{symbol}, spot and linear


def ws_book_depth(depth: int) -> int:
    """The smallest published book depth holding ``depth`` levels (at most 1000)."""
    return next((d for d in WS_BOOK_DEPTHS if d >= depth), WS_BOOK_DEPTHS[-1])

"""Binance base URLs, REST endpoints and what each one costs.

Spot (``/api``, ``/sapi`` on ``spot_rest``) and USDⓈ-M futures (``/fapi`` on ``futures_rest``)
are separate hosts with separate limits, so each has its own `RateLimiter`; quota names are the
same in both and mirror Binance's headers: ``weight_1m`` (``X-MBX-USED-WEIGHT-1M``),
``orders_10s`` (``X-MBX-ORDER-COUNT-10S``), ``orders_1d``, ``orders_1m``, ``raw_5m``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from lotusx.core.ratelimit import Quota, RateLimiter
from lotusx.core.transport.rest import BodyFormat, Endpoint

__all__ = [
    "DEFAULT_QUOTAS",
    "MAINNET",
    "TESTNET",
    "Venue",
    "futures_depth_costs",
    "futures_depth_limit",
    "futures_klines_costs",
    "observe_headers",
    "quota_name",
    "spot_depth_costs",
]


class Venue(StrEnum):
    """Which Binance API a call goes to."""

    SPOT = "spot"
    FUTURES = "futures"


MAINNET: Mapping[str, str] = {
    "spot_rest": "https://api.binance.com",
    "spot_ws": "wss://stream.binance.com:9443",
    "futures_rest": "https://fapi.binance.com",
    "futures_ws": "wss://fstream.binance.com",
    "spot_ws_api": "wss://ws-api.binance.com:443/ws-api/v3",
    "futures_ws_api": "wss://ws-fapi.binance.com/ws-fapi/v1",
}
TESTNET: Mapping[str, str] = {
    "spot_rest": "https://testnet.binance.vision",
    "spot_ws": "wss://stream.testnet.binance.vision",
    "futures_rest": "https://testnet.binancefuture.com",
    "futures_ws": "wss://fstream.binancefuture.com",
    "spot_ws_api": "wss://ws-api.testnet.binance.vision/ws-api/v3",
    "futures_ws_api": "wss://testnet.binancefuture.com/ws-fapi/v1",
}

# Published defaults, used until exchangeInfo's ``rateLimits`` replace them.
DEFAULT_QUOTAS: Mapping[Venue, tuple[Quota, ...]] = {
    Venue.SPOT: (
        Quota("weight_1m", 6000, 60_000, unit="weight"),
        Quota("orders_10s", 50, 10_000, unit="orders"),
        Quota("orders_1d", 160_000, 86_400_000, unit="orders"),
        Quota("raw_5m", 61_000, 300_000, unit="raw"),
    ),
    Venue.FUTURES: (
        Quota("weight_1m", 2400, 60_000, unit="weight"),
        Quota("orders_10s", 300, 10_000, unit="orders"),
        Quota("orders_1m", 1200, 60_000, unit="orders"),
    ),
}

_KIND = {"REQUEST_WEIGHT": "weight", "ORDERS": "orders", "RAW_REQUESTS": "raw"}
_LETTER = {"SECOND": "s", "MINUTE": "m", "HOUR": "h", "DAY": "d"}
WINDOW_MS = {"SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}


def quota_unit(rate_limit_type: str) -> str | None:
    """``REQUEST_WEIGHT`` → ``weight``, ``ORDERS`` → ``orders``, ``RAW_REQUESTS`` → ``raw``."""
    return _KIND.get(rate_limit_type)


def quota_name(rate_limit_type: str, interval: str, interval_num: int) -> str | None:
    """``REQUEST_WEIGHT``/``MINUTE``/1 → ``weight_1m``; None for an unknown type or interval."""
    kind, letter = _KIND.get(rate_limit_type), _LETTER.get(interval)
    if kind is None or letter is None:
        return None
    return f"{kind}_{interval_num}{letter}"


def _costs(weight: int, orders: int = 0, *, venue: Venue) -> dict[str, int]:
    """Costs by unit: charged to every published window of request weight, order count and
    (spot) raw requests, whatever windows exchangeInfo lists."""
    costs = {"weight": weight}
    if venue is Venue.SPOT:
        costs["raw"] = 1
    if orders:
        costs["orders"] = orders
    return costs


def _body(method: str) -> BodyFormat:
    """POST/PUT/DELETE parameters travel form-encoded in the body, byte for byte as signed
    (a query string would be re-quoted by the HTTP client: see docs/exchanges/binance.md)."""
    return BodyFormat.QUERY if method == "GET" else BodyFormat.FORM


def _spot(
    name: str,
    method: str,
    path: str,
    weight: int,
    orders: int = 0,
    *,
    signed: bool = False,
    idempotent: bool | None = None,
) -> Endpoint:
    costs = _costs(weight, orders, venue=Venue.SPOT)
    return Endpoint(name, method, "spot_rest", path, signed, costs, idempotent, _body(method))


def _fut(
    name: str,
    method: str,
    path: str,
    weight: int,
    orders: int = 0,
    *,
    signed: bool = False,
    idempotent: bool | None = None,
) -> Endpoint:
    costs = _costs(weight, orders, venue=Venue.FUTURES)
    return Endpoint(name, method, "futures_rest", path, signed, costs, idempotent, _body(method))


# ----------------------------------------------------------------------------- spot /api/v3

SPOT_TIME = _spot("spot.time", "GET", "/api/v3/time", 1)
SPOT_PING = _spot("spot.ping", "GET", "/api/v3/ping", 1)
SPOT_EXCHANGE_INFO = _spot("spot.exchangeInfo", "GET", "/api/v3/exchangeInfo", 20)
SPOT_DEPTH = _spot("spot.depth", "GET", "/api/v3/depth", 5)  # real cost: spot_depth_costs
SPOT_TRADES = _spot("spot.trades", "GET", "/api/v3/trades", 25)
SPOT_KLINES = _spot("spot.klines", "GET", "/api/v3/klines", 2)
SPOT_TICKER_24H = _spot("spot.ticker24hr", "GET", "/api/v3/ticker/24hr", 2)
SPOT_ORDER = _spot("spot.order.new", "POST", "/api/v3/order", 1, 1, signed=True)
SPOT_ORDER_GET = _spot("spot.order.get", "GET", "/api/v3/order", 4, signed=True)
SPOT_ORDER_CANCEL = _spot("spot.order.cancel", "DELETE", "/api/v3/order", 1, signed=True)
SPOT_CANCEL_REPLACE = _spot(
    "spot.order.cancelReplace", "POST", "/api/v3/order/cancelReplace", 1, 1, signed=True
)
SPOT_AMEND_KEEP_PRIORITY = _spot(
    "spot.order.amendKeepPriority", "PUT", "/api/v3/order/amend/keepPriority", 4, signed=True
)
SPOT_OPEN_ORDERS = _spot("spot.openOrders", "GET", "/api/v3/openOrders", 6, signed=True)
SPOT_OPEN_ORDERS_ALL = _spot("spot.openOrders.all", "GET", "/api/v3/openOrders", 80, signed=True)
SPOT_CANCEL_ALL = _spot("spot.openOrders.cancel", "DELETE", "/api/v3/openOrders", 1, signed=True)
SPOT_MY_TRADES = _spot("spot.myTrades", "GET", "/api/v3/myTrades", 20, signed=True)
SPOT_ACCOUNT = _spot("spot.account", "GET", "/api/v3/account", 20, signed=True)
SPOT_COMMISSION = _spot("spot.commission", "GET", "/api/v3/account/commission", 20, signed=True)
SPOT_LISTEN_KEY = _spot("spot.listenKey.new", "POST", "/api/v3/userDataStream", 2, idempotent=True)
SPOT_LISTEN_KEY_KEEPALIVE = _spot(
    "spot.listenKey.keepalive", "PUT", "/api/v3/userDataStream", 2, idempotent=True
)
SPOT_LISTEN_KEY_CLOSE = _spot("spot.listenKey.close", "DELETE", "/api/v3/userDataStream", 2)

# ----------------------------------------------------------------------------- wallet /sapi

SAPI_SYSTEM_STATUS = _spot("sapi.systemStatus", "GET", "/sapi/v1/system/status", 1)
SAPI_TRANSFER = _spot("sapi.asset.transfer", "POST", "/sapi/v1/asset/transfer", 900, signed=True)
SAPI_WITHDRAW = _spot("sapi.withdraw", "POST", "/sapi/v1/capital/withdraw/apply", 1, signed=True)
SAPI_DEPOSITS = _spot(
    "sapi.depositHistory", "GET", "/sapi/v1/capital/deposit/hisrec", 1, signed=True
)
SAPI_WITHDRAWALS = _spot(
    "sapi.withdrawHistory", "GET", "/sapi/v1/capital/withdraw/history", 1, signed=True
)
SAPI_SUB_ACCOUNTS = _spot("sapi.subAccounts", "GET", "/sapi/v1/sub-account/list", 1, signed=True)
SAPI_SUB_TRANSFER = _spot(
    "sapi.subAccount.universalTransfer",
    "POST",
    "/sapi/v1/sub-account/universalTransfer",
    1,
    signed=True,
)

# ----------------------------------------------------------------------------- USDⓈ-M /fapi

FUT_TIME = _fut("futures.time", "GET", "/fapi/v1/time", 1)
FUT_PING = _fut("futures.ping", "GET", "/fapi/v1/ping", 1)
FUT_EXCHANGE_INFO = _fut("futures.exchangeInfo", "GET", "/fapi/v1/exchangeInfo", 1)
FUT_DEPTH = _fut("futures.depth", "GET", "/fapi/v1/depth", 5)  # real cost: futures_depth_costs
FUT_TRADES = _fut("futures.trades", "GET", "/fapi/v1/trades", 5)
FUT_KLINES = _fut("futures.klines", "GET", "/fapi/v1/klines", 2)  # real: futures_klines_costs
FUT_TICKER_24H = _fut("futures.ticker24hr", "GET", "/fapi/v1/ticker/24hr", 1)
FUT_BOOK_TICKER = _fut("futures.bookTicker", "GET", "/fapi/v1/ticker/bookTicker", 2)
FUT_PREMIUM_INDEX = _fut("futures.premiumIndex", "GET", "/fapi/v1/premiumIndex", 1)
FUT_FUNDING_RATE = _fut("futures.fundingRate", "GET", "/fapi/v1/fundingRate", 1)
FUT_ORDER = _fut("futures.order.new", "POST", "/fapi/v1/order", 0, 1, signed=True)
FUT_ORDER_MODIFY = _fut("futures.order.modify", "PUT", "/fapi/v1/order", 1, 1, signed=True)
FUT_ORDER_GET = _fut("futures.order.get", "GET", "/fapi/v1/order", 1, signed=True)
FUT_ORDER_CANCEL = _fut("futures.order.cancel", "DELETE", "/fapi/v1/order", 1, signed=True)
FUT_BATCH_ORDERS = _fut(
    "futures.batchOrders.new", "POST", "/fapi/v1/batchOrders", 5, 5, signed=True
)
FUT_BATCH_CANCEL = _fut(
    "futures.batchOrders.cancel", "DELETE", "/fapi/v1/batchOrders", 1, signed=True
)
FUT_CANCEL_ALL = _fut("futures.allOpenOrders", "DELETE", "/fapi/v1/allOpenOrders", 1, signed=True)
FUT_OPEN_ORDERS = _fut("futures.openOrders", "GET", "/fapi/v1/openOrders", 1, signed=True)
FUT_OPEN_ORDERS_ALL = _fut("futures.openOrders.all", "GET", "/fapi/v1/openOrders", 40, signed=True)
FUT_USER_TRADES = _fut("futures.userTrades", "GET", "/fapi/v1/userTrades", 5, signed=True)
FUT_BALANCE = _fut("futures.balance", "GET", "/fapi/v2/balance", 5, signed=True)
FUT_POSITION_RISK = _fut("futures.positionRisk", "GET", "/fapi/v2/positionRisk", 5, signed=True)
FUT_LEVERAGE_BRACKET = _fut(
    "futures.leverageBracket", "GET", "/fapi/v1/leverageBracket", 1, signed=True
)
FUT_LEVERAGE = _fut(
    "futures.leverage", "POST", "/fapi/v1/leverage", 1, signed=True, idempotent=True
)
FUT_COMMISSION = _fut("futures.commissionRate", "GET", "/fapi/v1/commissionRate", 20, signed=True)
FUT_LISTEN_KEY = _fut("futures.listenKey.new", "POST", "/fapi/v1/listenKey", 1, idempotent=True)
FUT_LISTEN_KEY_KEEPALIVE = _fut(
    "futures.listenKey.keepalive", "PUT", "/fapi/v1/listenKey", 1, idempotent=True
)
FUT_LISTEN_KEY_CLOSE = _fut("futures.listenKey.close", "DELETE", "/fapi/v1/listenKey", 1)

# ----------------------------------------------------------------------------- variable weights

SPOT_DEPTH_MAX = 5000
FUTURES_DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)
FUTURES_BATCH_MAX = 5
FUTURES_BATCH_CANCEL_MAX = 10


def spot_depth_costs(limit: int) -> dict[str, int]:
    """``/api/v3/depth`` weight: 1-100 → 5, 101-500 → 25, 501-1000 → 50, 1001-5000 → 250."""
    weight = 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250
    return _costs(weight, venue=Venue.SPOT)


def futures_depth_limit(depth: int) -> int:
    """The smallest allowed ``/fapi/v1/depth`` limit holding ``depth`` levels (at most 1000)."""
    return next((n for n in FUTURES_DEPTH_LIMITS if n >= depth), FUTURES_DEPTH_LIMITS[-1])


def futures_depth_costs(limit: int) -> dict[str, int]:
    """``/fapi/v1/depth`` weight: 5-50 → 2, 100 → 5, 500 → 10, 1000 → 20."""
    weight = 2 if limit <= 50 else 5 if limit <= 100 else 10 if limit <= 500 else 20
    return _costs(weight, venue=Venue.FUTURES)


def futures_klines_costs(limit: int) -> dict[str, int]:
    """``/fapi/v1/klines`` weight: [1,100) → 1, [100,500) → 2, [500,1000] → 5, more → 10."""
    weight = 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10
    return _costs(weight, venue=Venue.FUTURES)


_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-"
_ORDER_HEADER = "X-MBX-ORDER-COUNT-"


def observe_headers(
    headers: Mapping[str, str], limiter: RateLimiter, charged: Mapping[str, int], sent_ms: int
) -> None:
    """Raise the limiter's counts to what Binance reports (``X-MBX-USED-WEIGHT-1M`` → ``weight_1m``,
    ``X-MBX-ORDER-COUNT-10S`` → ``orders_10s``)."""
    for key, value in headers.items():
        upper = key.upper()
        if upper.startswith(_WEIGHT_HEADER):
            name = "weight_" + upper[len(_WEIGHT_HEADER) :].lower()
        elif upper.startswith(_ORDER_HEADER):
            name = "orders_" + upper[len(_ORDER_HEADER) :].lower()
        else:
            continue
        if value.isdigit():
            limiter.observe(name, int(value), sent_ms)

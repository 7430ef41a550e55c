"""OKX per-endpoint rate limits: public routes per IP, private routes per user id, and the
trade routes whose docs say "Rate limit rule: User ID + Instrument ID" per user id and `instId`;
plus the sub-account order limit on new and amended orders across instruments (code 50061)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from lotusx.sim.dialects.okx.errors import rate_limited, sub_account_limited
from lotusx.sim.ratelimit import RateLimiter, RateLimitRule

# "Sub-account rate limit": "a maximum of 1000 order requests per 2 seconds. Only new order
# requests and amendment order requests will be counted ... For batch order requests consisting
# of multiple orders, each order will be counted individually. Error code 50061".
SUB_ACCOUNT = "sub-account"


def per(n: int, seconds: int) -> tuple[int, int]:
    return n, seconds


# quota -> (requests, per seconds), from each endpoint's "Rate Limit" line in the docs (orders, not
# requests, for the batch endpoints). A quota is a route path, "METHOD path" where one path serves
# two endpoints with quotas of their own, or `SUB_ACCOUNT`.
DEFAULT: dict[str, tuple[int, int]] = {
    "/api/v5/public/time": per(10, 2),
    "/api/v5/system/status": per(1, 5),
    "/api/v5/public/instruments": per(20, 2),
    "/api/v5/market/books": per(40, 2),
    "/api/v5/market/ticker": per(20, 2),
    "/api/v5/market/trades": per(100, 2),
    "/api/v5/market/candles": per(40, 2),
    "/api/v5/market/index-tickers": per(20, 2),
    "/api/v5/public/mark-price": per(10, 2),
    "/api/v5/public/funding-rate": per(20, 2),
    "/api/v5/public/funding-rate-history": per(10, 2),
    "/api/v5/public/position-tiers": per(10, 2),
    "POST /api/v5/trade/order": per(60, 2),  # Place order
    "GET /api/v5/trade/order": per(60, 2),  # Order details
    "/api/v5/trade/batch-orders": per(300, 2),
    "/api/v5/trade/amend-order": per(60, 2),
    "/api/v5/trade/amend-batch-orders": per(300, 2),
    "/api/v5/trade/cancel-order": per(60, 2),
    "/api/v5/trade/cancel-batch-orders": per(300, 2),
    "/api/v5/trade/orders-pending": per(60, 2),
    "/api/v5/trade/fills": per(60, 2),
    "/api/v5/account/balance": per(10, 2),
    "/api/v5/account/positions": per(10, 2),
    "/api/v5/account/trade-fee": per(5, 2),
    "/api/v5/account/leverage-info": per(20, 2),
    "/api/v5/account/set-leverage": per(20, 2),
    "/api/v5/asset/transfer": per(2, 1),
    "/api/v5/asset/withdrawal": per(6, 1),
    "/api/v5/asset/deposit-history": per(6, 1),
    "/api/v5/asset/withdrawal-history": per(6, 1),
    "/api/v5/users/subaccount/list": per(2, 2),
    SUB_ACCOUNT: per(1000, 2),  # Tier 1; fill-ratio tiers (VIP5+) are not simulated
}

# Quotas counted per user id + instrument id ("Rate limit rule (except Options): User ID +
# Instrument ID"; the simulator lists no options, so the Instrument Family rule never applies).
# Batch endpoints count orders, not requests ("300 orders per 2 seconds"), per instrument.
BY_INSTRUMENT = frozenset(
    {
        "POST /api/v5/trade/order",  # Place order
        "GET /api/v5/trade/order",  # Order details
        "/api/v5/trade/batch-orders",  # Place multiple orders
        "/api/v5/trade/amend-order",
        "/api/v5/trade/amend-batch-orders",
        "/api/v5/trade/cancel-order",
        "/api/v5/trade/cancel-batch-orders",
    }
)
# "If there is only one order in the request, it will consume the rate limit of `Place order`"
# (`Amend order`, `Cancel order`): a one-order batch counts against the single-order quota.
SINGLE = {
    "/api/v5/trade/batch-orders": "POST /api/v5/trade/order",
    "/api/v5/trade/amend-batch-orders": "/api/v5/trade/amend-order",
    "/api/v5/trade/cancel-batch-orders": "/api/v5/trade/cancel-order",
}
# The endpoints whose orders also count against the sub-account quota (new and amended orders).
SUB_ACCOUNT_ORDERS = frozenset(
    {
        "POST /api/v5/trade/order",
        "/api/v5/trade/batch-orders",
        "/api/v5/trade/amend-order",
        "/api/v5/trade/amend-batch-orders",
    }
)

Charge = tuple[str, str, int]  # (scope, quota, cost)


def quota(method: str, path: str) -> str:
    """The quota a request counts against: its own "METHOD path" one if listed, else its path."""
    keyed = f"{method} {path}"
    return keyed if keyed in DEFAULT else path


@dataclass(slots=True)
class OkxLimits:
    """Fixed windows per (scope, quota).

    `overrides` are rules whose `kind` is a quota of `DEFAULT` ("METHOD path" or path); they
    replace its documented limit. A bare path also replaces each "METHOD path" quota of that path,
    which stay separate counters.
    """

    overrides: list[RateLimitRule] = field(default_factory=list)
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        overrides: list[RateLimitRule] = []
        for rule in self.overrides:
            split = [q for q in DEFAULT if q.partition(" ")[2] == rule.kind]
            overrides += [replace(rule, kind=q) for q in split] or [rule]
        replaced = {r.kind for r in overrides}
        rules = [
            RateLimitRule(kind, "SECOND", secs, n)
            for kind, (n, secs) in DEFAULT.items()
            if kind not in replaced
        ]
        self.limiter = RateLimiter(rules + overrides)

    @staticmethod
    def counter(scope: str, method: str, path: str, inst_id: str) -> tuple[str, str]:
        """The `(scope, quota)` a request counts against: `scope` (an IP or a user id) gets the
        instrument id where the docs count per instrument."""
        kind = quota(method, path)
        return (f"{scope}/{inst_id}" if kind in BY_INSTRUMENT else scope), kind

    @staticmethod
    def charges(
        scope: str,
        method: str,
        path: str,
        inst_ids: Sequence[str],
        cost: int = 1,
        exempt: Callable[[str], bool] = lambda inst_id: False,
    ) -> list[Charge]:
        """What one request counts: `inst_ids` are its orders' `instId`s (one per order of a
        batch, else the request's own). Per-instrument quotas count each instrument's orders;
        other quotas count `cost` for `scope`. New and amended orders also count against the
        sub-account quota of `scope` unless `exempt(instId)` (spot/margin orders are exempt)."""
        kind = quota(method, path)
        if kind not in BY_INSTRUMENT:
            return [(scope, kind, cost)]
        ids = list(inst_ids) or [""]
        if len(ids) == 1:
            kind = SINGLE.get(kind, kind)
        out = [(f"{scope}/{inst_id}", kind, n) for inst_id, n in Counter(ids).items()]
        if kind in SUB_ACCOUNT_ORDERS:
            counted = sum(1 for inst_id in ids if not exempt(inst_id))
            if counted:
                out.append((scope, SUB_ACCOUNT, counted))
        return out

    def charge_all(self, charges: Sequence[Charge], now: int) -> None:
        """Count every charge of one request, or none: the first quota that would be exceeded
        raises (50011, HTTP 429; the sub-account quota, checked last, 50061, HTTP 200)."""
        for scope, kind, cost in charges:
            if self.limiter.would_exceed(scope, kind, cost, now) is not None:
                raise sub_account_limited() if kind == SUB_ACCOUNT else rate_limited()
        for scope, kind, cost in charges:
            self.limiter.add(scope, kind, cost, now)

    def charge(self, scope: str, kind: str, cost: int, now: int) -> None:
        """Count `cost` against quota `kind` for `scope`, or raise (see `charge_all`)."""
        self.charge_all([(scope, kind, cost)], now)

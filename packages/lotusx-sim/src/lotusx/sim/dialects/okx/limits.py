"""OKX per-endpoint rate limits: public routes per IP, private routes per user id, and the
trade routes whose docs say "Rate limit rule: User ID + Instrument ID" per user id and `instId`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lotusx.sim.dialects.okx.errors import rate_limited
from lotusx.sim.ratelimit import RateLimiter, RateLimitRule


def per(n: int, seconds: int) -> tuple[int, int]:
    return n, seconds


# quota -> (requests, per seconds), from each endpoint's "Rate Limit" line in the docs. A quota is
# a route path, or "METHOD path" where one path serves two endpoints with quotas of their own.
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
}

# Quotas counted per user id + instrument id ("Rate limit rule (except Options): User ID +
# Instrument ID"; the simulator lists no options, so the Instrument Family rule never applies).
BY_INSTRUMENT = frozenset({"POST /api/v5/trade/order", "GET /api/v5/trade/order"})


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

    def charge(self, scope: str, kind: str, cost: int, now: int) -> None:
        """Count `cost` requests against quota `kind` for `scope`, or raise 50011."""
        if self.limiter.would_exceed(scope, kind, cost, now) is not None:
            raise rate_limited()
        self.limiter.add(scope, kind, cost, now)

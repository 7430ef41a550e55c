"""OKX per-endpoint rate limits: public routes per IP, private routes per user id."""

from __future__ import annotations

from dataclasses import dataclass, field

from lotusx.sim.dialects.okx.errors import rate_limited
from lotusx.sim.ratelimit import RateLimiter, RateLimitRule


def per(n: int, seconds: int) -> tuple[int, int]:
    return n, seconds


# route path -> (requests, per seconds), from each endpoint's "Rate Limit" line in the docs.
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
    "/api/v5/trade/order": per(60, 2),
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


@dataclass(slots=True)
class OkxLimits:
    """Fixed windows per (scope, endpoint).

    `overrides` are rules whose `kind` is an endpoint path; they replace its documented quota.
    """

    overrides: list[RateLimitRule] = field(default_factory=list)
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        replaced = {r.kind for r in self.overrides}
        rules = [
            RateLimitRule(path, "SECOND", secs, n)
            for path, (n, secs) in DEFAULT.items()
            if path not in replaced
        ]
        self.limiter = RateLimiter(rules + list(self.overrides))

    def charge(self, scope: str, path: str, cost: int, now: int) -> None:
        """Count `cost` requests of `path` for `scope` (an IP or a user id), or raise 50011."""
        if self.limiter.would_exceed(scope, path, cost, now) is not None:
            raise rate_limited()
        self.limiter.add(scope, path, cost, now)

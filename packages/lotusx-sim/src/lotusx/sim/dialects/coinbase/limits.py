"""Advanced Trade REST rate limits: private 30 requests/s per user, public 10 requests/s per IP.

Both documented on "Advanced Trade API Rate Limits" (docs.cdp.coinbase.com); over the limit is
HTTP 429. No rate-limit headers are documented, so none are sent. `rate_limits["rest"]` rules of
kind "private" or "public" replace the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lotusx.sim.dialects.coinbase.errors import too_many
from lotusx.sim.ratelimit import RateLimiter, RateLimitRule

PRIVATE = RateLimitRule("private", "SECOND", 1, 30)
PUBLIC = RateLimitRule("public", "SECOND", 1, 10)


@dataclass(slots=True)
class CoinbaseLimits:
    overrides: list[RateLimitRule] = field(default_factory=list)
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        replaced = {r.kind for r in self.overrides}
        rules = [r for r in (PRIVATE, PUBLIC) if r.kind not in replaced]
        self.limiter = RateLimiter(rules + list(self.overrides))

    def charge(self, kind: str, scope: str, now: int) -> None:
        """Count one request of `kind` ("private" per user, "public" per IP) or raise 429."""
        if self.limiter.would_exceed(scope, kind, 1, now) is not None:
            raise too_many()
        self.limiter.add(scope, kind, 1, now)

"""Bybit rate limits: 600 requests per 5 s per IP (403), per-UID endpoint quotas (10006)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lotusx.sim.dialects.bybit.errors import BybitError
from lotusx.sim.ratelimit import RateLimiter, RateLimitRule

IP_RULE = RateLimitRule("IP", "SECOND", 5, 600)

# (endpoint path or "path:category") -> requests per second per UID.
DEFAULT: dict[str, int] = {
    "/v5/order/create:linear": 10,
    "/v5/order/create:spot": 20,
    "/v5/order/amend:linear": 10,
    "/v5/order/amend:spot": 10,
    "/v5/order/cancel:linear": 10,
    "/v5/order/cancel:spot": 20,
    "/v5/order/cancel-all:linear": 10,
    "/v5/order/cancel-all:spot": 20,
    "/v5/order/create-batch:linear": 10,
    "/v5/order/create-batch:spot": 20,
    "/v5/order/amend-batch:linear": 10,
    "/v5/order/amend-batch:spot": 20,
    "/v5/order/cancel-batch:linear": 10,
    "/v5/order/cancel-batch:spot": 20,
    "/v5/order/realtime": 50,
    "/v5/order/history": 50,
    "/v5/execution/list": 50,
    "/v5/account/wallet-balance": 50,
    "/v5/account/fee-rate": 10,
    "/v5/position/list": 50,
    "/v5/position/set-leverage": 10,
    "/v5/asset/transfer/inter-transfer": 5,
    "/v5/asset/transfer/universal-transfer": 5,
    "/v5/asset/withdraw/create": 5,
    "/v5/asset/deposit/query-record": 10,
    "/v5/asset/withdraw/query-record": 10,
    "/v5/user/query-sub-members": 10,
    "/v5/user/query-api": 10,
}


@dataclass(slots=True)
class BybitLimits:
    """`overrides`: rules whose `kind` is a key of DEFAULT (or "IP") replace its quota."""

    overrides: list[RateLimitRule] = field(default_factory=list)
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        replaced = {r.kind for r in self.overrides}
        rules = [RateLimitRule(k, "SECOND", 1, n) for k, n in DEFAULT.items() if k not in replaced]
        if "IP" not in replaced:
            rules.append(IP_RULE)
        self.limiter = RateLimiter(rules + list(self.overrides))

    def charge_ip(self, ip: str, now: int) -> None:
        if self.limiter.would_exceed(ip, "IP", 1, now) is not None:
            raise BybitError(403, "access too frequent", 403)
        self.limiter.add(ip, "IP", 1, now)

    def charge(self, uid: str, key: str, now: int) -> dict[str, str]:
        """Count one request of `key`; return the X-Bapi-Limit* headers or raise 10006."""
        rule = next((r for r in self.limiter.rules if r.kind == key), None)
        if rule is None:
            return {}
        exceeded = self.limiter.would_exceed(uid, key, 1, now) is not None
        if not exceeded:
            self.limiter.add(uid, key, 1, now)
        used = dict(self.limiter.used(uid, key, now)).get(rule, 0)
        headers = {
            "X-Bapi-Limit": str(rule.limit),
            "X-Bapi-Limit-Status": str(max(0, rule.limit - used)),
            "X-Bapi-Limit-Reset-Timestamp": str(now + self.limiter.retry_after_ms(rule, now)),
        }
        if exceeded:
            raise BybitError(10006, "Too many visits!", 200, headers)
        return headers

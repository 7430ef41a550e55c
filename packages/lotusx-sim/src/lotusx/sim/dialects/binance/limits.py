"""Binance rate-limit policy: weights per IP, order counts per account, 429 then 418 bans."""

from __future__ import annotations

from dataclasses import dataclass, field

from lotusx.sim.dialects.binance.errors import BinanceError
from lotusx.sim.ratelimit import RateLimiter, RateLimitRule

SPOT_DEFAULT = [
    RateLimitRule("REQUEST_WEIGHT", "MINUTE", 1, 6000),
    RateLimitRule("ORDERS", "SECOND", 10, 50),
    RateLimitRule("ORDERS", "DAY", 1, 160000),
]
FUTURES_DEFAULT = [
    RateLimitRule("REQUEST_WEIGHT", "MINUTE", 1, 2400),
    RateLimitRule("ORDERS", "SECOND", 10, 300),
    RateLimitRule("ORDERS", "MINUTE", 1, 1200),
]


def _per(rule: RateLimitRule) -> str:
    return f"{rule.interval_num} {rule.interval}"


@dataclass(slots=True)
class BinanceLimits:
    """Enforces the venue's `rules`; after `ban_after` 429s in a window the IP gets 418."""

    rules: list[RateLimitRule]
    futures: bool = False
    ban_after: int = 5
    ban_ms: int = 120_000
    limiter: RateLimiter = field(init=False)
    strikes: dict[str, tuple[int, int]] = field(default_factory=dict)
    banned_until: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.rules)

    def _ban_error(self, until: int, now: int) -> BinanceError:
        msg = (
            f"Way too many requests; IP banned until {until}. Please use the websocket for "
            "live updates to avoid bans."
            if self.futures
            else f"Way too much request weight used; IP banned until {until}. Please use WebSocket "
            "Streams for live updates to avoid bans."
        )
        retry = max(1, (until - now + 999) // 1000)
        return BinanceError(-1003, msg, 418, {"Retry-After": str(retry)})

    def too_many(self, rule: RateLimitRule, now: int) -> BinanceError:
        if self.futures:
            msg = (
                f"Too many requests; current limit is {rule.limit} requests per "
                f"{rule.interval.lower()}. Please use the websocket for live updates to avoid "
                "polling the API."
            )
        else:
            msg = (
                f"Too much request weight used; current limit is {rule.limit} request weight "
                f"per {_per(rule)}. Please use WebSocket Streams for live updates to avoid "
                "polling the API."
            )
        retry = max(1, (self.limiter.retry_after_ms(rule, now) + 999) // 1000)
        return BinanceError(-1003, msg, 429, {"Retry-After": str(retry)})

    def check_ban(self, ip: str, now: int) -> None:
        until = self.banned_until.get(ip, 0)
        if until > now:
            raise self._ban_error(until, now)

    def strike(self, ip: str, now: int, window_ms: int) -> None:
        """Record a 429; enough of them within one window bans the IP."""
        start, count = self.strikes.get(ip, (now, 0))
        if now - start > window_ms:
            start, count = now, 0
        count += 1
        self.strikes[ip] = (start, count)
        if count >= self.ban_after:
            self.banned_until[ip] = now + self.ban_ms
            self.strikes.pop(ip, None)

    def charge_weight(self, ip: str, weight: int, now: int) -> None:
        self.check_ban(ip, now)
        rule = self.limiter.would_exceed(ip, "REQUEST_WEIGHT", weight, now)
        if rule is not None:
            self.strike(ip, now, rule.window_ms)
            raise self.too_many(rule, now)
        self.limiter.add(ip, "REQUEST_WEIGHT", weight, now)

    def charge_orders(self, account: str, count: int, now: int) -> None:
        rule = self.limiter.would_exceed(account, "ORDERS", count, now)
        if rule is not None:
            per = rule.interval if self.futures and rule.interval_num == 1 else _per(rule)
            raise BinanceError(
                -1015, f"Too many new orders; current limit is {rule.limit} orders per {per}.", 429
            )
        self.limiter.add(account, "ORDERS", count, now)

    def weight_headers(self, ip: str, now: int) -> dict[str, str]:
        return {
            f"X-MBX-USED-WEIGHT-{r.suffix}": str(used)
            for r, used in self.limiter.used(ip, "REQUEST_WEIGHT", now)
        }

    def order_headers(self, account: str, now: int) -> dict[str, str]:
        return {
            f"X-MBX-ORDER-COUNT-{r.suffix}": str(used)
            for r, used in self.limiter.used(account, "ORDERS", now)
        }

    def exchange_info(self) -> list[dict[str, object]]:
        return [
            {
                "rateLimitType": r.kind,
                "interval": r.interval,
                "intervalNum": r.interval_num,
                "limit": r.limit,
            }
            for r in self.rules
        ]

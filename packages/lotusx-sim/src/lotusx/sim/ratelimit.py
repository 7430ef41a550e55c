"""Server-side fixed-window quotas (the way Binance-style venues count request weight)."""

from __future__ import annotations

from dataclasses import dataclass, field

INTERVAL_MS = {"SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}


@dataclass(frozen=True, slots=True)
class RateLimitRule:
    """`limit` units of `kind` (e.g. REQUEST_WEIGHT, ORDERS) per `interval_num` `interval`."""

    kind: str
    interval: str
    interval_num: int
    limit: int

    @property
    def window_ms(self) -> int:
        return INTERVAL_MS[self.interval] * self.interval_num

    @property
    def suffix(self) -> str:
        return f"{self.interval_num}{self.interval[0]}"


@dataclass(slots=True)
class _Window:
    start: int = 0
    used: int = 0


@dataclass(slots=True)
class RateLimiter:
    """Counts usage per (scope, rule) in fixed windows aligned to the epoch."""

    rules: list[RateLimitRule]
    windows: dict[tuple[str, RateLimitRule], _Window] = field(default_factory=dict)

    def _window(self, scope: str, rule: RateLimitRule, now: int) -> _Window:
        w = self.windows.setdefault((scope, rule), _Window())
        start = now - now % rule.window_ms
        if w.start != start:
            w.start, w.used = start, 0
        return w

    def would_exceed(self, scope: str, kind: str, cost: int, now: int) -> RateLimitRule | None:
        """The first rule of `kind` that `cost` more units would break, if any."""
        for rule in self.rules:
            if rule.kind == kind and self._window(scope, rule, now).used + cost > rule.limit:
                return rule
        return None

    def add(self, scope: str, kind: str, cost: int, now: int) -> None:
        for rule in self.rules:
            if rule.kind == kind:
                self._window(scope, rule, now).used += cost

    def used(self, scope: str, kind: str, now: int) -> list[tuple[RateLimitRule, int]]:
        return [(r, self._window(scope, r, now).used) for r in self.rules if r.kind == kind]

    def retry_after_ms(self, rule: RateLimitRule, now: int) -> int:
        return rule.window_ms - now % rule.window_ms

"""Kraken rate limits.

Spot REST ("Spot REST Rate Limits"): each key has a call counter that decays continuously; a
call adds 1 (ledger and trade-history queries add 2) and is refused with
`EAPI:Rate limit exceeded` when the counter would pass the tier's maximum. AddOrder, AmendOrder,
EditOrder and the cancels do not touch it: they feed the per-pair matching-engine counter
(+1 per order; a cancel or edit adds a penalty that shrinks with the order's age), refused
with `EOrder:Rate limit exceeded`.
Futures ("Futures REST Rate Limits"): `/derivatives` endpoints cost units out of 500 per 10 s
per key (`apiLimitExceeded`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from lotusx.sim.ratelimit import RateLimiter, RateLimitRule

TIERS = {  # tier -> (max counter, decay per second, matching-engine threshold, its decay)
    "starter": (Decimal(15), Decimal("0.33"), Decimal(60), Decimal(1)),
    "intermediate": (Decimal(20), Decimal("0.5"), Decimal(125), Decimal("2.34")),
    "pro": (Decimal(20), Decimal(1), Decimal(180), Decimal("3.75")),
}
HEAVY = frozenset({"Ledgers", "QueryLedgers", "TradesHistory", "QueryTrades"})
TRADING = frozenset(
    {"AddOrder", "AddOrderBatch", "AmendOrder", "EditOrder", "CancelOrder", "CancelOrderBatch"}
)
CANCEL_PENALTY = ((5, 8), (10, 6), (15, 5), (45, 4), (90, 2), (300, 1))
EDIT_PENALTY = ((5, 6), (10, 5), (15, 4), (45, 2), (90, 1))
FUTURES_WINDOW = RateLimitRule("derivatives", "SECOND", 10, 500)
FUTURES_COST = {
    "sendorder": 10,
    "editorder": 10,
    "cancelorder": 10,
    "cancelallorders": 25,
    "accounts": 2,
    "openpositions": 2,
    "fills": 2,
    "openorders": 2,
    "leveragepreferences": 2,
    "transfers": 2,
    "withdrawal": 2,
}


@dataclass(slots=True)
class Decaying:
    """A counter per scope that loses `decay` per second and may not exceed `cap`."""

    cap: Decimal
    decay: Decimal
    values: dict[str, tuple[Decimal, int]] = field(default_factory=dict)

    def value(self, scope: str, now: int) -> Decimal:
        value, at = self.values.get(scope, (Decimal(0), now))
        return max(Decimal(0), value - self.decay * Decimal(now - at) / 1000)

    def charge(self, scope: str, cost: Decimal, now: int) -> bool:
        """Add `cost` unless that would pass the cap; False when refused."""
        value = self.value(scope, now)
        if value + cost > self.cap:
            return False
        self.values[scope] = (value + cost, now)
        return True


def penalty(table: tuple[tuple[int, int], ...], age_ms: int) -> Decimal:
    for seconds, cost in table:
        if age_ms < seconds * 1000:
            return Decimal(cost)
    return Decimal(0)


@dataclass(slots=True)
class KrakenLimits:
    """The spot call counter, the spot matching-engine counters and the futures window."""

    tier: str = "intermediate"
    overrides: list[RateLimitRule] = field(default_factory=list)
    calls: Decaying = field(init=False)
    engine: Decaying = field(init=False)
    futures: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        cap, decay, engine_cap, engine_decay = TIERS[self.tier]
        for rule in self.overrides:
            if rule.kind == "counter":  # limit calls, fully decayed over the rule's window
                cap = Decimal(rule.limit)
                decay = cap * 1000 / rule.window_ms
            elif rule.kind == "matching_engine":
                engine_cap = Decimal(rule.limit)
                engine_decay = engine_cap * 1000 / rule.window_ms
        self.calls = Decaying(cap, decay)
        self.engine = Decaying(engine_cap, engine_decay)
        fut = [r for r in self.overrides if r.kind == "derivatives"] or [FUTURES_WINDOW]
        self.futures = RateLimiter(fut)

    def charge_call(self, key: str, method: str, now: int) -> bool:
        if method in TRADING:
            return True
        return self.calls.charge(key, Decimal(2 if method in HEAVY else 1), now)

    def charge_engine(self, key: str, pair: str, cost: Decimal, now: int) -> bool:
        return self.engine.charge(f"{key}:{pair}", cost, now)

    def charge_futures(self, key: str, cost: int, now: int) -> bool:
        if self.futures.would_exceed(key, "derivatives", cost, now) is not None:
            return False
        self.futures.add(key, "derivatives", cost, now)
        return True

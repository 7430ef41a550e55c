"""A weighted, multi-window client-side rate limiter that waits instead of earning a 429.

A limiter holds named `Quota`s (e.g. ``"weight_1m"``: 6000 per 60 s, fixed windows aligned to
the exchange clock like Binance's; ``"uid_1s"``: 10 per second, rolling like Bybit's). A call
states its cost per quota; `RateLimiter.acquire` sleeps until every quota it touches has room,
then books the cost. Exchanges report their own count in headers; `RateLimiter.observe` raises
ours to theirs (never lowers it: requests of ours may still be in flight), so other processes
sharing the IP are accounted for. A report is placed in the window its call was sent in; one whose
call crossed a fixed window's boundary is dropped, as the exchange may have counted it in either
window (a full window's report arriving just after the boundary would stall the next window).
After a 429/418 `RateLimiter.pause` blocks everything until the exchange's ``Retry-After`` has
passed.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Mapping
from enum import StrEnum

import msgspec

from lotusx.core.observability import RATELIMIT_WAIT

__all__ = ["Quota", "RateLimiter", "WindowKind"]


class WindowKind(StrEnum):
    FIXED = "fixed"  # counter resets at multiples of the window on the exchange clock
    ROLLING = "rolling"  # any span of the window's length holds at most `limit`


class Quota(msgspec.Struct, frozen=True):
    """``limit`` units per ``window_ms``. ``headroom`` is the fraction kept in reserve.

    ``unit`` groups quotas that count the same thing over different windows (Binance publishes
    request weight per minute and, at times, per second): a cost named by the unit is charged
    to every quota of that unit, so a newly published window is enforced without code changes.
    """

    name: str
    limit: int
    window_ms: int
    kind: WindowKind = WindowKind.FIXED
    headroom: float = 0.02
    unit: str = ""

    @property
    def usable(self) -> int:
        return max(1, int(self.limit * (1 - self.headroom)))


class _Window:
    __slots__ = ("events", "quota", "spill", "start", "used")

    def __init__(self, quota: Quota) -> None:
        self.quota = quota
        self.start = -1
        self.used = 0
        self.spill = 0  # booked late in this window: may be counted in the next one
        self.events: deque[tuple[int, int]] = deque()

    def roll(self, now_ms: int) -> None:
        q = self.quota
        if q.kind is WindowKind.FIXED:
            start = now_ms - now_ms % q.window_ms
            if start != self.start:
                adjacent = start == self.start + q.window_ms
                self.start = start
                self.used = self.spill if adjacent else 0
                self.spill = 0
        else:
            horizon = now_ms - q.window_ms
            while self.events and self.events[0][0] <= horizon:
                self.used -= self.events.popleft()[1]

    def wait_ms(self, cost: int, now_ms: int) -> int:
        """How long until ``cost`` fits (0 if now)."""
        q = self.quota
        if self.used + cost <= q.usable:
            return 0
        if q.kind is WindowKind.FIXED:
            # Resume a little after the boundary so a slightly late exchange clock agrees.
            return self.start + q.window_ms - now_ms + _BOUNDARY_GUARD_MS
        excess = self.used + cost - q.usable
        freed = 0
        for stamp, amount in self.events:
            freed += amount
            if freed >= excess:
                return stamp + q.window_ms - now_ms + 1
        return q.window_ms

    def book(self, cost: int, now_ms: int) -> None:
        self.used += cost
        if self.quota.kind is WindowKind.ROLLING:
            self.events.append((now_ms, cost))
        elif self.start + self.quota.window_ms - now_ms <= _IN_FLIGHT_MS:
            # Sent this close to the boundary, it may reach the exchange in the next window.
            self.spill += cost


_BOUNDARY_GUARD_MS = 50
_IN_FLIGHT_MS = 100


class RateLimiter:
    """Shared by every REST call of one connector (one instance per IP/account scope)."""

    def __init__(
        self,
        exchange: str,
        quotas: list[Quota] | None = None,
        *,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self.exchange = exchange
        self._now = clock or (lambda: time.time_ns() // 1_000_000)
        self._windows: dict[str, _Window] = {}
        self._units: dict[str, list[_Window]] = {}
        # One queue per set of quotas charged: calls for the same quotas keep their order, and a
        # call waiting for one endpoint's quota does not hold up calls that need other quotas.
        self._queues: dict[tuple[str, ...], asyncio.Lock] = {}
        self._paused_until = 0
        # Reports for quotas not known yet: Binance's exchangeInfo answer says how much weight
        # it used before its body publishes the quota that weight counts against.
        self._unplaced: dict[str, tuple[int, int, int]] = {}  # used, sent, received
        for quota in quotas or []:
            self.set_quota(quota)

    @property
    def quotas(self) -> list[Quota]:
        return [w.quota for w in self._windows.values()]

    def set_quota(self, quota: Quota) -> None:
        """Add a quota or replace its limits (e.g. from the exchange's published rules)."""
        window = self._windows.get(quota.name)
        if window is None:
            self._windows[quota.name] = window = _Window(quota)
            reported = self._unplaced.pop(quota.name, None)
            if reported is not None:
                self._place(window, *reported)
        else:
            window.quota = quota
        self._units = {}
        for w in self._windows.values():
            if w.quota.unit:
                self._units.setdefault(w.quota.unit, []).append(w)

    def _charged(self, costs: Mapping[str, int]) -> list[tuple[_Window, int]]:
        """The windows a call's costs apply to: by quota name, or every quota of a unit."""
        out = []
        for key, cost in costs.items():
            if cost <= 0:
                continue
            window = self._windows.get(key)
            if window is not None:
                out.append((window, cost))
            else:
                out.extend((w, cost) for w in self._units.get(key, ()))
        return out

    def now_ms(self) -> int:
        """The limiter's clock (what `observe`'s ``sent_ms`` is measured on)."""
        return self._now()

    def used(self, name: str) -> int:
        window = self._windows[name]
        window.roll(self._now())
        return window.used

    async def acquire(self, costs: Mapping[str, int]) -> float:
        """Wait until every quota named in ``costs`` has room, then book them.

        A cost is keyed by a quota name or by a unit (charged to every quota of that unit).
        Returns the seconds waited. Costs naming unknown quotas are ignored (a quota the exchange
        has not published yet cannot be enforced).
        """
        waited = 0.0
        charged = self._charged(costs)
        key = tuple(sorted(window.quota.name for window, _ in charged))
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Lock()
        async with queue:
            while True:
                now = self._now()
                delay_ms = max(0, self._paused_until - now)
                for window, cost in charged:
                    window.roll(now)
                    delay_ms = max(delay_ms, window.wait_ms(cost, now))
                if delay_ms <= 0:
                    for window, cost in charged:
                        window.book(cost, now)
                    break
                await asyncio.sleep(delay_ms / 1000)
                waited += delay_ms / 1000
        if waited:
            RATELIMIT_WAIT.labels(self.exchange).inc(waited)
        return waited

    def observe(self, name: str, used: int, sent_ms: int | None = None) -> None:
        """The exchange reported ``used`` units of quota ``name`` in its answer to a call sent
        at ``sent_ms`` (the limiter's clock; now if not given)."""
        now = self._now()
        sent = now if sent_ms is None else sent_ms
        window = self._windows.get(name)
        if window is None:
            self._unplaced[name] = (used, sent, now)
            return
        self._place(window, used, sent, now)

    def _place(self, window: _Window, used: int, sent_ms: int, received_ms: int) -> None:
        """Raise ``window``'s count to a report received at ``received_ms`` if it still
        applies now."""
        now = self._now()
        window.roll(now)
        q = window.quota
        if q.kind is WindowKind.FIXED and not (
            sent_ms - sent_ms % q.window_ms == window.start
            and received_ms - received_ms % q.window_ms == window.start
        ):
            return  # counted in an earlier window, or in either of two (crossed a boundary)
        if q.kind is WindowKind.ROLLING and now - received_ms >= q.window_ms:
            return
        if used > window.used:
            if q.kind is WindowKind.ROLLING:
                window.book(used - window.used, received_ms)
            else:
                window.used = used

    def pause(self, seconds: float) -> None:
        """Block all acquisitions for ``seconds`` (after a 429/418 with Retry-After)."""
        self._paused_until = max(self._paused_until, self._now() + int(seconds * 1000))

"""A burst of thousands of mixed calls earns zero 429/418 while using ≥90% of the quota.

The venue is started with small quotas (`rate_limits=`); the connector learns them from the
venue's published rules (Binance: ``exchangeInfo.rateLimits``) and must wait, not earn a 429.
Venue truth: the request log's statuses and the venue limiter's own per-window counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from faultkit import Env, environment

from lotusx.core.errors import LotusXError
from lotusx.core.testing import Target
from lotusx.sim.ratelimit import RateLimitRule

BURST = 4000
CONCURRENCY = 32
WEIGHT_PER_MINUTE = {"spot": 6000, "futures": 4000}
WEIGHT_PER_SECOND = {"spot": 300, "futures": 200}


def _sampler(venue: Any) -> Callable[[], dict[tuple[str, int], int]] | None:
    """Reads the venue limiter's REQUEST_WEIGHT use per (market, window start); None if the
    dialect keeps no such limiter (then utilisation is not checked for it)."""
    hosts = getattr(venue.dialect, "hosts", None)
    if not hosts:
        return None

    def sample() -> dict[tuple[str, int], int]:
        out: dict[tuple[str, int], int] = {}
        now = venue.now_ms()
        for market, host in hosts.items():
            limiter = host.limits.limiter
            for rule, used in limiter.used("127.0.0.1", "REQUEST_WEIGHT", now):
                out[(f"{market}:{rule.suffix}", now - now % rule.window_ms)] = used
        return out

    return sample


Call = tuple[Any, Callable[[], Awaitable[Any]]]


def _calls(env: Env, target: Target, rng: random.Random) -> list[Call]:
    """(symbol, call) pairs; each call touches the quota of its symbol's market only."""
    c = env.connector
    symbols = env.symbols
    kinds: list[Callable[[], Awaitable[Any]]] = []
    syms: list[Any] = []
    for _ in range(BURST):
        sym = rng.choice(symbols)
        syms.append(sym)
        pick = rng.random()
        if pick < 0.3:
            depth = rng.choice((5, 20, 100, 500))
            kinds.append(lambda s=sym, d=depth: c.get_orderbook(s, depth=d))
        elif pick < 0.45:
            kinds.append(lambda s=sym: c.get_trades(s, limit=50))
        elif pick < 0.6:
            kinds.append(lambda s=sym: c.get_ticker(s))
        elif pick < 0.7:
            kinds.append(lambda s=sym: c.get_candles(s, "1m", limit=20))
        elif pick < 0.8:
            kinds.append(lambda s=sym: c.get_open_orders(s))
        elif pick < 0.9:
            wallet = "spot" if sym == env.spot else "futures"
            kinds.append(lambda w=wallet: c.get_balances(w))
        elif pick < 0.99:
            kinds.append(lambda s=sym: c.get_order(s, client_order_id="no-such-order"))
        else:

            async def place_cancel(s: Any = sym, n: int = len(kinds)) -> None:
                order = await c.place_order(await target.resting_buy(s, f"rlb{n}"))
                await c.cancel_order(s, order_id=order.order_id)

            kinds.append(place_cancel)
    return list(zip(syms, kinds, strict=True))


async def _burst(env: Env, seconds: float, stall: float) -> tuple[Counter[str], int]:
    """Run the burst for at most ``seconds``, or until no call completes for ``stall`` seconds
    (every market waits for its next quota window); returns outcome counts and calls done."""
    target = Target(env.connector, env.venue, env.spot, env.perp)
    calls = _calls(env, target, random.Random(5))
    outcomes: Counter[str] = Counter()
    # One gate per market, so a market whose quota is full does not starve the other.
    gates = {sym: asyncio.Semaphore(CONCURRENCY) for sym in env.symbols}

    async def run(sym: Any, call: Callable[[], Awaitable[Any]]) -> None:
        async with gates[sym]:
            try:
                await call()
                outcomes["ok"] += 1
            except LotusXError as exc:
                outcomes[type(exc).__name__] += 1

    tasks = [asyncio.create_task(run(sym, c)) for sym, c in calls]
    deadline = time.monotonic() + seconds
    done, last, still = 0, -1, time.monotonic()
    while time.monotonic() < deadline and done < len(tasks):
        await asyncio.sleep(0.05)
        done = sum(outcomes.values())
        if done != last:
            last, still = done, time.monotonic()
        elif time.monotonic() - still > stall:
            break  # every market is waiting for its next window: the quotas are full
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return outcomes, sum(outcomes.values())


async def _measure(
    env: Env, seconds: float, stall: float
) -> tuple[Counter[str], dict[tuple[str, int], int]]:
    sample = _sampler(env.venue)
    peaks: dict[tuple[str, int], int] = {}
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set() and sample is not None:
            for key, used in sample().items():
                peaks[key] = max(peaks.get(key, 0), used)
            await asyncio.sleep(0.002)

    watcher = asyncio.create_task(watch())
    outcomes, _ = await _burst(env, seconds, stall)
    stop.set()
    await watcher
    return outcomes, peaks


def _statuses(env: Env) -> Counter[int]:
    return Counter(r.status for r in env.venue.view.requests)


async def test_minute_quota_burst_no_429_and_full_use(
    exchange: str, record_property: pytest.RecordProperty
) -> None:
    """Quotas in the form the exchange publishes (per minute): fill one window to ≥90%."""
    if exchange != "binance":
        pytest.skip(
            f"{exchange} publishes no minute quota; its per-second quotas (OKX, Bybit: per "
            "endpoint, 1-2 s; Bybit per IP, 5 s; Coinbase per user and per IP, 1 s; Kraken a "
            "decaying spot counter and 500 futures units per 10 s) are covered by "
            "test_second_quota_burst_no_429_and_full_use"
        )
    rules = {
        "spot": [
            RateLimitRule("REQUEST_WEIGHT", "MINUTE", 1, WEIGHT_PER_MINUTE["spot"]),
            RateLimitRule("ORDERS", "SECOND", 10, 50),
            RateLimitRule("ORDERS", "DAY", 1, 160000),
        ],
        "futures": [
            RateLimitRule("REQUEST_WEIGHT", "MINUTE", 1, WEIGHT_PER_MINUTE["futures"]),
            RateLimitRule("ORDERS", "SECOND", 10, 300),
            RateLimitRule("ORDERS", "MINUTE", 1, 1200),
        ],
    }
    async with environment(exchange, seed=5, rate_limits=rules, ban_ms=5000) as env:
        await env.connector.load_instruments(reload=True)  # learn the venue's quotas
        # The burst must fit in one venue minute: start right after a boundary if too close.
        left_ms = 60_000 - env.venue.now_ms() % 60_000
        if left_ms < 8_000:
            await asyncio.sleep(left_ms / 1000 + 0.2)
        window = env.venue.now_ms() // 60_000 * 60_000
        before = _statuses(env)
        started = time.monotonic()
        outcomes, peaks = await _measure(env, 5.0, stall=0.6)  # the minute window is full
        elapsed = time.monotonic() - started
        statuses = _statuses(env) - before

    use = {k: v for (k, start), v in peaks.items() if start == window and k.endswith(":1M")}
    record_property("outcomes", str(dict(outcomes)))
    record_property("venue statuses", str(dict(statuses)))
    record_property("window use", str(use))
    print(f"\n[{exchange}] minute burst {elapsed:.1f}s: {dict(outcomes)} {dict(statuses)} {use}")
    assert statuses[429] == 0 and statuses[418] == 0, statuses
    assert sum(outcomes.values()) >= 1000, outcomes
    if _sampler is not None and use:
        for market, limit in WEIGHT_PER_MINUTE.items():
            assert use[f"{market}:1M"] >= 0.9 * limit, (market, use, limit)


# Long enough for three whole 1 s windows after the one the quotas were learnt in: the median
# must not rest on the first, where a loaded process is still opening its 64 connections (CI,
# after the package suites: 20 and 141 of 300 and 200 there, full ones after).
@pytest.mark.parametrize("seconds", [6.0])
async def test_second_quota_burst_no_429_and_full_use(
    exchange: str,
    seconds: float,
    record_property: pytest.RecordProperty,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Per-second quotas published by the venue: thousands of calls in seconds.

    Binance: per-second weight quotas. OKX, Bybit: their documented per-endpoint quotas
    (2 s / 1 s windows) and Bybit's per-IP 600 / 5 s, at the venue's default values.
    Coinbase: its documented 30 requests/s per user (private) and 10/s per IP (public)."""
    if exchange == "kraken":
        await _kraken_burst(monkeypatch, record_property)
        return
    if exchange in ENDPOINT_BURST:
        await _endpoint_quota_burst(exchange, monkeypatch, record_property)
        return
    rules = {
        "spot": [
            RateLimitRule("REQUEST_WEIGHT", "SECOND", 1, WEIGHT_PER_SECOND["spot"]),
            RateLimitRule("ORDERS", "SECOND", 10, 50),
        ],
        "futures": [
            RateLimitRule("REQUEST_WEIGHT", "SECOND", 1, WEIGHT_PER_SECOND["futures"]),
            RateLimitRule("ORDERS", "SECOND", 10, 300),
        ],
    }
    async with environment(exchange, seed=5, rate_limits=rules, ban_ms=2000) as env:
        # The quotas are learnt from exchangeInfo's answer, whose own weight is reported (in
        # its headers) before the body publishes them: the burst starts right away, in that
        # same window.
        await env.connector.load_instruments(reload=True)
        before = _statuses(env)
        first_window = env.venue.now_ms() // 1000 * 1000 + 1000
        # Longer than a 1 s window: waiting for the next second is not the end of the burst.
        outcomes, peaks = await _measure(env, seconds, stall=1.5)
        last_window = env.venue.now_ms() // 1000 * 1000 - 1000
        statuses = _statuses(env) - before

    record_property("outcomes", str(dict(outcomes)))
    record_property("venue statuses", str(dict(statuses)))
    print(f"\n[{exchange}] second burst: {dict(outcomes)} {dict(statuses)}")
    assert statuses[429] == 0 and statuses[418] == 0, statuses
    full = {
        (k, start): v
        for (k, start), v in peaks.items()
        if k.endswith(":1S") and first_window <= start < last_window
    }
    # Steady state fills the quota: the median whole window, as a loaded machine may still be
    # opening connections in the first one.
    by_key: dict[str, list[int]] = {}
    for (key, _), used in full.items():
        by_key.setdefault(key, []).append(used)
    assert by_key, (first_window, last_window, sorted(peaks)[:8])  # whole windows were seen
    print(f"  whole 1 s windows, weight used: {by_key}")
    for key, uses in by_key.items():
        limit = WEIGHT_PER_SECOND[key.split(":")[0]]
        assert statistics.median(uses) >= 0.9 * limit, (key, uses, limit)


# ------------------------------------------------------------------ OKX and Bybit
#
# Neither venue publishes weights or a minute quota: OKX counts each endpoint in 2 s windows
# (per IP for public routes, per user id for private ones; HTTP 429 + code 50011), Bybit counts
# 600 requests per 5 s per IP (HTTP 403) and each private endpoint per UID per second (HTTP 200
# with retCode 10006). The venues run their documented default quotas and the connectors run
# their declared ones; the burst's mix follows the published quotas so that every quota it
# touches fills. Venue truth: a spy on the dialect's limiter records every request it accepted
# (key, venue time) and every one it refused, whatever the HTTP status of the refusal.

#
# Coinbase documents 30 requests/s per user on private endpoints and 10/s per IP on public ones
# (HTTP 429 over them) and sends no usage headers; with keys every call of the mix is private
# but the public `/time` (`get_system_status`). At 30/s a burst of a thousand calls would take
# half a minute: Coinbase's burst is ~6 s of both quotas at once.

ENDPOINT_BURST = {"okx": 1000, "bybit": 1300, "coinbase": 240}
# Share of the burst per call kind, close to each endpoint's published quota (Bybit: the public
# calls fill the per-IP quota, the private ones stay under their UID quotas).
MIX = {
    "okx": {"book": 40, "trades": 100, "ticker": 20, "open_orders": 55, "balances": 10,
            "place_cancel": 5},
    "bybit": {"book": 100, "trades": 100, "ticker": 100, "open_orders": 40, "balances": 40,
              "place_cancel": 4},
    "coinbase": {"book": 30, "trades": 20, "ticker": 15, "open_orders": 15, "balances": 10,
                 "place_cancel": 2, "status": 25},
}  # fmt: skip
WALLETS = {"okx": ("trading", "trading"), "bybit": ("spot", "futures"), "coinbase": ("spot",) * 2}
# Venue-side window (ms) of each limiter key; the IP rule of Bybit is keyed "IP".
WINDOW_MS = {"okx": 2000, "bybit": 1000, "coinbase": 1000}


class VenueSpy:
    """Wraps the dialect's quota check: what the venue accepted and what it refused."""

    def __init__(self, exchange: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.accepted: list[tuple[str, int, int]] = []  # (key, venue ms, cost)
        self.refused: list[tuple[str, int, str]] = []  # (key, venue ms, error)
        self.limits: dict[str, int] = {}  # quota -> limit of the venue's rule
        spy = self
        if exchange == "okx":
            from lotusx.sim.dialects.okx.limits import OkxLimits

            original = OkxLimits.charge_all

            def charge_all(self: Any, charges: list[tuple[str, str, int]], now: int) -> None:
                spy._rules(self.limiter)
                # Per-instrument quotas (scope "uid/instId") are keyed "quota@instId".
                keys = [
                    (kind + "@" + scope.partition("/")[2] if "/" in scope else kind, cost)
                    for scope, kind, cost in charges
                ]
                try:
                    original(self, charges, now)
                except Exception as exc:
                    spy.refused.extend((key, now, str(exc)) for key, _ in keys)
                    raise
                spy.accepted.extend((key, now, cost) for key, cost in keys)

            monkeypatch.setattr(OkxLimits, "charge_all", charge_all)
        elif exchange == "coinbase":
            from lotusx.sim.dialects.coinbase.limits import CoinbaseLimits

            original_charge = CoinbaseLimits.charge

            def charge(self: Any, kind: str, scope: str, now: int) -> None:
                spy._rules(self.limiter)  # quotas "private" (per user) and "public" (per IP)
                try:
                    original_charge(self, kind, scope, now)
                except Exception as exc:
                    spy.refused.append((kind, now, str(exc)))
                    raise
                spy.accepted.append((kind, now, 1))

            monkeypatch.setattr(CoinbaseLimits, "charge", charge)
        else:
            from lotusx.sim.dialects.bybit.limits import BybitLimits

            original_ip, original_uid = BybitLimits.charge_ip, BybitLimits.charge

            def charge_ip(self: Any, ip: str, now: int) -> None:
                spy._rules(self.limiter)
                try:
                    original_ip(self, ip, now)
                except Exception as exc:
                    spy.refused.append(("IP", now, str(exc)))
                    raise
                spy.accepted.append(("IP", now, 1))

            def charge_uid(self: Any, uid: str, key: str, now: int) -> dict[str, str]:
                try:
                    headers = original_uid(self, uid, key, now)
                except Exception as exc:
                    spy.refused.append((key, now, str(exc)))
                    raise
                spy.accepted.append((key, now, 1))
                return headers

            monkeypatch.setattr(BybitLimits, "charge_ip", charge_ip)
            monkeypatch.setattr(BybitLimits, "charge", charge_uid)

    def _rules(self, limiter: Any) -> None:
        if not self.limits:
            self.limits = {r.kind: r.limit for r in limiter.rules}

    def limit(self, key: str) -> int:
        """The venue's limit of a key: a quota, or "quota@instId" for a per-instrument one."""
        return self.limits[key.partition("@")[0]]

    def use(self, since: int, until: int, window_ms: dict[str, int]) -> dict[str, list[int]]:
        """Per limited key, the venue's count in each whole window inside [since, until)."""
        counts: Counter[tuple[str, int]] = Counter()
        for key, now, cost in self.accepted:
            quota = key.partition("@")[0]
            if quota in self.limits:
                counts[(key, now - now % window_ms[quota])] += cost
        out: dict[str, list[int]] = {}
        for (key, start), used in sorted(counts.items()):
            if start >= since and start + window_ms[key.partition("@")[0]] <= until:
                out.setdefault(key, []).append(used)
        return out


def _endpoint_calls(
    env: Env, target: Target, rng: random.Random
) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """(kind, call) pairs in the exchange's mix."""
    c = env.connector
    mix = MIX[env.exchange]
    kinds, weights = list(mix), list(mix.values())
    out: list[Call] = []
    for n in range(ENDPOINT_BURST[env.exchange]):
        kind = rng.choices(kinds, weights)[0]
        sym = rng.choice(env.symbols)
        call: Callable[[], Awaitable[Any]]
        if kind == "book":
            call = lambda s=sym: c.get_orderbook(s, depth=rng.choice((5, 20, 50)))  # noqa: E731
        elif kind == "trades":
            call = lambda s=sym: c.get_trades(s, limit=50)  # noqa: E731
        elif kind == "ticker":
            call = lambda s=sym: c.get_ticker(s)  # noqa: E731
        elif kind == "candles":
            call = lambda s=sym: c.get_candles(s, "1m", limit=20)  # noqa: E731
        elif kind == "open_orders":
            call = lambda s=sym: c.get_open_orders(s)  # noqa: E731
        elif kind == "balances":
            wallet = WALLETS[env.exchange][sym != env.spot]
            call = lambda w=wallet: c.get_balances(w)  # noqa: E731
        elif kind == "status":
            call = c.get_system_status
        else:

            async def call(s: Any = env.spot, n: int = n) -> None:
                order = await c.place_order(await target.resting_buy(s, f"rle{n}"))
                await c.cancel_order(s, order_id=order.order_id)

        out.append((kind, call))
    return out


async def _endpoint_burst(env: Env, seconds: float) -> Counter[str]:
    target = Target(env.connector, env.venue, env.spot, env.perp)
    outcomes: Counter[str] = Counter()
    calls = _endpoint_calls(env, target, random.Random(11))
    # One gate per kind of call: calls waiting for one endpoint's quota must not hold the slots
    # another endpoint's calls need (that starved the binding quota under some interleavings).
    gates = {kind: asyncio.Semaphore(CONCURRENCY) for kind, _ in calls}

    async def run(kind: str, call: Callable[[], Awaitable[Any]]) -> None:
        async with gates[kind]:
            try:
                await call()
                outcomes["ok"] += 1
            except LotusXError as exc:
                outcomes[type(exc).__name__] += 1

    await asyncio.wait_for(asyncio.gather(*(run(kind, call) for kind, call in calls)), seconds)
    return outcomes


async def _endpoint_quota_burst(
    exchange: str, monkeypatch: pytest.MonkeyPatch, record_property: pytest.RecordProperty
) -> None:
    spy = VenueSpy(exchange, monkeypatch)
    async with environment(exchange, seed=5) as env:
        await env.connector.load_instruments()
        before = _statuses(env)
        since = env.venue.now_ms()
        started = time.monotonic()
        outcomes = await _endpoint_burst(env, 30.0)
        elapsed = time.monotonic() - started
        until = env.venue.now_ms()
        statuses = _statuses(env) - before
    window_ms = dict.fromkeys(spy.limits, WINDOW_MS[exchange])
    if exchange == "bybit":
        window_ms["IP"] = 5000
    use = spy.use(since, until, window_ms)
    ratio = {k: statistics.median(v) / spy.limit(k) for k, v in use.items() if v}
    record_property("outcomes", str(dict(outcomes)))
    record_property("venue statuses", str(dict(statuses)))
    record_property("venue window use", str(use))
    print(
        f"\n[{exchange}] {elapsed:.1f}s {dict(outcomes)} {dict(statuses)} refused={spy.refused[:3]}"
    )
    for key, used in use.items():
        print(f"  {key} limit {spy.limit(key)}: {used}")
    assert not spy.refused, (len(spy.refused), spy.refused[:5])
    assert statuses[429] == 0 and statuses[403] == 0 and statuses[418] == 0, statuses
    assert sum(outcomes.values()) == ENDPOINT_BURST[exchange], outcomes  # every call ended
    assert outcomes["ok"] == sum(outcomes.values()), outcomes
    # The binding quota (the one the burst filled best) was ≥ 90 % used in the median window.
    binding = max(ratio, key=lambda k: ratio[k])
    assert ratio[binding] >= 0.9, (binding, use[binding], spy.limit(binding))


# Kraken documents no fixed windows on the spot side: each key's call counter (20 at the
# "intermediate" tier the simulated account has) loses 0.5 per second, every private call but
# trading adds 1. Futures: 500 cost units per 10 s per key (open orders and accounts cost 2).
# The connector models the counter as 20 calls per rolling 40 s, so spot gets one full counter
# (more would wait ~40 s); futures gets 520 units: the last calls wait for the window to roll.
KRAKEN_SPOT_CALLS = 20
KRAKEN_FUTURES_CALLS = 260


async def _kraken_burst(
    monkeypatch: pytest.MonkeyPatch, record_property: pytest.RecordProperty
) -> None:
    from lotusx.sim.dialects.kraken.limits import KrakenLimits

    refused: list[tuple[str, int]] = []
    counter: list[float] = []  # the spot counter after each accepted call
    caps: set[int] = set()  # the venue's counter maximum
    futures: list[tuple[int, int]] = []  # (venue ms, cost) of each accepted futures call
    charge_call, charge_futures = KrakenLimits.charge_call, KrakenLimits.charge_futures

    def spot_spy(self: Any, key: str, method: str, now: int) -> bool:
        ok: bool = charge_call(self, key, method, now)
        if ok:
            counter.append(float(self.calls.value(key, now)))
            caps.add(int(self.calls.cap))
        else:
            refused.append((f"spot {method}", now))
        return ok

    def futures_spy(self: Any, key: str, cost: int, now: int) -> bool:
        ok: bool = charge_futures(self, key, cost, now)
        if ok:
            futures.append((now, cost))
        else:
            refused.append(("futures", now))
        return ok

    monkeypatch.setattr(KrakenLimits, "charge_call", spot_spy)
    monkeypatch.setattr(KrakenLimits, "charge_futures", futures_spy)
    async with environment("kraken", seed=5) as env:
        c = env.connector
        await c.load_instruments()
        assert env.perp is not None
        before = _statuses(env)
        calls = [
            c.get_open_orders(env.spot) if i % 2 else c.get_balances("spot")
            for i in range(KRAKEN_SPOT_CALLS)
        ] + [
            c.get_open_orders(env.perp) if i % 2 else c.get_balances("futures")
            for i in range(KRAKEN_FUTURES_CALLS)
        ]
        started = time.monotonic()
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 30.0)
        elapsed = time.monotonic() - started
        statuses = _statuses(env) - before
    errors = [r for r in results if isinstance(r, BaseException)]
    (cap,) = caps
    # The most futures units the venue accepted in any 10 s.
    peak = max(
        sum(cost for at, cost in futures if start <= at < start + 10_000) for start, _ in futures
    )
    use = {"spot counter peak": max(counter), "spot cap": cap, "futures 10 s peak": peak}
    record_property("venue use", str(use))
    print(f"\n[kraken] {elapsed:.1f}s {use} {dict(statuses)} refused={refused[:3]}")
    assert not refused, refused[:5]
    assert not errors, errors[:3]
    assert statuses[429] == 0, statuses
    assert max(counter) >= 0.9 * cap, use
    assert peak >= 0.9 * 500, use

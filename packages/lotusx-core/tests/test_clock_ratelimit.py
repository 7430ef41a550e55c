import asyncio

from hypothesis import given
from hypothesis import strategies as st

from lotusx.core.clock import Clock
from lotusx.core.ratelimit import Quota, RateLimiter, WindowKind


@given(st.integers(0, 10**12), st.integers(-5000, 5000), st.integers(0, 400))
def test_offset_from_round_trip_midpoint(sent: int, true_offset: int, rtt: int) -> None:
    clock = Clock()
    server = sent + rtt // 2 + true_offset  # the server stamped at the midpoint
    sample = clock.observe(sent, server, sent + rtt)
    assert sample.round_trip_ms == rtt
    assert clock.offset_ms == true_offset


def test_lowest_latency_sample_wins_and_drift() -> None:
    clock = Clock()
    clock.observe(0, 1000 + 50, 100)  # rtt 100, offset 1000
    clock.observe(1000, 1005 + 1000, 1010)  # rtt 10, offset 1000
    clock.observe(2000, 2010 + 1000, 2800)  # rtt 800, asymmetric: looks like 610
    assert clock.offset_ms == 1000
    drifting = Clock()
    for t in range(0, 10_000_000, 1_000_000):
        drifting.observe(t, t + t // 100_000 + 5, t + 10)  # +10 ms per 1e6 ms
    assert drifting.drift_ppm is not None
    assert 9.9 < drifting.drift_ppm < 10.1


async def test_rolling_window_waits_for_the_oldest_to_expire() -> None:
    now = [0]
    limiter = RateLimiter(
        "t", [Quota("uid", 5, 1000, WindowKind.ROLLING, headroom=0)], clock=lambda: now[0]
    )
    for _ in range(5):
        assert await limiter.acquire({"uid": 1}) == 0
    task = asyncio.create_task(limiter.acquire({"uid": 1}))
    await asyncio.sleep(0.05)
    assert not task.done()
    now[0] = 1001
    assert await asyncio.wait_for(task, 2) > 0
    assert limiter.used("uid") == 1


async def test_fixed_window_observe_and_pause() -> None:
    now = [10_000]
    limiter = RateLimiter("t", [Quota("w", 100, 60_000)], clock=lambda: now[0])
    await limiter.acquire({"w": 10, "unknown": 5})
    limiter.observe("w", 80)  # another process shares the IP
    assert limiter.used("w") == 80
    limiter.observe("w", 20)  # lower reports never lower our count (requests in flight)
    assert limiter.used("w") == 80
    now[0] = 60_000  # the next window
    assert limiter.used("w") == 0


async def test_pause_blocks_until_retry_after() -> None:
    limiter = RateLimiter("t", [Quota("w", 100, 60_000)])
    limiter.pause(0.05)
    waited = await limiter.acquire({"w": 1})
    assert waited >= 0.04


def test_offset_published_as_metric() -> None:
    from lotusx.core.observability import REGISTRY

    Clock("metric-test").observe(0, 2500 + 5, 10)
    assert (
        REGISTRY.get_sample_value("lotusx_clock_offset_seconds", {"exchange": "metric-test"}) == 2.5
    )


def test_clock_jump_discards_older_samples() -> None:
    clock = Clock()
    clock.observe(0, 5 + 100, 10)  # offset 100, rtt 10
    clock.observe(1000, 1050 + 30_000, 1100)  # the venue clock jumped 30 s; rtt 100
    assert clock.offset_ms == 30_000


def test_a_report_for_a_quota_published_later_counts_in_its_own_window_only() -> None:
    now = [10_250]
    limiter = RateLimiter("t", clock=lambda: now[0])
    # exchangeInfo's answer: its headers report the weight before its body defines the quota.
    limiter.observe("weight_1s", 40)
    limiter.set_quota(Quota("weight_1s", 300, 1000))
    assert limiter.used("weight_1s") == 40
    rolling = RateLimiter("t", clock=lambda: now[0])
    rolling.observe("orders", 7)
    now[0] = 10_900
    rolling.set_quota(Quota("orders", 50, 1000, kind=WindowKind.ROLLING))
    assert rolling.used("orders") == 7
    now[0] = 11_300  # the rolling report has aged out
    assert rolling.used("orders") == 0
    stale = RateLimiter("t", clock=lambda: now[0])
    stale.observe("weight_1s", 40)
    now[0] = 12_010  # a later second: that report belongs to a window already gone
    stale.set_quota(Quota("weight_1s", 300, 1000))
    assert stale.used("weight_1s") == 0


async def test_a_call_waiting_for_one_quota_does_not_hold_up_another_quota() -> None:
    limiter = RateLimiter("t", [Quota("orders", 1, 60_000), Quota("book", 100, 1000)])
    await limiter.acquire({"orders": 1})  # the minute's only order
    stuck = asyncio.create_task(limiter.acquire({"orders": 1}))  # waits for the next minute
    await asyncio.sleep(0.01)
    assert await asyncio.wait_for(limiter.acquire({"book": 1}), 0.5) == 0  # not queued behind it
    assert not stuck.done()
    stuck.cancel()


def test_a_report_whose_call_crossed_a_boundary_does_not_fill_the_next_window() -> None:
    now = [10_990]
    limiter = RateLimiter("t", [Quota("weight_1s", 300, 1000)], clock=lambda: now[0])
    sent = limiter.now_ms()
    now[0] = 11_004  # the answer to a call of the full window arrives after the boundary
    limiter.observe("weight_1s", 300, sent)
    assert limiter.used("weight_1s") == 0  # the exchange may have counted it in either window
    limiter.observe("weight_1s", 30, limiter.now_ms())  # sent and answered in this window
    assert limiter.used("weight_1s") == 30

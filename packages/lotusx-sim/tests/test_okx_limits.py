"""OKX v5 quotas of GET and POST /api/v5/trade/order: the docs give "Order details" and "Place
order" 60 requests per 2 seconds each, counted per User ID + Instrument ID; over the limit the
reply is HTTP 429 with code 50011."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from lotusx.sim import RateLimitRule, Venue
from lotusx.sim.dialects.okx.errors import OkxError
from lotusx.sim.dialects.okx.limits import DEFAULT, OkxLimits

ORDER = "/api/v5/trade/order"
LIMITED = {"code": "50011", "msg": "Too Many Requests", "data": []}
WINDOW_MS = 2000


def test_documented_order_quotas_are_separate() -> None:
    assert DEFAULT[f"GET {ORDER}"] == DEFAULT[f"POST {ORDER}"] == (60, 2)
    limits = OkxLimits()
    now = 1_700_000_000_000  # the start of a 2 s window
    get = limits.counter("uid1", "GET", ORDER, "BTC-USDT")
    post = limits.counter("uid1", "POST", ORDER, "BTC-USDT")
    assert get != post
    for _ in range(60):
        limits.charge(*get, 1, now)
    with pytest.raises(OkxError) as refused:
        limits.charge(*get, 1, now + 1999)
    assert (refused.value.status, refused.value.body()) == (429, LIMITED)
    # Sixty GETs left the place-order quota whole: sixty POSTs pass, the sixty-first does not.
    for _ in range(60):
        limits.charge(*post, 1, now + 1999)
    with pytest.raises(OkxError):
        limits.charge(*post, 1, now + 1999)
    # Per instrument and per user; a new 2 s window starts afresh.
    limits.charge(*limits.counter("uid1", "GET", ORDER, "ETH-USDT"), 1, now)
    limits.charge(*limits.counter("uid2", "GET", ORDER, "BTC-USDT"), 1, now)
    limits.charge(*get, 1, now + WINDOW_MS)
    # Other trade routes keep their per-path quota.
    assert limits.counter("uid1", "POST", "/api/v5/trade/cancel-order", "BTC-USDT") == (
        "uid1",
        "/api/v5/trade/cancel-order",
    )


def test_a_path_override_sets_both_quotas_which_stay_separate() -> None:
    limits = OkxLimits([RateLimitRule(ORDER, "SECOND", 60, 2)])
    now = 1_700_000_000_000
    get = limits.counter("uid1", "GET", ORDER, "BTC-USDT")
    post = limits.counter("uid1", "POST", ORDER, "BTC-USDT")
    for key in (get, post):
        limits.charge(*key, 1, now)
        limits.charge(*key, 1, now)
        with pytest.raises(OkxError):
            limits.charge(*key, 1, now)


async def _window_start(venue: Venue) -> None:
    """Sleep until just after a venue 2 s window opens (OKX counts in fixed 2 s windows)."""
    await asyncio.sleep((WINDOW_MS - venue.now_ms() % WINDOW_MS) / 1000 + 0.005)


async def test_get_order_burst_leaves_place_order_quota(okx: Any) -> None:
    v = okx.venue
    best = v.view.book("BTC-USDT", "spot", 1).bids[0][0]
    body = {
        "instId": "BTC-USDT",
        "tdMode": "cash",
        "side": "buy",
        "ordType": "limit",
        "px": str((best * Decimal("0.5")).quantize(Decimal("0.1"))),
        "sz": "0.0001",
    }
    query = {"instId": "BTC-USDT", "clOrdId": "q0"}

    async def place(n: int, tag: str) -> list[Any]:
        replies = [okx.post(ORDER, {**body, "clOrdId": f"{tag}{i}"}) for i in range(n)]
        return list(await asyncio.gather(*replies))

    async def details(n: int, q: dict[str, str]) -> list[Any]:
        return list(await asyncio.gather(*(okx.get(ORDER, q, private=True) for _ in range(n))))

    for attempt in range(3):  # a burst that straddles two 2 s windows is run again
        await _window_start(v)
        start = v.now_ms()
        first = await place(1, f"q{attempt}x")
        query["clOrdId"] = f"q{attempt}x0"
        gets = await details(60, query)
        get_over = (await details(1, query))[0]
        other_inst = (await details(1, {"instId": "ETH-USDT", "clOrdId": "none"}))[0]
        posts = first + await place(59, f"q{attempt}p")
        post_over = (await place(1, f"q{attempt}o"))[0]
        if v.now_ms() // WINDOW_MS == start // WINDOW_MS:
            break
    else:
        pytest.fail("no burst fitted in one 2 s window")
    assert all(r.status == 200 and r.body["code"] == "0" for r in gets), gets[-1].body
    assert (get_over.status, get_over.body) == (429, LIMITED)
    # GET on another instrument counts apart (the order does not exist: 51603, not 50011).
    assert other_inst.body["code"] != "50011"
    # Sixty-one GETs took nothing from the place-order quota: sixty placements pass.
    assert all(r.status == 200 and r.body["code"] == "0" for r in posts), [
        r.body for r in posts if r.body["code"] != "0"
    ]
    assert (post_over.status, post_over.body) == (429, LIMITED)

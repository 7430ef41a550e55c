"""OKX v5 trade quotas, as the docs give them.

- "Order details" and "Place order" (GET and POST /api/v5/trade/order), "Amend order" and "Cancel
  order": 60 requests per 2 seconds each, counted per User ID + Instrument ID.
- "Place / Amend / Cancel multiple orders": 300 *orders* per 2 seconds, per User ID + Instrument
  ID; a request with one order "will consume the rate limit of" the single-order endpoint.
- Over an endpoint limit: HTTP 429 with code 50011.
- "Sub-account rate limit": 1000 new and amended orders per 2 seconds per sub-account, across
  instruments, each order of a batch counted; spot/margin orders are exempt; code 50061.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from lotusx.sim import RateLimitRule, Venue
from lotusx.sim.dialects.okx.errors import OkxError
from lotusx.sim.dialects.okx.limits import DEFAULT, SUB_ACCOUNT, OkxLimits

ORDER = "/api/v5/trade/order"
CANCEL = "/api/v5/trade/cancel-order"
AMEND = "/api/v5/trade/amend-order"
BATCH = "/api/v5/trade/batch-orders"
CANCEL_BATCH = "/api/v5/trade/cancel-batch-orders"
AMEND_BATCH = "/api/v5/trade/amend-batch-orders"
LIMITED = {"code": "50011", "msg": "Too Many Requests", "data": []}
SUB_LIMITED = {
    "code": "50061",
    "msg": "You've reached the maximum order rate limit for this account.",
    "data": [],
}
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
    # Cancel order has its own quota, also per user id + instrument id.
    assert limits.counter("uid1", "POST", CANCEL, "BTC-USDT") == ("uid1/BTC-USDT", CANCEL)


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


# ------------------------------------------------------- cancel, amend, batches, sub-account
NOW = 1_700_000_000_000  # the start of a 2 s window


def test_documented_trade_quotas() -> None:
    assert DEFAULT[CANCEL] == DEFAULT[AMEND] == (60, 2)
    assert DEFAULT[BATCH] == DEFAULT[CANCEL_BATCH] == DEFAULT[AMEND_BATCH] == (300, 2)
    assert DEFAULT[SUB_ACCOUNT] == (1000, 2)


@pytest.mark.parametrize("path", [CANCEL, AMEND])
def test_cancel_and_amend_count_per_user_and_instrument(path: str) -> None:
    limits = OkxLimits()

    def send(inst_id: str, uid: str = "uid1", now: int = NOW) -> None:
        limits.charge_all(limits.charges(uid, "POST", path, [inst_id]), now)

    for _ in range(60):
        send("BTC-USDT-SWAP")
    with pytest.raises(OkxError) as refused:
        send("BTC-USDT-SWAP", now=NOW + 1999)
    assert (refused.value.status, refused.value.body()) == (429, LIMITED)
    # A per-user count would refuse these: another instrument and another user count apart.
    for _ in range(60):
        send("ETH-USDT-SWAP")
    send("BTC-USDT-SWAP", uid="uid2")
    # Placing, amending and cancelling are independent quotas.
    other = AMEND if path == CANCEL else CANCEL
    limits.charge_all(limits.charges("uid1", "POST", other, ["BTC-USDT-SWAP"]), NOW)
    limits.charge_all(limits.charges("uid1", "POST", ORDER, ["BTC-USDT-SWAP"]), NOW)
    send("BTC-USDT-SWAP", now=NOW + WINDOW_MS)


@pytest.mark.parametrize("path", [BATCH, CANCEL_BATCH, AMEND_BATCH])
def test_batches_count_orders_per_instrument(path: str) -> None:
    limits = OkxLimits()
    mixed = limits.charges("uid1", "POST", path, ["BTC-USDT"] * 15 + ["ETH-USDT"] * 5)
    assert sorted(c for c in mixed if c[1] == path) == [
        ("uid1/BTC-USDT", path, 15),
        ("uid1/ETH-USDT", path, 5),
    ]
    # 300 orders of one instrument in 15 requests of 20: the 301st order is refused, whole.
    twenty = limits.charges("uid1", "POST", path, ["BTC-USDT"] * 20)
    for _ in range(15):
        limits.charge_all(twenty, NOW)
    with pytest.raises(OkxError) as refused:
        limits.charge_all(limits.charges("uid1", "POST", path, ["BTC-USDT"] * 2), NOW)
    assert (refused.value.status, refused.value.body()) == (429, LIMITED)
    # Counting per request, or per user, would refuse this batch of another instrument.
    limits.charge_all(limits.charges("uid1", "POST", path, ["ETH-USDT"] * 20), NOW)
    # A one-order batch counts against the single-order endpoint's quota, which is whole.
    single = limits.charges("uid1", "POST", path, ["BTC-USDT"])
    alone = {BATCH: f"POST {ORDER}", CANCEL_BATCH: CANCEL, AMEND_BATCH: AMEND}[path]
    assert single[0] == ("uid1/BTC-USDT", alone, 1)
    for _ in range(60):
        limits.charge_all(single, NOW)
    with pytest.raises(OkxError):
        limits.charge_all(single, NOW)


def test_sub_account_limit_counts_new_and_amended_orders_across_instruments() -> None:
    limits = OkxLimits()
    swaps = [f"C{n}-USDT-SWAP" for n in range(20)]
    # 16 instruments x (50 places + 10 amends): 960 orders, no endpoint quota near its limit.
    for inst in swaps[:16]:
        for _ in range(50):
            limits.charge_all(limits.charges("uid1", "POST", ORDER, [inst]), NOW)
        for _ in range(10):
            limits.charge_all(limits.charges("uid1", "POST", AMEND, [inst]), NOW)
    # Cancels and order details are not counted.
    for _ in range(60):
        limits.charge_all(limits.charges("uid1", "POST", CANCEL, [swaps[0]]), NOW)
        limits.charge_all(limits.charges("uid1", "GET", ORDER, [swaps[0]]), NOW)
    # A batch counts each order: 20 + 20 → 1000.
    limits.charge_all(limits.charges("uid1", "POST", BATCH, swaps[16:18] * 10), NOW)
    limits.charge_all(limits.charges("uid1", "POST", AMEND_BATCH, swaps[16:18] * 10), NOW)
    with pytest.raises(OkxError) as refused:
        limits.charge_all(limits.charges("uid1", "POST", ORDER, [swaps[19]]), NOW + 1999)
    assert (refused.value.status, refused.value.body()) == (200, SUB_LIMITED)
    # Refused whole: the instrument's own quota was not charged either.
    assert limits.limiter.used(f"uid1/{swaps[19]}", f"POST {ORDER}", NOW) == [
        (r, 0) for r, _ in limits.limiter.used(f"uid1/{swaps[19]}", f"POST {ORDER}", NOW)
    ]
    # Spot orders are exempt; other users have their own sub-account quota; windows restart.
    spot = limits.charges("uid1", "POST", ORDER, ["BTC-USDT"], exempt=lambda i: i == "BTC-USDT")
    assert [c[1] for c in spot] == [f"POST {ORDER}"]
    limits.charge_all(spot, NOW)
    limits.charge_all(limits.charges("uid2", "POST", ORDER, [swaps[19]]), NOW)
    limits.charge_all(limits.charges("uid1", "POST", ORDER, [swaps[19]]), NOW + WINDOW_MS)


def test_sub_account_override() -> None:
    limits = OkxLimits([RateLimitRule(SUB_ACCOUNT, "SECOND", 2, 2)])
    limits.charge_all(limits.charges("uid1", "POST", ORDER, ["A-USDT-SWAP"]), NOW)
    limits.charge_all(limits.charges("uid1", "POST", AMEND, ["B-USDT-SWAP"]), NOW)
    with pytest.raises(OkxError) as refused:
        limits.charge_all(limits.charges("uid1", "POST", ORDER, ["C-USDT-SWAP"]), NOW)
    assert refused.value.code == "50061"


async def test_cancel_and_batch_cancel_bursts_throttle_per_instrument(okx: Any) -> None:
    v = okx.venue

    def cancels(inst: str, n: int) -> list[dict[str, str]]:
        return [{"instId": inst, "ordId": str(9_000_000 + i)} for i in range(n)]

    async def cancel_burst(inst: str, n: int) -> list[Any]:
        return list(await asyncio.gather(*(okx.post(CANCEL, c) for c in cancels(inst, n))))

    for _ in range(3):  # a burst that straddles two 2 s windows is run again
        await _window_start(v)
        start = v.now_ms()
        singles = await cancel_burst("BTC-USDT", 60)
        single_over = (await cancel_burst("BTC-USDT", 1))[0]
        single_other = (await cancel_burst("ETH-USDT", 1))[0]
        batches = [await okx.post(CANCEL_BATCH, cancels("BTC-USDT", 20)) for _ in range(15)]
        batch_over = await okx.post(CANCEL_BATCH, cancels("BTC-USDT", 2))
        batch_other = await okx.post(CANCEL_BATCH, cancels("ETH-USDT", 20))
        if v.now_ms() // WINDOW_MS == start // WINDOW_MS:
            break
    else:
        pytest.fail("no burst fitted in one 2 s window")
    # Unknown orders: each item fails (51400) but every request counted.
    assert all(r.status == 200 and r.body["code"] == "1" for r in singles), singles[-1].body
    assert (single_over.status, single_over.body) == (429, LIMITED)
    assert (single_other.status, single_other.body["code"]) == (200, "1")
    # 15 batches of 20 = 300 orders of BTC-USDT; the cancel-order quota spent above is apart.
    assert all(r.status == 200 and r.body["code"] == "1" for r in batches), batches[-1].body
    assert len(batches[-1].body["data"]) == 20
    assert (batch_over.status, batch_over.body) == (429, LIMITED)
    assert (batch_other.status, batch_other.body["code"]) == (200, "1")


async def test_sub_account_limit_at_the_venue(okx_for: Any, okx_options: Any) -> None:
    rules = {"rest": [RateLimitRule(SUB_ACCOUNT, "SECOND", 2, 3)]}
    async with Venue.start("okx", **okx_options(tick_interval=3600, rate_limits=rules)) as v:
        api = okx_for(v)

        def amend(inst: str) -> dict[str, str]:
            return {"instId": inst, "ordId": "123", "newPx": "100"}

        for _ in range(3):
            await _window_start(v)
            start = v.now_ms()
            first = [
                await api.post(AMEND, amend("BTC-USDT-SWAP")),
                await api.post(AMEND_BATCH, [amend("ETH-USDT-SWAP"), amend("BTC-USDT-SWAP")]),
            ]
            over = await api.post(AMEND, amend("ETH-USDT-SWAP"))
            spot = await api.post(AMEND, amend("BTC-USDT"))
            cancel = await api.post(CANCEL, {"instId": "ETH-USDT-SWAP", "ordId": "123"})
            if v.now_ms() // WINDOW_MS == start // WINDOW_MS:
                break
        else:
            pytest.fail("no burst fitted in one 2 s window")
    # Unknown orders: the amendments fail per item (51503) but count.
    assert [(r.status, r.body["code"]) for r in first] == [(200, "1"), (200, "1")]
    # Trade routes stamp inTime/outTime on every HTTP 200 reply.
    assert (over.status, {k: over.body[k] for k in SUB_LIMITED}) == (200, SUB_LIMITED)
    assert (spot.status, spot.body["code"]) == (200, "1")  # spot orders are exempt
    assert (cancel.status, cancel.body["code"]) == (200, "1")  # cancels are not counted

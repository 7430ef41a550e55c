"""Fault switches are observable on the wire and counted."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

ORDER = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.01",
    "price": "50000",
}


async def test_5xx_and_429_bursts(api: Any) -> None:
    f = api.venue.faults
    f.rest_5xx(2)
    for _ in range(2):
        r = await api.get("/api/v3/time")
        assert (r.status, r.body) == (
            503,
            {
                "code": -1001,
                "msg": "Internal error; unable to process your request. Please try again.",
            },
        )
    assert (await api.get("/api/v3/time")).status == 200
    f.rest_429(1)
    r = await api.get("/fapi/v1/time")
    assert r.status == 429 and r.body["code"] == -1003 and "Retry-After" in r.headers
    assert (await api.get("/fapi/v1/time")).status == 200
    assert f.injected["rest_5xx"] == 2 and f.injected["rest_429"] == 1
    log = [(q.method, q.path, q.status) for q in api.venue.view.requests]
    assert log[:3] == [("GET", "/api/v3/time", 503)] * 2 + [("GET", "/api/v3/time", 200)]


async def test_latency(api: Any) -> None:
    api.venue.faults.latency(rest_ms=200)
    start = time.monotonic()
    await api.get("/api/v3/ping")
    assert time.monotonic() - start >= 0.2
    api.venue.faults.latency()
    start = time.monotonic()
    await api.get("/api/v3/ping")
    assert time.monotonic() - start < 0.2


async def test_fail_after_accept_5xx(api: Any) -> None:
    v = api.venue
    v.faults.fail_after_accept(1)
    r = await api.post("/api/v3/order", {**ORDER, "newClientOrderId": "lost-1"}, signed=True)
    assert r.status == 503 and r.body["code"] == -1007
    placed = v.view.order(client_id="lost-1")
    assert placed is not None and placed.status.value == "NEW"  # executed anyway
    found = await api.get(
        "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "lost-1"}, signed=True
    )
    assert found.body["orderId"] == placed.order_id
    assert v.faults.injected["fail_after_accept"] == 1


async def test_fail_after_accept_close_and_timeout(api: Any) -> None:
    v = api.venue
    v.faults.fail_after_accept(1, mode="close")
    with pytest.raises(aiohttp.ClientError):
        await api.post(
            "/fapi/v1/order",
            {**ORDER, "price": "50000.0", "quantity": "0.010", "newClientOrderId": "lost-2"},
            signed=True,
        )
    assert v.view.order(client_id="lost-2", market="futures") is not None
    v.faults.fail_after_accept(1, mode="timeout")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(
            api.post("/api/v3/order", {**ORDER, "newClientOrderId": "lost-3"}, signed=True), 0.5
        )
    assert v.view.order(client_id="lost-3") is not None
    assert v.faults.injected["fail_after_accept"] == 2
    with pytest.raises(ValueError, match="bogus"):
        v.faults.fail_after_accept(1, mode="bogus")


async def test_clock_skew(api: Any) -> None:
    v = api.venue
    real = int(time.time() * 1000)
    v.faults.skew_clock(10_000)
    server = (await api.get("/api/v3/time")).body["serverTime"]
    assert 9_000 < server - real < 11_000
    assert 9_000 < v.now_ms() - real < 11_000
    r = await api.get("/api/v3/account", signed=True, timestamp=real)
    assert r.body == {
        "code": -1021,
        "msg": "Timestamp for this request is outside of the recvWindow.",
    }
    v.faults.skew_clock(0)
    assert (await api.get("/api/v3/account", signed=True)).status == 200


async def test_reset_clears_switches(api: Any) -> None:
    f = api.venue.faults
    f.rest_5xx(3)
    f.set_maintenance(True)
    f.reset()
    assert (await api.get("/api/v3/depth", {"symbol": "BTCUSDT"})).status == 200
    assert f.injected["rest_5xx"] == 0

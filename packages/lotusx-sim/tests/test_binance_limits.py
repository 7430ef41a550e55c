"""Rate limits: weights, order counts, 429 with Retry-After, then the 418 IP ban."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from lotusx.sim import RateLimitRule, Venue

TIGHT = {
    "spot": [RateLimitRule("REQUEST_WEIGHT", "HOUR", 1, 30), RateLimitRule("ORDERS", "HOUR", 1, 3)],
    "futures": [
        RateLimitRule("REQUEST_WEIGHT", "HOUR", 1, 10),
        RateLimitRule("ORDERS", "HOUR", 1, 2),
    ],
}


@pytest.fixture
async def tight() -> AsyncIterator[Venue]:
    async with Venue.start(
        "binance", tick_interval=3600, rate_limits=TIGHT, book_levels=20, ban_after=3, ban_ms=60_000
    ) as v:
        yield v


async def fetch(session: aiohttp.ClientSession, url: str) -> tuple[int, Any, dict[str, str]]:
    async with session.get(url) as r:
        return r.status, await r.json(), dict(r.headers)


async def test_exchange_info_reports_configured_limits(tight: Venue) -> None:
    async with aiohttp.ClientSession() as s:
        _, info, headers = await fetch(s, tight.rest_url + "/api/v3/exchangeInfo")
        assert info["rateLimits"] == [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "HOUR", "intervalNum": 1, "limit": 30},
            {"rateLimitType": "ORDERS", "interval": "HOUR", "intervalNum": 1, "limit": 3},
        ]
        assert headers["X-MBX-USED-WEIGHT-1H"] == "20"
        _, finfo, _ = await fetch(s, tight.urls["futures_rest"] + "/fapi/v1/exchangeInfo")
        assert finfo["rateLimits"][0]["limit"] == 10


async def test_weight_exceeded_429_then_418(tight: Venue) -> None:
    depth = tight.rest_url + "/api/v3/depth?symbol=BTCUSDT&limit=10"
    async with aiohttp.ClientSession() as s:
        for i in range(6):
            status, _, headers = await fetch(s, depth)
            assert status == 200 and headers["X-MBX-USED-WEIGHT-1H"] == str(5 * (i + 1))
        status, body, headers = await fetch(s, depth)
        assert status == 429 and int(headers["Retry-After"]) > 0
        assert body == {
            "code": -1003,
            "msg": "Too much request weight used; current limit is "
            "30 request weight per 1 HOUR. Please use WebSocket Streams for live "
            "updates to avoid polling the API.",
        }
        status, _, _ = await fetch(s, depth)
        assert status == 429
        status, _, _ = await fetch(s, depth)
        assert status == 429  # third strike bans
        status, body, headers = await fetch(s, tight.rest_url + "/api/v3/ping")
        assert status == 418 and 0 < int(headers["Retry-After"]) <= 60
        assert body["code"] == -1003
        assert body["msg"].startswith("Way too much request weight used; IP banned until ")
        statuses = [r.status for r in tight.view.requests]
        assert statuses[-5:] == [200, 429, 429, 429, 418]
        # the futures host has its own limiter
        status, _, headers = await fetch(s, tight.urls["futures_rest"] + "/fapi/v1/ping")
        assert status == 200 and headers["X-MBX-USED-WEIGHT-1H"] == "1"


async def test_futures_weight_message(tight: Venue) -> None:
    url = tight.urls["futures_rest"] + "/fapi/v1/depth?symbol=BTCUSDT&limit=100"
    async with aiohttp.ClientSession() as s:
        assert (await fetch(s, url))[0] == 200
        assert (await fetch(s, url))[0] == 200
        status, body, _ = await fetch(s, url)
        assert status == 429
        assert body == {
            "code": -1003,
            "msg": "Too many requests; current limit is 10 requests "
            "per hour. Please use the websocket for live updates to avoid polling "
            "the API.",
        }


async def test_order_count_limit(tight: Venue, session: aiohttp.ClientSession) -> None:
    import hashlib
    import hmac
    from urllib.parse import urlencode

    async def order(i: int) -> tuple[int, Any, dict[str, str]]:
        q = urlencode(
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.001",
                "price": f"{50000 + i}",
                "timestamp": tight.now_ms(),
            }
        )
        q += "&signature=" + hmac.new(tight.secret.encode(), q.encode(), hashlib.sha256).hexdigest()
        async with session.post(
            f"{tight.rest_url}/api/v3/order?{q}", headers={"X-MBX-APIKEY": tight.api_key}
        ) as r:
            return r.status, await r.json(), dict(r.headers)

    for i in range(3):
        status, _, headers = await order(i)
        assert status == 200 and headers["X-MBX-ORDER-COUNT-1H"] == str(i + 1)
    status, body, headers = await order(9)
    assert status == 429 and "Retry-After" not in headers
    assert body == {
        "code": -1015,
        "msg": "Too many new orders; current limit is 3 orders per 1 HOUR.",
    }
    assert len(tight.view.open_orders()) == 3

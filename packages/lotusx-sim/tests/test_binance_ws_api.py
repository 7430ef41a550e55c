"""Binance WebSocket API order entry (`/ws-api/v3`, `/ws-fapi/v1`) with raw, hand-signed frames."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from lotusx.sim import Venue
from lotusx.sim.dialects.binance.auth import sign, ws_payload
from lotusx.sim.model import OrderStatus

D = Decimal
SPOT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
IDS = itertools.count(1)


class WsApi:
    """One WebSocket API connection; signs params as the docs' HMAC example does."""

    def __init__(self, venue: Venue, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.venue, self.ws = venue, ws

    def signed(self, params: dict[str, Any], **over: Any) -> dict[str, Any]:
        out = {**params, "apiKey": self.venue.api_key, "timestamp": self.venue.now_ms(), **over}
        payload = "&".join(f"{k}={v}" for k, v in sorted(out.items()))
        out["signature"] = hmac.new(
            self.venue.secret.encode(), payload.encode(), hashlib.sha256
        ).hexdigest()
        return out

    async def send(self, method: str, params: dict[str, Any] | None = None) -> int:
        rid = next(IDS)
        frame: dict[str, Any] = {"id": rid, "method": method}
        if params is not None:
            frame["params"] = params
        await self.ws.send_str(json.dumps(frame))
        return rid

    async def recv(self, timeout: float = 3.0) -> Any:
        msg = await asyncio.wait_for(self.ws.receive(), timeout)
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        return json.loads(msg.data)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        rid = await self.send(method, params)
        reply = await self.recv()
        assert reply["id"] == rid
        return reply

    async def order(self, method: str, params: dict[str, Any]) -> Any:
        return await self.call(method, self.signed(params))


async def connect(venue: Venue, session: aiohttp.ClientSession, key: str) -> WsApi:
    return WsApi(venue, await session.ws_connect(venue.urls[key]))


def bid(venue: Venue, market: str = "spot") -> D:
    price: D = venue.view.book("BTCUSDT", market, 1).bids[0][0]
    return price


def ws_log(venue: Venue) -> list[tuple[str, int, str]]:
    return [(r.path, r.status, r.server) for r in venue.view.requests if r.method == "WS"]


def test_signature_payload_reproduces_the_documented_example() -> None:
    params = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01000000",
        "price": "52000.00",
        "recvWindow": "100",
        "timestamp": "1645423376532",
        "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        "signature": "ignored",
    }
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    assert (
        sign(secret, ws_payload(params))
        == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"
    )


async def test_spot_place_status_amend_replace_cancel(
    venue: Venue, session: aiohttp.ClientSession
) -> None:
    api = await connect(venue, session, "spot_ws_api")
    price = f"{bid(venue) - 100:.2f}"
    r = await api.order(
        "order.place", {**SPOT, "price": price, "quantity": "0.01", "newClientOrderId": "w1"}
    )
    assert r["status"] == 200 and r["result"]["status"] == "NEW"
    oid = r["result"]["orderId"]
    assert [x["rateLimitType"] for x in r["rateLimits"]] == ["ORDERS", "ORDERS", "REQUEST_WEIGHT"]
    assert [x["count"] for x in r["rateLimits"][:2]] == [1, 1]
    assert venue.view.order(oid).client_id == "w1"  # type: ignore[union-attr]

    r = await api.order("order.status", {"symbol": "BTCUSDT", "orderId": oid})
    assert r["result"]["clientOrderId"] == "w1"
    r = await api.order(
        "order.amend.keepPriority",
        {"symbol": "BTCUSDT", "orderId": oid, "newQty": "0.005"},
    )
    assert r["status"] == 200, r
    assert venue.view.order(oid).orig_qty == D("0.005")  # type: ignore[union-attr]
    r = await api.order(
        "order.cancelReplace",
        {
            **SPOT,
            "price": price,
            "quantity": "0.02",
            "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrderId": oid,
            "newClientOrderId": "w2",
        },
    )
    assert r["result"]["cancelResult"] == "SUCCESS", r
    new_id = r["result"]["newOrderResponse"]["orderId"]
    assert venue.view.order(oid).status is OrderStatus.CANCELED  # type: ignore[union-attr]
    r = await api.order("order.cancel", {"symbol": "BTCUSDT", "origClientOrderId": "w2"})
    assert r["result"]["status"] == "CANCELED"
    assert [x["rateLimitType"] for x in r["rateLimits"]] == ["REQUEST_WEIGHT"]
    assert venue.view.order(new_id).status is OrderStatus.CANCELED  # type: ignore[union-attr]
    assert [p for p, _, _ in ws_log(venue)] == [
        "order.place",
        "order.status",
        "order.amend.keepPriority",
        "order.cancelReplace",
        "order.cancel",
    ]
    assert {s for _, s, srv in ws_log(venue)} == {200}
    assert {srv for _, _, srv in ws_log(venue)} == {"spot_ws_api"}


async def test_refusals_use_the_rest_codes(venue: Venue, session: aiohttp.ClientSession) -> None:
    api = await connect(venue, session, "spot_ws_api")
    order = {**SPOT, "price": f"{bid(venue) - 100:.2f}", "quantity": "0.01"}
    bad = {**api.signed(order), "signature": "0" * 64}
    r = await api.call("order.place", bad)
    assert (r["status"], r["error"]["code"]) == (400, -1022)
    r = await api.call("order.place", api.signed(order, timestamp=venue.now_ms() - 10_000))
    assert (r["status"], r["error"]["code"]) == (400, -1021)
    r = await api.call("order.place", api.signed(order, apiKey="unknownKey"))
    assert (r["status"], r["error"]["code"]) == (401, -2015)
    r = await api.order("order.place", {**order, "quantity": "30"})
    assert (r["status"], r["error"]["code"]) == (400, -2010)
    r = await api.order("order.cancel", {"symbol": "BTCUSDT", "orderId": 1})
    assert r["error"] == {"code": -2011, "msg": "Unknown order sent."}
    r = await api.call("order.nope", {})
    assert r["status"] == 400
    assert venue.view.open_orders() == []
    assert [s for _, s, _ in ws_log(venue)] == [400, 400, 401, 400, 400, 400]


async def test_session_methods_ping_time_and_shared_weight(
    api: Any, venue: Venue, session: aiohttp.ClientSession
) -> None:
    ws = await connect(venue, session, "spot_ws_api")
    r = await ws.call("session.logon", ws.signed({}))
    assert r["error"]["code"] == -4056  # HMAC keys cannot log on (docs: Ed25519 only)
    r = await ws.call("session.status")
    assert r["result"]["apiKey"] is None and r["result"]["connectedSince"] <= venue.now_ms()
    assert (await ws.call("ping"))["result"] == {}
    first = await ws.call("time")
    assert abs(first["result"]["serverTime"] - venue.now_ms()) < 1000
    await api.get("/api/v3/ping")  # REST weight 1, same IP
    second = await ws.call("time", {"returnRateLimits": True})
    assert second["rateLimits"][0]["count"] == first["rateLimits"][0]["count"] + 2
    hidden = await ws.call("time", {"returnRateLimits": False})
    assert "rateLimits" not in hidden


async def test_futures_place_modify_status_cancel(
    venue: Venue, session: aiohttp.ClientSession
) -> None:
    api = await connect(venue, session, "futures_ws_api")
    assert venue.urls["futures_ws_api"].endswith("/ws-fapi/v1")
    price = bid(venue, "futures") - 100
    r = await api.order("order.place", {**SPOT, "price": f"{price:.1f}", "quantity": "0.010"})
    assert r["status"] == 200, r
    oid = r["result"]["orderId"]
    assert {x["rateLimitType"] for x in r["rateLimits"]} == {"ORDERS", "REQUEST_WEIGHT"}
    r = await api.order(
        "order.modify",
        {
            "symbol": "BTCUSDT",
            "orderId": oid,
            "side": "BUY",
            "price": f"{price - 10:.1f}",
            "quantity": "0.020",
        },
    )
    assert r["status"] == 200, r
    order = venue.view.order(oid, market="futures")
    assert order is not None and order.orig_qty == D("0.020")
    r = await api.order("order.status", {"symbol": "BTCUSDT", "orderId": oid})
    assert D(r["result"]["price"]) == price - 10
    r = await api.order("order.cancel", {"symbol": "BTCUSDT", "orderId": oid})
    assert r["result"]["status"] == "CANCELED"
    assert venue.view.open_orders("futures") == []
    assert {srv for _, _, srv in ws_log(venue)} == {"futures_ws_api"}


@pytest.mark.parametrize("mode", ["close", "timeout", "5xx"])
async def test_reply_lost_after_accept(
    venue: Venue, session: aiohttp.ClientSession, mode: str
) -> None:
    api = await connect(venue, session, "spot_ws_api")
    venue.faults.fail_after_accept(1, mode=mode)
    price = f"{bid(venue) - 100:.2f}"
    await api.send("order.place", api.signed({**SPOT, "price": price, "quantity": "0.01"}))
    if mode == "close":
        msg = await asyncio.wait_for(api.ws.receive(), 3)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    else:
        with pytest.raises(TimeoutError):
            await api.recv(timeout=0.3)
        assert (await api.call("ping"))["status"] == 200  # the socket stays open
    assert len(venue.view.open_orders()) == 1  # executed all the same
    assert ws_log(venue)[0] == ("order.place", 0, "spot_ws_api")


async def test_drop_ws_closes_and_latency_delays(
    venue: Venue, session: aiohttp.ClientSession
) -> None:
    api = await connect(venue, session, "futures_ws_api")
    venue.faults.latency(ws_ms=150)
    start = time.monotonic()
    await api.call("ping")
    assert time.monotonic() - start >= 0.15
    assert venue.faults.drop_ws() >= 1
    msg = await asyncio.wait_for(api.ws.receive(), 3)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_user_data_stream_sees_ws_orders(
    api: Any, venue: Venue, session: aiohttp.ClientSession
) -> None:
    key = (await api.post("/api/v3/userDataStream", key=True)).body["listenKey"]
    stream = await session.ws_connect(f"{venue.ws_url}/ws/{key}")
    ws = await connect(venue, session, "spot_ws_api")
    order = {**SPOT, "price": f"{bid(venue) - 100:.2f}", "quantity": "0.01"}
    r = await ws.order("order.place", {**order, "newClientOrderId": "uds-ws"})
    assert r["status"] == 200
    msg = await asyncio.wait_for(stream.receive(), 3)
    event = json.loads(msg.data)
    assert (event["e"], event["c"], event["X"]) == ("executionReport", "uds-ws", "NEW")

"""Bybit WebSocket with raw frames: order-book snapshot + deltas, ping, auth, private topics."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from decimal import Decimal
from typing import Any

import aiohttp

from lotusx.sim import Venue

D = Decimal


async def recv(ws: aiohttp.ClientWebSocketResponse, timeout: float = 3.0) -> Any:
    msg = await asyncio.wait_for(ws.receive(), timeout)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data)


async def until(ws: aiohttp.ClientWebSocketResponse, accept: Any, timeout: float = 5.0) -> Any:
    end = time.monotonic() + timeout
    while True:
        body = await recv(ws, max(0.05, end - time.monotonic()))
        if accept(body):
            return body


def apply(book: dict[str, dict[D, D]], data: dict[str, Any]) -> None:
    for side, key in (("b", "b"), ("a", "a")):
        for p, q in data[key]:
            if D(q) == 0:
                book[side].pop(D(p), None)
            else:
                book[side][D(p)] = D(q)


async def test_orderbook_snapshot_and_deltas_rebuild_the_top_50(bybit_live: Venue) -> None:
    v = bybit_live
    topic = "orderbook.50.BTCUSDT"
    async with aiohttp.ClientSession() as s, s.ws_connect(v.urls["ws_public_linear"]) as ws:
        await ws.send_str(json.dumps({"req_id": "sub1", "op": "subscribe", "args": [topic]}))
        ack = await recv(ws)
        assert (ack["success"], ack["op"], ack["req_id"]) == (True, "subscribe", "sub1")
        snap = await until(ws, lambda b: b.get("topic") == topic)
        assert snap["type"] == "snapshot" and 0 < len(snap["data"]["b"]) <= 50
        book: dict[str, dict[D, D]] = {"b": {}, "a": {}}
        apply(book, snap["data"])
        last_u = snap["data"]["u"]
        deltas = 0
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            msg = await until(ws, lambda b: b.get("topic") == topic)
            assert msg["type"] == "delta" and msg["data"]["u"] > last_u
            last_u = msg["data"]["u"]
            apply(book, msg["data"])
            deltas += 1
        assert deltas >= 5
        await v.core.stop()
        await asyncio.sleep(0.2)
        while True:
            try:
                msg = await until(ws, lambda b: b.get("topic") == topic, 0.3)
            except TimeoutError:
                break
            apply(book, msg["data"])
            last_u = msg["data"]["u"]
        truth = v.view.book("BTCUSDT", "linear", 50)
        assert sorted(book["b"].items(), reverse=True) == truth.bids
        assert sorted(book["a"].items()) == truth.asks
        assert last_u == truth.update_id


async def test_ping_topics_auth_and_private_streams(bybit_live: Venue, bybit_for: Any) -> None:
    v = bybit_live
    api = bybit_for(v)
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(v.urls["ws_public_spot"]) as ws:
            await ws.send_str(json.dumps({"req_id": "100001", "op": "ping"}))
            pong = await recv(ws)
            assert (pong["success"], pong["ret_msg"], pong["op"]) == (True, "pong", "ping")
            await ws.send_str(json.dumps({"op": "subscribe", "args": ["orderbook.50.NOPE"]}))
            assert (await recv(ws))["success"] is False
            await ws.send_str(
                json.dumps({"op": "subscribe", "args": ["publicTrade.BTCUSDT", "tickers.BTCUSDT"]})
            )
            assert (await recv(ws))["success"] is True
            ticker = await until(ws, lambda b: b.get("topic") == "tickers.BTCUSDT")
            assert ticker["data"]["symbol"] == "BTCUSDT"
            trade = await until(ws, lambda b: b.get("topic") == "publicTrade.BTCUSDT")
            assert trade["data"][0]["S"] in ("Buy", "Sell")
        async with s.ws_connect(v.urls["ws_public_linear"]) as ws:
            await ws.send_str(json.dumps({"op": "subscribe", "args": ["tickers.ETHUSDT"]}))
            await recv(ws)
            snap = await until(ws, lambda b: b.get("topic") == "tickers.ETHUSDT")
            assert snap["type"] == "snapshot"
            assert D(snap["data"]["markPrice"]) > 0 and "fundingRate" in snap["data"]
            assert "indexPrice" in snap["data"]
        async with s.ws_connect(v.urls["ws_private"]) as ws:
            await ws.send_str(json.dumps({"op": "subscribe", "args": ["order"]}))
            assert (await recv(ws))["ret_msg"] == "Request not authorized"
            expires = v.now_ms() + 10_000
            bad = hmac.new(b"wrong", f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
            await ws.send_str(
                json.dumps({"req_id": "a1", "op": "auth", "args": [api.key, expires, bad]})
            )
            assert (await recv(ws))["success"] is False
            sig = api.sign(f"GET/realtime{expires}")
            await ws.send_str(
                json.dumps({"req_id": "a2", "op": "auth", "args": [api.key, expires, sig]})
            )
            auth = await recv(ws)
            assert (auth["success"], auth["op"]) == (True, "auth")
            await ws.send_str(json.dumps({"op": "ping"}))
            assert (await recv(ws))["op"] == "pong"
            await ws.send_str(
                json.dumps(
                    {"op": "subscribe", "args": ["order", "execution", "position", "wallet"]}
                )
            )
            assert (await recv(ws))["success"] is True
            placed = await api.post(
                "/v5/order/create",
                {
                    "category": "linear",
                    "symbol": "BTCUSDT",
                    "side": "Buy",
                    "orderType": "Market",
                    "qty": "0.01",
                    "orderLinkId": "ws-fill",
                },
            )
            assert placed.body["retCode"] == 0
            order = await until(
                ws, lambda b: b.get("topic") == "order" and b["data"][0]["orderStatus"] == "Filled"
            )
            assert order["data"][0]["orderLinkId"] == "ws-fill"
            assert order["data"][0]["category"] == "linear"
            execution = await until(ws, lambda b: b.get("topic") == "execution")
            assert execution["data"][0]["execType"] == "Trade"
            position = await until(ws, lambda b: b.get("topic") == "position")
            assert position["data"][0]["size"] == "0.010"
            wallet = await until(ws, lambda b: b.get("topic") == "wallet")
            assert wallet["data"][0]["accountType"] == "UNIFIED"

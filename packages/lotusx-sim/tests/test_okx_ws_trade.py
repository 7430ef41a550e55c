"""OKX WebSocket Trade API on `/ws/v5/private` with raw frames: login, ops, limits, faults."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from lotusx.sim import RateLimitRule, Venue
from lotusx.sim.model import OrderStatus

D = Decimal
IDS = itertools.count(1)


class Private:
    def __init__(self, api: Any, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.api, self.ws, self.venue = api, ws, api.venue

    async def recv(self, timeout: float = 3.0) -> Any:
        msg = await asyncio.wait_for(self.ws.receive(), timeout)
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        return json.loads(msg.data)

    async def login(self) -> Any:
        stamp = str(int(time.time()))
        arg = {
            "apiKey": self.api.key,
            "passphrase": self.api.passphrase,
            "timestamp": stamp,
            "sign": self.api.sign(stamp + "GET" + "/users/self/verify"),
        }
        await self.ws.send_str(json.dumps({"op": "login", "args": [arg]}))
        return await self.recv()

    async def send(self, op: str, args: list[dict[str, Any]]) -> str:
        rid = str(next(IDS))
        await self.ws.send_str(json.dumps({"id": rid, "op": op, "args": args}))
        return rid

    async def call(self, op: str, args: list[dict[str, Any]]) -> Any:
        rid = await self.send(op, args)
        reply = await self.recv()
        assert (reply["id"], reply["op"]) == (rid, op)
        return reply


async def connect(api: Any, session: aiohttp.ClientSession, login: bool = True) -> Private:
    prv = Private(api, await session.ws_connect(api.venue.urls["ws_private"]))
    if login:
        assert (await prv.login())["event"] == "login"
    return prv


def limit(venue: Venue, inst: str = "BTC-USDT", **over: Any) -> dict[str, Any]:
    market = "swap" if inst.endswith("SWAP") else "spot"
    bid = venue.view.book(inst, market, 1).bids[0][0]
    order = {
        "instId": inst,
        "tdMode": "cross" if market == "swap" else "cash",
        "side": "buy",
        "ordType": "limit",
        "sz": "1" if market == "swap" else "0.01",
        "px": str(bid - 100),
    }
    return order | over


def ws_log(venue: Venue) -> list[tuple[str, int, str]]:
    return [(r.path, r.status, r.server) for r in venue.view.requests if r.method == "WS"]


async def test_order_amend_cancel_round_trip(okx: Any, session: aiohttp.ClientSession) -> None:
    v = okx.venue
    prv = await connect(okx, session)
    r = await prv.call("order", [limit(v, clOrdId="ws1")])
    assert (r["code"], r["msg"]) == ("0", ""), r
    item = r["data"][0]
    assert (item["sCode"], item["clOrdId"]) == ("0", "ws1") and int(r["outTime"]) >= int(
        r["inTime"]
    )
    oid = int(item["ordId"])
    assert v.view.order(oid).client_id == "ws1"
    r = await prv.call("amend-order", [{"instId": "BTC-USDT", "clOrdId": "ws1", "newSz": "0.02"}])
    assert r["code"] == "0" and r["data"][0]["sCode"] == "0", r
    assert v.view.order(oid).orig_qty == D("0.02")
    r = await prv.call("cancel-order", [{"instId": "BTC-USDT", "ordId": str(oid)}])
    assert r["code"] == "0" and r["data"][0]["ordId"] == str(oid)
    assert v.view.order(oid).status is OrderStatus.CANCELED
    r = await prv.call("cancel-order", [{"instId": "BTC-USDT", "ordId": str(oid)}])
    assert r["code"] == "1" and r["data"][0]["sCode"] != "0"
    assert [p for p, _, _ in ws_log(v)] == ["order", "amend-order", "cancel-order", "cancel-order"]
    assert [s for _, s, _ in ws_log(v)] == [200, 200, 200, 400]


async def test_batches_partial_failure(okx: Any, session: aiohttp.ClientSession) -> None:
    v = okx.venue
    prv = await connect(okx, session)
    good = limit(v, "BTC-USDT-SWAP", clOrdId="b1")
    r = await prv.call("batch-orders", [good, limit(v, "BTC-USDT-SWAP", clOrdId="b2", sz="-1")])
    assert r["code"] == "2", r
    assert [i["sCode"] == "0" for i in r["data"]] == [True, False]
    assert [o.client_id for o in v.view.open_orders("swap")] == ["b1"]
    r = await prv.call(
        "batch-amend-orders", [{"instId": "BTC-USDT-SWAP", "clOrdId": "b1", "newSz": "2"}]
    )
    assert r["code"] == "0", r
    assert v.view.open_orders("swap")[0].orig_qty == 2 * D("0.01")  # 2 contracts of 0.01 BTC
    r = await prv.call("batch-cancel-orders", [{"instId": "BTC-USDT-SWAP", "clOrdId": "b1"}])
    assert r["code"] == "0"
    assert v.view.open_orders("swap") == []


async def test_refusals(okx: Any, session: aiohttp.ClientSession) -> None:
    v = okx.venue
    prv = await connect(okx, session, login=False)
    r = await prv.call("order", [limit(v)])
    assert r["code"] == "60011" and r["data"] == []
    assert (await prv.login())["code"] == "0"
    r = await prv.call("order", [limit(v), limit(v)])
    assert r["code"] == "60013"
    pub = await session.ws_connect(v.urls["ws_public"])
    await pub.send_str(json.dumps({"id": "p", "op": "order", "args": [limit(v)]}))
    assert json.loads((await pub.receive()).data)["code"] == "60019"
    assert v.view.open_orders() == []


async def test_order_limit_is_shared_with_rest(
    okx_for: Any, okx_options: Any, session: aiohttp.ClientSession
) -> None:
    rule = RateLimitRule("/api/v5/trade/cancel-order", "SECOND", 60, 2)
    opts = okx_options(tick_interval=3600, rate_limits={"rest": [rule]})
    async with Venue.start("okx", **opts) as venue:
        api = okx_for(venue)
        prv = await connect(api, session)
        cancel = {"instId": "BTC-USDT", "ordId": "123"}
        assert (await api.post("/api/v5/trade/cancel-order", cancel)).body["code"] == "1"
        assert (await prv.call("cancel-order", [cancel]))["code"] == "1"
        assert (await prv.call("cancel-order", [cancel]))["code"] == "50011"


@pytest.mark.parametrize("mode", ["close", "timeout", "5xx"])
async def test_reply_lost_after_accept(okx: Any, session: aiohttp.ClientSession, mode: str) -> None:
    v = okx.venue
    prv = await connect(okx, session)
    v.faults.fail_after_accept(1, mode=mode)
    await prv.send("order", [limit(v)])
    if mode == "close":
        msg = await asyncio.wait_for(prv.ws.receive(), 3)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    else:
        with pytest.raises(TimeoutError):
            await prv.recv(timeout=0.3)
        await prv.ws.send_str("ping")
        assert (await prv.ws.receive()).data == "pong"  # the socket stays open
    assert len(v.view.open_orders()) == 1
    assert ws_log(v) == [("order", 0, "ws_private")]


async def test_orders_channel_pushes_ws_orders_and_drop_closes(
    okx: Any, session: aiohttp.ClientSession
) -> None:
    v = okx.venue
    prv = await connect(okx, session)
    sub = {"channel": "orders", "instType": "ANY"}
    await prv.ws.send_str(json.dumps({"op": "subscribe", "args": [sub]}))
    assert (await prv.recv())["event"] == "subscribe"
    rid = await prv.send("order", [limit(v, clOrdId="push1")])
    got = [await prv.recv(), await prv.recv()]  # the push may come before the reply
    reply = next(m for m in got if m.get("id") == rid)
    push = next(m for m in got if "arg" in m)
    assert reply["code"] == "0"
    assert push["arg"]["channel"] == "orders" and push["data"][0]["clOrdId"] == "push1"
    assert v.faults.drop_ws() >= 1
    msg = await asyncio.wait_for(prv.ws.receive(), 3)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

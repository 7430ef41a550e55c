"""Bybit trade WebSocket `/v5/trade` with raw frames: auth, single and batch order ops, faults."""

from __future__ import annotations

import asyncio
import itertools
import json
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from lotusx.sim import Venue
from lotusx.sim.model import OrderStatus

D = Decimal
IDS = itertools.count(1)


class Trade:
    def __init__(self, api: Any, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.api, self.ws, self.venue = api, ws, api.venue

    async def recv(self, timeout: float = 3.0) -> Any:
        msg = await asyncio.wait_for(self.ws.receive(), timeout)
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        return json.loads(msg.data)

    async def auth(self, secret: str | None = None) -> Any:
        expires = self.venue.now_ms() + 10_000
        sig = self.api.sign(f"GET/realtime{expires}", secret)
        await self.ws.send_str(json.dumps({"op": "auth", "args": [self.api.key, expires, sig]}))
        return await self.recv()

    async def send(self, op: str, arg: dict[str, Any], stamp: int | None = None) -> str:
        rid = f"r{next(IDS)}"
        header = {
            "X-BAPI-TIMESTAMP": str(stamp or self.venue.now_ms()),
            "X-BAPI-RECV-WINDOW": "5000",
        }
        frame = {"reqId": rid, "header": header, "op": op, "args": [arg]}
        await self.ws.send_str(json.dumps(frame))
        return rid

    async def call(self, op: str, arg: dict[str, Any], stamp: int | None = None) -> Any:
        rid = await self.send(op, arg, stamp)
        reply = await self.recv()
        assert reply["reqId"] == rid and reply["op"] == op
        return reply


async def connect(api: Any, session: aiohttp.ClientSession, auth: bool = True) -> Trade:
    trade = Trade(api, await session.ws_connect(api.venue.urls["ws_trade"]))
    if auth:
        assert (await trade.auth())["retCode"] == 0
    return trade


def limit(venue: Venue, category: str = "linear", **over: Any) -> dict[str, Any]:
    bid = venue.view.book("BTCUSDT", category, 1).bids[0][0]
    order = {
        "category": category,
        "symbol": "BTCUSDT",
        "side": "Buy",
        "orderType": "Limit",
        "qty": "0.01",
        "price": str(bid - 100),
        "timeInForce": "GTC",
    }
    return order | over


def ws_log(venue: Venue) -> list[tuple[str, int, str]]:
    return [(r.path, r.status, r.server) for r in venue.view.requests if r.method == "WS"]


async def test_auth_replies_as_documented(bybit: Any, session: aiohttp.ClientSession) -> None:
    trade = await connect(bybit, session, auth=False)
    r = await trade.call("order.create", limit(bybit.venue))
    assert r["retCode"] != 0 and bybit.venue.view.open_orders("linear") == []
    bad = await trade.auth(secret="wrong")
    assert (bad["retCode"], bad["op"]) == (10004, "auth")
    ok = await trade.auth()
    assert set(ok) == {"retCode", "retMsg", "op", "connId"} and ok["retCode"] == 0
    assert (await trade.auth())["retCode"] == 20001
    await trade.ws.send_str(json.dumps({"op": "ping"}))
    pong = await trade.recv()
    assert pong["op"] == "pong" and int(pong["data"][0]) > 0


async def test_create_amend_cancel_round_trip(bybit: Any, session: aiohttp.ClientSession) -> None:
    v = bybit.venue
    trade = await connect(bybit, session)
    r = await trade.call("order.create", limit(v, orderLinkId="ws-1"))
    assert (r["retCode"], r["retMsg"], r["retExtInfo"]) == (0, "OK", {}), r
    assert r["data"]["orderLinkId"] == "ws-1" and r["connId"]
    head = r["header"]
    assert (head["X-Bapi-Limit"], head["X-Bapi-Limit-Status"]) == ("10", "9")
    assert {"X-Bapi-Limit-Reset-Timestamp", "Traceid", "Timenow"} <= set(head)
    oid = int(r["data"]["orderId"])
    assert v.view.order(oid, market="linear").client_id == "ws-1"
    r = await trade.call(
        "order.amend",
        {"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "ws-1", "qty": "0.02"},
    )
    assert r["retCode"] == 0, r
    assert v.view.order(oid, market="linear").orig_qty == D("0.02")
    r = await trade.call(
        "order.cancel", {"category": "linear", "symbol": "BTCUSDT", "orderId": str(oid)}
    )
    assert r["retCode"] == 0 and r["data"]["orderId"] == str(oid)
    assert v.view.order(oid, market="linear").status is OrderStatus.CANCELED
    r = await trade.call(
        "order.cancel", {"category": "linear", "symbol": "BTCUSDT", "orderId": str(oid)}
    )
    assert r["retCode"] == 110001
    assert [p for p, _, _ in ws_log(v)] == [
        "order.create",
        "order.amend",
        "order.cancel",
        "order.cancel",
    ]
    assert {srv for _, _, srv in ws_log(v)} == {"ws_trade"}


async def test_batches_report_per_item_codes(bybit: Any, session: aiohttp.ClientSession) -> None:
    v = bybit.venue
    trade = await connect(bybit, session)
    items = [limit(v, "spot", orderLinkId="b1"), limit(v, "spot", orderLinkId="b2", qty="500")]
    for item in items:
        del item["category"]
    r = await trade.call("order.create-batch", {"category": "spot", "request": items})
    assert r["retCode"] == 0
    codes = [x["code"] for x in r["retExtInfo"]["list"]]
    assert codes[0] == 0 and codes[1] != 0
    assert [x["orderLinkId"] for x in r["data"]["list"]] == ["b1", "b2"]
    assert [o.client_id for o in v.view.open_orders("spot")] == ["b1"]
    r = await trade.call(
        "order.amend-batch",
        {
            "category": "spot",
            "request": [{"symbol": "BTCUSDT", "orderLinkId": "b1", "qty": "0.02"}],
        },
    )
    assert r["retExtInfo"]["list"][0]["code"] == 0, r
    assert v.view.open_orders("spot")[0].orig_qty == D("0.02")
    r = await trade.call(
        "order.cancel-batch",
        {"category": "spot", "request": [{"symbol": "BTCUSDT", "orderLinkId": "b1"}]},
    )
    assert r["retExtInfo"]["list"][0]["code"] == 0
    assert v.view.open_orders("spot") == []


async def test_refusals(bybit: Any, session: aiohttp.ClientSession) -> None:
    v = bybit.venue
    trade = await connect(bybit, session)
    r = await trade.call("order.create", limit(v), stamp=v.now_ms() - 20_000)
    assert r["retCode"] == 10002
    rid = await trade.send("order.nope", {})
    assert (await trade.recv())["retCode"] == 10404
    frame = {"reqId": rid, "header": {"X-BAPI-TIMESTAMP": str(v.now_ms())}, "op": "order.create"}
    await trade.ws.send_str(json.dumps(frame | {"args": [limit(v)]}))
    assert (await trade.recv())["retCode"] == 20006  # reqId reused
    assert v.view.open_orders("linear") == []


async def test_per_uid_limit_is_shared_with_rest(
    bybit_for: Any, bybit_options: Any, session: aiohttp.ClientSession
) -> None:
    from lotusx.sim.ratelimit import RateLimitRule

    rule = RateLimitRule("/v5/order/cancel:linear", "SECOND", 60, 2)
    async with Venue.start(
        "bybit", rate_limits={"rest": [rule]}, **bybit_options(tick_interval=3600)
    ) as venue:
        api = bybit_for(venue)
        trade = await connect(api, session)
        cancel = {"category": "linear", "symbol": "BTCUSDT", "orderId": "1"}
        assert (await api.post("/v5/order/cancel", cancel)).body["retCode"] == 110001
        assert (await trade.call("order.cancel", cancel))["retCode"] == 110001
        r = await trade.call("order.cancel", cancel)
        assert r["retCode"] == 10006 and r["header"]["X-Bapi-Limit-Status"] == "0"


@pytest.mark.parametrize("mode", ["close", "timeout", "5xx"])
async def test_reply_lost_after_accept(
    bybit: Any, session: aiohttp.ClientSession, mode: str
) -> None:
    v = bybit.venue
    trade = await connect(bybit, session)
    v.faults.fail_after_accept(1, mode=mode)
    await trade.send("order.create", limit(v))
    if mode == "close":
        msg = await asyncio.wait_for(trade.ws.receive(), 3)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    else:
        with pytest.raises(TimeoutError):
            await trade.recv(timeout=0.3)
        await trade.ws.send_str(json.dumps({"op": "ping"}))
        assert (await trade.recv())["op"] == "pong"  # the socket stays open
    assert len(v.view.open_orders("linear")) == 1
    assert ws_log(v) == [("order.create", 0, "ws_trade")]


async def test_drop_ws_and_private_order_push(bybit: Any, session: aiohttp.ClientSession) -> None:
    v = bybit.venue
    private = await session.ws_connect(v.urls["ws_private"])
    expires = v.now_ms() + 10_000
    sig = bybit.sign(f"GET/realtime{expires}")
    await private.send_str(json.dumps({"op": "auth", "args": [bybit.key, expires, sig]}))
    await private.send_str(json.dumps({"op": "subscribe", "args": ["order"]}))
    await private.receive()
    await private.receive()
    trade = await connect(bybit, session)
    assert (await trade.call("order.create", limit(v, orderLinkId="push-1")))["retCode"] == 0
    push = json.loads((await asyncio.wait_for(private.receive(), 3)).data)
    assert push["topic"] == "order" and push["data"][0]["orderLinkId"] == "push-1"
    assert v.faults.drop_ws() >= 2
    msg = await asyncio.wait_for(trade.ws.receive(), 3)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

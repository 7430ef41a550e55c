"""Raw WebSocket tests: documented book sync, control methods, pings, streams, user data."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from decimal import Decimal
from typing import Any

import aiohttp

from lotusx.sim import Venue

D = Decimal

Book = dict[str, dict[D, D]]


def apply(book: Book, event: dict[str, Any]) -> None:
    for side, key in (("bids", "b"), ("asks", "a")):
        for p, q in event[key]:
            if D(q) == 0:
                book[side].pop(D(p), None)
            else:
                book[side][D(p)] = D(q)


def from_snapshot(snap: dict[str, Any]) -> Book:
    return {
        "bids": {D(p): D(q) for p, q in snap["bids"]},
        "asks": {D(p): D(q) for p, q in snap["asks"]},
    }


async def next_json(ws: aiohttp.ClientWebSocketResponse, timeout: float = 3.0) -> Any:
    msg = await asyncio.wait_for(ws.receive(), timeout)  # pings reset receive()'s own timeout
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data)


async def collect(ws: aiohttp.ClientWebSocketResponse, seconds: float) -> list[Any]:
    out: list[Any] = []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            out.append(await next_json(ws, left))
        except TimeoutError:
            break
    return out


async def test_spot_depth_sync_procedure_matches_venue(live_api: Any) -> None:
    v, s = live_api.venue, live_api.session
    ws = await s.ws_connect(v.ws_url + "/ws/btcusdt@depth@100ms")
    buffered = await collect(ws, 0.35)  # 1. buffer events, note the first U
    first_u = buffered[0]["U"]
    snap = (await live_api.get("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5000})).body
    while snap["lastUpdateId"] < first_u:  # 3. snapshot older than the stream: refetch
        snap = (await live_api.get("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5000})).body
    book, local = from_snapshot(snap), snap["lastUpdateId"]
    pending = [e for e in buffered if e["u"] > local]  # 4. drop u <= lastUpdateId
    pending += await collect(ws, 0.6)
    applied = 0
    for event in pending:  # 5./6./7.
        if event["u"] < local:
            continue
        assert event["U"] <= local + 1, "gap in the diff stream"
        apply(book, event)
        local = event["u"]
        applied += 1
    assert applied >= 3
    await v.core.stop()  # freeze the market, drain what is in flight
    for event in await collect(ws, 0.4):
        assert event["U"] == local + 1
        apply(book, event)
        local = event["u"]
    view = v.view.book("BTCUSDT", "spot")
    assert local == view.update_id
    assert sorted(book["bids"].items(), reverse=True) == view.bids
    assert sorted(book["asks"].items()) == view.asks
    await ws.close()


async def test_futures_depth_sync_with_pu_chain(live_api: Any) -> None:
    v, s = live_api.venue, live_api.session
    ws = await s.ws_connect(v.urls["futures_ws"] + "/stream?streams=btcusdt@depth@100ms")
    buffered = [m["data"] for m in await collect(ws, 0.35)]
    snap = (await live_api.get("/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 1000})).body
    last_id = snap["lastUpdateId"]
    events = [
        e for e in buffered + [m["data"] for m in await collect(ws, 0.5)] if e["u"] >= last_id
    ]
    book, prev = from_snapshot(snap), None
    for event in events:
        if prev is None:
            assert event["U"] <= last_id <= event["u"]
        else:
            assert event["pu"] == prev
        apply(book, event)
        prev = event["u"]
    await v.core.stop()
    for m in await collect(ws, 0.4):
        assert m["stream"] == "btcusdt@depth@100ms" and m["data"]["pu"] == prev
        apply(book, m["data"])
        prev = m["data"]["u"]
    view = v.view.book("BTCUSDT", "futures")
    assert prev == view.update_id
    assert sorted(book["bids"].items(), reverse=True) == view.bids
    assert sorted(book["asks"].items()) == view.asks


async def test_control_methods_and_combined_envelope(live_api: Any) -> None:
    v, s = live_api.venue, live_api.session
    ws = await s.ws_connect(v.ws_url + "/ws")
    await ws.send_json(
        {"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade", "ethusdt@bookTicker"], "id": 1}
    )
    assert await next_json(ws) == {"result": None, "id": 1}
    await ws.send_json({"method": "LIST_SUBSCRIPTIONS", "id": 3})
    msgs = await collect(ws, 0.5)
    assert {"result": ["btcusdt@aggTrade", "ethusdt@bookTicker"], "id": 3} in msgs
    data = [m for m in msgs if "id" not in m]
    assert data and all("stream" not in m for m in data)  # raw: no envelope
    assert {m.get("e", "bookTicker") for m in data} <= {"aggTrade", "bookTicker"}
    await ws.send_json({"method": "UNSUBSCRIBE", "params": ["btcusdt@aggTrade"], "id": "x2"})
    await ws.send_json({"method": "GET_PROPERTY", "params": ["combined"], "id": 4})
    await ws.send_json({"method": "SET_PROPERTY", "params": ["combined", True], "id": 5})
    await asyncio.sleep(1.05)  # stay under the 5 messages/second inbound limit
    await ws.send_str("{not json")
    await ws.send_json({"method": "PUBLISH", "id": 6})
    msgs = await collect(ws, 0.5)
    replies = [m for m in msgs if "id" in m or "code" in m]
    assert {"result": None, "id": "x2"} in replies
    assert {"result": False, "id": 4} in replies
    assert {"result": None, "id": 5} in replies
    assert {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"} in replies
    assert any(m.get("code") == 2 and m.get("id") == 6 for m in replies)
    wrapped = [m for m in msgs if "stream" in m]
    assert wrapped and all(m["stream"] == "ethusdt@bookTicker" for m in wrapped)
    await ws.close()


async def test_server_pings_and_pong_timeout(session: aiohttp.ClientSession) -> None:
    async with Venue.start("binance", tick_interval=0.05, book_levels=10, ping_interval=0.3) as v:
        silent = await session.ws_connect(v.ws_url + "/ws/btcusdt@depth5", autoping=False)
        polite = await session.ws_connect(v.ws_url + "/ws/btcusdt@depth5")  # answers pings
        pinged = False
        closed_at = None

        async def watch_silent() -> None:
            nonlocal pinged, closed_at
            start = time.monotonic()
            while time.monotonic() - start < 3:
                msg = await asyncio.wait_for(silent.receive(), 3)
                if msg.type is aiohttp.WSMsgType.PING:
                    pinged = True
                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    closed_at = time.monotonic() - start
                    return

        _, polite_msgs = await asyncio.gather(watch_silent(), collect(polite, 1.5))
        assert pinged and closed_at is not None and closed_at >= 0.8
        partial = [m for m in polite_msgs if "lastUpdateId" in m]
        assert not polite.closed and partial and len(partial[0]["bids"]) == 5


async def test_inbound_message_limit_disconnects(live_api: Any) -> None:
    ws = await live_api.session.ws_connect(live_api.venue.ws_url + "/ws")
    for i in range(7):
        await ws.send_json({"method": "LIST_SUBSCRIPTIONS", "id": i})
    replies = []
    closed = False
    for _ in range(8):
        msg = await asyncio.wait_for(ws.receive(), 2)
        if msg.type is aiohttp.WSMsgType.TEXT:
            replies.append(json.loads(msg.data))
        else:
            closed = True
            break
    assert closed and len(replies) == 5


async def test_market_streams_payloads(live_api: Any) -> None:
    v, s = live_api.venue, live_api.session
    spot = await s.ws_connect(
        v.ws_url + "/stream?streams=btcusdt@trade/btcusdt@kline_1s/"
        "btcusdt@depth10@100ms/btcusdt@bookTicker"
    )
    fut = await s.ws_connect(
        v.urls["futures_ws"] + "/stream?streams=btcusdt@markPrice@1s/"
        "btcusdt@aggTrade/btcusdt@bookTicker/"
        "btcusdt@kline_1m/btcusdt@depth5@100ms"
    )
    spot_msgs, fut_msgs = await asyncio.gather(collect(spot, 2.5), collect(fut, 2.5))
    by_stream: dict[str, list[Any]] = {}
    for m in spot_msgs + fut_msgs:
        by_stream.setdefault(m["stream"], []).append(m["data"])
    trade = by_stream["btcusdt@trade"][0]
    assert trade["e"] == "trade" and {"t", "p", "q", "T", "m"} <= set(trade)
    kline = by_stream["btcusdt@kline_1s"][-1]["k"]
    assert kline["i"] == "1s" and kline["T"] - kline["t"] == 999
    assert any(k["k"]["x"] for k in by_stream["btcusdt@kline_1s"])  # closed bars pushed
    assert len(by_stream["btcusdt@depth10@100ms"][0]["bids"]) == 10
    assert set(by_stream["btcusdt@bookTicker"][0]) == {"u", "s", "b", "B", "a", "A"}
    mark = by_stream["btcusdt@markPrice@1s"][0]
    assert mark["e"] == "markPriceUpdate" and D(mark["p"]) > 0 and mark["r"] == "0.00010000"
    agg = by_stream["btcusdt@aggTrade"][0]
    assert agg["e"] == "aggTrade" and "M" not in agg
    fut_bt = [d for d in by_stream["btcusdt@bookTicker"] if "e" in d]
    assert fut_bt and {"e", "u", "E", "T", "s", "b", "B", "a", "A"} == set(fut_bt[0])
    partial = by_stream["btcusdt@depth5@100ms"][-1]
    assert partial["e"] == "depthUpdate" and len(partial["b"]) == 5 and "pu" in partial
    assert by_stream["btcusdt@kline_1m"][0]["k"]["i"] == "1m"


async def test_spot_user_data_stream(live_api: Any) -> None:
    v, s = live_api.venue, live_api.session
    key = (await live_api.post("/api/v3/userDataStream", key=True)).body["listenKey"]
    ws = await s.ws_connect(f"{v.ws_url}/ws/{key}")
    order = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "50000",
        "newClientOrderId": "uds-1",
    }
    oid = (await live_api.post("/api/v3/order", order, signed=True)).body["orderId"]
    await live_api.delete(
        "/api/v3/order",
        {"symbol": "BTCUSDT", "orderId": oid, "newClientOrderId": "cancel-1"},
        signed=True,
    )
    await live_api.post(
        "/sapi/v1/asset/transfer",
        {"type": "MAIN_UMFUTURE", "asset": "USDT", "amount": "10"},
        signed=True,
    )
    msgs = await collect(ws, 0.5)
    kinds = [m["e"] for m in msgs]
    assert kinds == [
        "executionReport",
        "outboundAccountPosition",
        "executionReport",
        "outboundAccountPosition",
        "balanceUpdate",
        "outboundAccountPosition",
    ]
    new, cancel = msgs[0], msgs[2]
    assert (new["x"], new["X"], new["c"], new["i"], new["q"]) == (
        "NEW",
        "NEW",
        "uds-1",
        oid,
        "0.01000000",
    )
    assert (cancel["x"], cancel["c"], cancel["C"]) == ("CANCELED", "cancel-1", "uds-1")
    assert msgs[1]["B"] == [{"a": "USDT", "f": "99500.00000000", "l": "500.00000000"}]
    assert msgs[4]["a"] == "USDT" and msgs[4]["d"] == "-10.00000000"
    await ws.close()


async def test_futures_user_data_stream(live_api: Any) -> None:
    v, s = live_api.venue, live_api.session
    key = (await live_api.post("/fapi/v1/listenKey", key=True)).body["listenKey"]
    ws = await s.ws_connect(f"{v.urls['futures_ws']}/ws/{key}")
    await live_api.post(
        "/fapi/v1/order",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.010"},
        signed=True,
    )
    await live_api.post("/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 10}, signed=True)
    msgs = await collect(ws, 0.5)
    kinds = [m["e"] for m in msgs]
    assert kinds[0] == "ORDER_TRADE_UPDATE" and msgs[0]["o"]["x"] == "NEW"
    trades = [m["o"] for m in msgs if m["e"] == "ORDER_TRADE_UPDATE" and m["o"]["x"] == "TRADE"]
    assert trades and trades[-1]["X"] == "FILLED" and trades[-1]["N"] == "USDT"
    assert sum(D(t["l"]) for t in trades) == D("0.010")
    acct = next(m for m in msgs if m["e"] == "ACCOUNT_UPDATE")
    assert acct["a"]["m"] == "ORDER" and acct["a"]["P"][0]["pa"] == "0.010"
    assert acct["a"]["B"][0]["a"] == "USDT"
    assert msgs[-1] == {
        "e": "ACCOUNT_CONFIG_UPDATE",
        "E": msgs[-1]["E"],
        "T": msgs[-1]["T"],
        "ac": {"s": "BTCUSDT", "l": 10},
    }
    v.core.settle_funding(v.now_ms())
    funding = await next_json(ws)
    assert funding["e"] == "ACCOUNT_UPDATE" and funding["a"]["m"] == "FUNDING_FEE"
    assert funding["a"]["B"][0]["a"] == "USDT" and D(funding["a"]["B"][0]["bc"]) < 0
    await ws.close()


async def test_listen_key_expiry_and_delete(session: aiohttp.ClientSession) -> None:
    async with Venue.start("binance", tick_interval=0.05, book_levels=10, listen_key_ms=300) as v:
        async with session.post(
            v.rest_url + "/api/v3/userDataStream", headers={"X-MBX-APIKEY": v.api_key}
        ) as r:
            key = (await r.json())["listenKey"]
        ws = await session.ws_connect(f"{v.ws_url}/ws/{key}")
        msg = await next_json(ws, 2)
        assert msg["e"] == "listenKeyExpired" and msg["listenKey"] == key
        assert isinstance(msg["E"], str)
        async with session.put(
            f"{v.rest_url}/api/v3/userDataStream?listenKey={key}",
            headers={"X-MBX-APIKEY": v.api_key},
        ) as r:
            assert (await r.json())["code"] == -1125


async def test_stream_faults(live_api: Any) -> None:
    v, s = live_api.venue, live_api.session
    ws = await s.ws_connect(v.urls["futures_ws"] + "/ws/btcusdt@depth@100ms")
    first = await next_json(ws)
    v.faults.sequence_gap(1)
    events = [first, *await collect(ws, 0.6)]
    breaks = [b for a, b in itertools.pairwise(events) if b["pu"] != a["u"]]
    assert len(breaks) == 1 and v.faults.injected["sequence_gaps"] == 1
    v.faults.malformed_frames(1)
    bad = 0
    for _ in range(5):
        msg = await asyncio.wait_for(ws.receive(), 2)
        try:
            json.loads(msg.data)
        except ValueError:
            bad += 1
    assert bad == 1 and v.faults.injected["malformed_frames"] == 1
    other = await s.ws_connect(v.ws_url + "/ws/ethusdt@depth@100ms")
    await next_json(other)
    assert v.faults.drop_ws() == 2
    for conn in (ws, other):  # frames already in flight may still arrive, then the close
        msg = await asyncio.wait_for(conn.receive(), 2)
        while msg.type is aiohttp.WSMsgType.TEXT:
            msg = await asyncio.wait_for(conn.receive(), 2)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert v.faults.injected["drop_ws"] == 2
    assert v.view.ws_messages_sent > 10

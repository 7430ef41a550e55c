"""Kraken spot WebSocket v2 with raw frames: acks, book + CRC32, trade/ticker/ohlc, private."""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotusx.sim import Venue
from lotusx.sim.dialects.kraken.books import Shown, checksum

from .test_kraken_client import RawKraken, kraken_options

D = Decimal
Book = dict[str, dict[D, D]]


@pytest.fixture
async def live() -> AsyncIterator[RawKraken]:
    opts = kraken_options(seed=11, tick_interval=0.02)
    async with Venue.start("kraken", **opts) as v, aiohttp.ClientSession() as s:
        yield RawKraken(v, s)


@pytest.fixture
async def quiet() -> AsyncIterator[RawKraken]:
    async with Venue.start("kraken", **kraken_options()) as v, aiohttp.ClientSession() as s:
        yield RawKraken(v, s)


async def recv(ws: aiohttp.ClientWebSocketResponse, timeout: float = 3.0) -> Any:
    msg = await asyncio.wait_for(ws.receive(), timeout)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data, parse_float=Decimal)


async def until(ws: aiohttp.ClientWebSocketResponse, accept: Any, timeout: float = 5.0) -> Any:
    end = time.monotonic() + timeout
    while True:
        body = await recv(ws, max(0.05, end - time.monotonic()))
        if accept(body):
            return body


def client_checksum(book: Book) -> int:
    """The documented recipe, written independently of the simulator."""

    def fmt(v: D) -> str:
        return f"{v:f}".replace(".", "").lstrip("0")

    asks = sorted(book["asks"].items())[:10]
    bids = sorted(book["bids"].items(), reverse=True)[:10]
    return zlib.crc32("".join(fmt(p) + fmt(q) for p, q in asks + bids).encode()) & 0xFFFFFFFF


def apply(book: Book, data: dict[str, Any], depth: int) -> None:
    for side in ("bids", "asks"):
        for level in data[side]:
            if level["qty"] == 0:
                book[side].pop(level["price"], None)
            else:
                book[side][level["price"]] = level["qty"]
    book["bids"] = dict(sorted(book["bids"].items(), reverse=True)[:depth])
    book["asks"] = dict(sorted(book["asks"].items())[:depth])


def test_checksum_follows_the_documented_level_formatting() -> None:
    # "45285.2" -> "452852", "0.00100000" -> "100000" (the v2 guide's worked level)
    expected = zlib.crc32(b"452852100000") & 0xFFFFFFFF
    assert checksum([(D("45285.2"), D("0.00100000"))], []) == expected
    # asks low->high come before bids high->low
    asks = [(D("2.0"), D("1.00000000")), (D("3.0"), D("1.00000000"))]
    bids = [(D("1.5"), D("0.50000000"))]
    assert (
        checksum(asks, bids) == zlib.crc32(b"201000000003010000000015" + b"50000000") & 0xFFFFFFFF
    )


levels = st.dictionaries(
    st.integers(1, 400).map(lambda i: D(i).scaleb(-1)),
    st.integers(1, 10**6).map(lambda q: D(q).scaleb(-8)),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(before=levels, after=levels, depth=st.sampled_from([10, 25]))
def test_shown_deltas_rebuild_the_top_of_book(
    before: dict[D, D], after: dict[D, D], depth: int
) -> None:
    """Whatever the book does, snapshot + the deltas sent + client truncation == the new top."""

    def top(levels: dict[D, D]) -> list[tuple[D, D]]:
        return sorted(levels.items(), reverse=True)[:depth]

    shown = Shown(depth)
    shown.reset(top(before), [])
    client = dict(top(before))
    changes = shown.advance(shown.bids, top(after), set(after))
    for p, q in changes:
        if q == 0:
            client.pop(p, None)
        else:
            client[p] = q
    assert sorted(client.items(), reverse=True)[:depth] == top(after)


async def test_subscribe_ack_and_book_stream_keeps_valid_checksums(live: RawKraken) -> None:
    async with live.session.ws_connect(live.venue.urls["spot_ws"]) as ws:
        status = await recv(ws)
        assert status["channel"] == "status" and status["data"][0]["api_version"] == "v2"
        sub = {
            "method": "subscribe",
            "params": {"channel": "book", "symbol": ["BTC/USD"], "depth": 10},
            "req_id": 7,
        }
        await ws.send_str(json.dumps(sub))
        ack = await recv(ws)
        assert ack["success"] is True and ack["req_id"] == 7 and ack["method"] == "subscribe"
        assert ack["result"] == {
            "channel": "book",
            "symbol": "BTC/USD",
            "depth": 10,
            "snapshot": True,
        }
        snap = await recv(ws)
        assert (snap["channel"], snap["type"]) == ("book", "snapshot")
        data = snap["data"][0]
        book: Book = {
            "bids": {lv["price"]: lv["qty"] for lv in data["bids"]},
            "asks": {lv["price"]: lv["qty"] for lv in data["asks"]},
        }
        assert len(book["bids"]) == 10 and data["checksum"] == client_checksum(book)
        updates = 0
        while updates < 25:
            msg = await until(ws, lambda b: b.get("channel") == "book")
            assert msg["type"] == "update"
            apply(book, msg["data"][0], 10)
            assert msg["data"][0]["checksum"] == client_checksum(book), updates
            updates += 1


async def test_bad_checksum_and_sequence_gap_faults_are_detectable(live: RawKraken) -> None:
    async with live.session.ws_connect(live.venue.urls["spot_ws"]) as ws:
        await recv(ws)
        await ws.send_str(
            json.dumps(
                {
                    "method": "subscribe",
                    "params": {"channel": "book", "symbol": ["ETH/USD"], "depth": 25},
                }
            )
        )
        await recv(ws)
        snap = (await recv(ws))["data"][0]
        book: Book = {s: {lv["price"]: lv["qty"] for lv in snap[s]} for s in ("bids", "asks")}
        live.venue.faults.bad_checksum()
        mismatched = False
        for _ in range(10):
            msg = await until(ws, lambda b: b.get("channel") == "book")
            apply(book, msg["data"][0], 25)
            if msg["data"][0]["checksum"] != client_checksum(book):
                mismatched = True
                break
        assert mismatched and live.venue.faults.injected["bad_checksums"] == 1
        live.venue.faults.sequence_gap()
        lost = False
        for _ in range(40):
            msg = await until(ws, lambda b: b.get("channel") == "book")
            apply(book, msg["data"][0], 25)
            if msg["data"][0]["checksum"] != client_checksum(book):
                lost = True
                break
        assert lost


async def test_errors_ping_and_unsubscribe(quiet: RawKraken) -> None:
    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws"]) as ws:
        await recv(ws)
        await ws.send_str(json.dumps({"method": "ping", "req_id": 3}))
        pong = await recv(ws)
        assert pong["method"] == "pong" and pong["req_id"] == 3
        await ws.send_str(
            json.dumps(
                {"method": "subscribe", "params": {"channel": "book", "symbol": ["XBT/USD"]}}
            )
        )
        err = await recv(ws)
        assert err["success"] is False and err["symbol"] == "XBT/USD"
        await ws.send_str(
            json.dumps(
                {
                    "method": "subscribe",
                    "params": {"channel": "book", "symbol": ["BTC/USD"], "depth": 7},
                }
            )
        )
        assert (await recv(ws))["success"] is False
        await ws.send_str(
            json.dumps({"method": "subscribe", "params": {"channel": "executions", "token": "x"}})
        )
        assert (await recv(ws))["success"] is False
        await ws.send_str(
            json.dumps(
                {"method": "subscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD"]}}
            )
        )
        assert (await recv(ws))["success"] is True
        tick = await recv(ws)
        assert tick["channel"] == "ticker" and tick["type"] == "snapshot"
        assert tick["data"][0]["bid"] < tick["data"][0]["ask"]
        await ws.send_str(
            json.dumps(
                {"method": "unsubscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD"]}}
            )
        )
        assert (await recv(ws))["success"] is True


async def test_trade_ticker_ohlc_follow_a_market_order(quiet: RawKraken) -> None:
    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws"]) as ws:
        await recv(ws)
        for params in (
            {"channel": "trade", "symbol": ["BTC/USD"]},
            {"channel": "ohlc", "symbol": ["BTC/USD"], "interval": 1, "snapshot": False},
        ):
            await ws.send_str(json.dumps({"method": "subscribe", "params": params}))
            assert (await recv(ws))["success"] is True
        r = await quiet.private(
            "AddOrder", {"pair": "XBTUSD", "type": "sell", "ordertype": "market", "volume": "0.02"}
        )
        assert r.body["error"] == []
        trade = await until(ws, lambda b: b.get("channel") == "trade")
        row = trade["data"][0]
        assert row["side"] == "sell" and row["symbol"] == "BTC/USD" and row["qty"] > 0
        bar = await until(ws, lambda b: b.get("channel") == "ohlc")
        assert bar["data"][0]["interval"] == 1 and bar["data"][0]["trades"] >= 1


async def test_private_executions_and_balances(quiet: RawKraken) -> None:
    token = (await quiet.private("GetWebSocketsToken")).body["result"]["token"]
    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws_auth"]) as ws:
        await recv(ws)
        await ws.send_str(
            json.dumps(
                {"method": "subscribe", "params": {"channel": "executions", "token": "nope"}}
            )
        )
        assert (await recv(ws))["success"] is False
        for channel in ("executions", "balances"):
            await ws.send_str(
                json.dumps({"method": "subscribe", "params": {"channel": channel, "token": token}})
            )
            ack = await recv(ws)
            assert ack["success"] is True and ack["result"]["channel"] == channel
            snap = await recv(ws)
            assert (snap["channel"], snap["type"], snap["sequence"]) == (channel, "snapshot", 1)
        balances = {row["asset"]: row["balance"] for row in snap["data"]}
        assert balances["BTC"] == 2 and balances["USD"] == 100000
        r = await quiet.private(
            "AddOrder",
            {
                "pair": "XBTUSD",
                "type": "buy",
                "ordertype": "market",
                "volume": "0.01",
                "cl_ord_id": "ws-1",
            },
        )
        txid = r.body["result"]["txid"][0]
        kinds = []
        while "trade" not in kinds:
            msg = await until(ws, lambda b: b.get("channel") == "executions")
            row = msg["data"][0]
            assert row["order_id"] == txid
            kinds.append(row["exec_type"])
        assert kinds[:2] == ["pending_new", "new"]
        assert row["liquidity_ind"] == "t" and row["fees"][0]["asset"] == "USD"
        trades = (await quiet.private("TradesHistory")).body["result"]["trades"]
        assert row["exec_id"] in trades  # exec_id is the trade txid of TradesHistory
        done = await until(ws, lambda b: b.get("channel") == "executions")
        assert (done["data"][0]["exec_type"], done["data"][0]["order_status"]) == (
            "filled",
            "filled",
        )
        assert done["data"][0]["cum_qty"] == D("0.01") and done["sequence"] == msg["sequence"] + 1
        bal = await until(
            ws, lambda b: b.get("channel") == "balances" and b["data"][0]["asset"] == "BTC"
        )
        assert bal["data"][0]["amount"] > 0 and bal["data"][0]["type"] == "trade"


async def test_trading_methods_over_ws_auth(quiet: RawKraken) -> None:
    token = (await quiet.private("GetWebSocketsToken")).body["result"]["token"]
    book = (await quiet.public("Depth", pair="XBTUSD", count=1)).body["result"]["XXBTZUSD"]
    bid = D(book["bids"][0][0])

    async def call(
        ws: aiohttp.ClientWebSocketResponse, method: str, rid: int, **params: Any
    ) -> Any:
        await ws.send_str(
            json.dumps({"method": method, "params": {"token": token, **params}, "req_id": rid})
        )
        return await until(ws, lambda b: b.get("method") == method and b.get("req_id") == rid)

    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws_auth"]) as ws:
        await recv(ws)
        added = await call(
            ws,
            "add_order",
            1,
            order_type="limit",
            side="buy",
            order_qty=0.01,
            symbol="BTC/USD",
            limit_price=float(bid - 40),
            cl_ord_id="ws-a",
        )
        assert added["success"] is True and added["result"]["cl_ord_id"] == "ws-a"
        oid = added["result"]["order_id"]
        opened = (await quiet.private("OpenOrders")).body["result"]["open"]
        assert opened[oid]["descr"]["price"] == str(bid - 40)
        amended = await call(ws, "amend_order", 2, order_id=oid, limit_price=float(bid - 45))
        assert amended["success"] is True and amended["result"]["order_id"] == oid
        poor = await call(
            ws,
            "add_order",
            3,
            order_type="limit",
            side="buy",
            order_qty=500,
            symbol="BTC/USD",
            limit_price=float(bid - 40),
        )
        assert (poor["success"], poor["error"]) == (False, "EOrder:Insufficient funds")
        batch = await call(
            ws,
            "batch_add",
            4,
            symbol="BTC/USD",
            orders=[
                {
                    "order_type": "limit",
                    "side": "buy",
                    "order_qty": 0.01,
                    "limit_price": float(bid - 50),
                },
                {
                    "order_type": "limit",
                    "side": "buy",
                    "order_qty": 0.01,
                    "limit_price": float(bid - 51),
                },
            ],
        )
        assert batch["success"] is True and len(batch["result"]) == 2
        cancelled = await call(ws, "cancel_order", 5, order_id=[oid])
        assert cancelled["success"] is True and cancelled["result"] == {"order_id": oid}
        again = await call(ws, "cancel_order", 6, order_id=[oid])
        assert (again["success"], again["error"]) == (False, "EOrder:Unknown order")
        everything = await call(ws, "cancel_all", 7)
        assert everything["result"] == {"count": 2}
        bad = await call(ws, "cancel_all", 8, token="nope")
        assert bad["success"] is False
    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws"]) as ws:
        await recv(ws)
        public = await call(ws, "cancel_all", 9)
        assert public["success"] is False


async def test_streams_know_which_engine_update_a_book_message_showed(quiet: RawKraken) -> None:
    import datetime as dt

    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws"]) as ws:
        await recv(ws)
        await ws.send_str(
            json.dumps(
                {"method": "subscribe", "params": {"channel": "book", "symbol": ["BTC/USD"]}}
            )
        )
        await recv(ws)
        await recv(ws)
        bid = D(
            (await quiet.public("Depth", pair="XBTUSD", count=1)).body["result"]["XXBTZUSD"][
                "bids"
            ][0][0]
        )
        await quiet.private(
            "AddOrder",
            {
                "pair": "XBTUSD",
                "type": "buy",
                "ordertype": "limit",
                "volume": "0.5",
                "price": str(bid + D("0.1")),
            },
        )
        msg = await until(ws, lambda b: b.get("channel") == "book")
        stamp = dt.datetime.fromisoformat(msg["data"][0]["timestamp"].replace("Z", "+00:00"))
        ms = int(stamp.timestamp() * 1000 + 0.5)
        truth = quiet.venue.dialect.streams  # type: ignore[attr-defined]
        assert (
            truth.book_update_id("XXBTZUSD", 0, ms) == quiet.venue.view.book("XXBTZUSD").update_id
        )


async def test_ws_add_order_takes_small_json_numbers(quiet: RawKraken) -> None:
    token = (await quiet.private("GetWebSocketsToken")).body["result"]["token"]
    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws_auth"]) as ws:
        await recv(ws)
        req = {
            "method": "add_order",
            "req_id": 1,
            "params": {
                "token": token,
                "order_type": "limit",
                "side": "buy",
                "order_qty": 5e-05,
                "symbol": "BTC/USD",
                "limit_price": 20000.0,
            },
        }
        await ws.send_str(json.dumps(req))
        reply = await until(ws, lambda b: b.get("method") == "add_order")
        assert reply["success"] is True, reply


@pytest.mark.parametrize("mode", ["close", "timeout", "5xx"])
async def test_ws_add_order_reply_lost_after_accept(quiet: RawKraken, mode: str) -> None:
    token = (await quiet.private("GetWebSocketsToken")).body["result"]["token"]
    book = (await quiet.public("Depth", pair="XBTUSD", count=1)).body["result"]["XXBTZUSD"]
    bid = D(book["bids"][0][0])
    order = {"order_type": "limit", "side": "buy", "order_qty": "0.01", "symbol": "BTC/USD"}
    async with quiet.session.ws_connect(quiet.venue.urls["spot_ws_auth"]) as ws:
        await recv(ws)
        quiet.venue.faults.fail_after_accept(1, mode=mode)
        params = {"token": token, **order, "limit_price": str(bid - 40)}
        await ws.send_str(json.dumps({"method": "add_order", "params": params, "req_id": 7}))
        if mode == "close":
            msg = await asyncio.wait_for(ws.receive(), 3)
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        else:
            with pytest.raises(TimeoutError):
                await recv(ws, 0.3)
            await ws.send_str(json.dumps({"method": "ping", "req_id": 8}))
            assert (await recv(ws))["method"] == "pong"  # the socket stays open
    assert len(quiet.venue.view.open_orders()) == 1
    logged = [(r.path, r.status, r.server) for r in quiet.venue.view.requests if r.method == "WS"]
    assert logged == [("add_order", 0, "spot_ws_auth")]

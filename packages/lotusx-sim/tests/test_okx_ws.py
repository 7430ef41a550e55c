"""OKX WebSocket services with raw frames: book sync with checksums, login, channels, faults."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import zlib
from decimal import Decimal
from typing import Any

import aiohttp

from lotusx.sim import Venue
from lotusx.sim.dialects.okx.books import checksum

D = Decimal
Rows = list[list[str]]


def crc(bids: Rows, asks: Rows) -> int:
    """The documented checksum, computed independently of the simulator's helper."""
    parts: list[str] = []
    for i in range(25):
        if i < len(bids):
            parts += [bids[i][0], bids[i][1]]
        if i < len(asks):
            parts += [asks[i][0], asks[i][1]]
    value = zlib.crc32(":".join(parts).encode())
    return value - 2**32 if value >= 2**31 else value


def test_checksum_documented_example() -> None:
    # Docs: "3366.1:7:3366.8:9:3366:6:3368:8" (bids 3366.1/3366, asks 3366.8/3368).
    bids, asks = [["3366.1", "7"], ["3366", "6"]], [["3366.8", "9"], ["3368", "8"]]
    assert crc(bids, asks) == checksum(bids, asks) == -1881014294
    # Unequal sides: missing bid levels are skipped ("3366.1:7:3366.8:9:3368:8:3372:8").
    asks = [["3366.8", "9"], ["3368", "8"], ["3372", "8"]]
    assert checksum([["3366.1", "7"]], asks) == crc([["3366.1", "7"]], asks)


class Book:
    def __init__(self) -> None:
        self.bids: dict[str, str] = {}
        self.asks: dict[str, str] = {}
        self.seq = -1

    def apply(self, data: dict[str, Any]) -> None:
        for side, rows in (("bids", data["bids"]), ("asks", data["asks"])):
            levels = getattr(self, side)
            for px, sz, *_ in rows:
                if D(sz) == 0:
                    levels.pop(px, None)
                else:
                    levels[px] = sz

    def rows(self, side: str) -> Rows:
        levels: dict[str, str] = getattr(self, side)
        keys = sorted(levels, key=D, reverse=side == "bids")
        return [[p, levels[p]] for p in keys]

    def checksum(self) -> int:
        return crc(self.rows("bids"), self.rows("asks"))


async def recv(ws: aiohttp.ClientWebSocketResponse, timeout: float = 3.0) -> Any:
    msg = await asyncio.wait_for(ws.receive(), timeout)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return msg.data if msg.data == "pong" else json.loads(msg.data)


async def until(ws: aiohttp.ClientWebSocketResponse, accept: Any, timeout: float = 5.0) -> Any:
    end = time.monotonic() + timeout
    while True:
        body = await recv(ws, max(0.05, end - time.monotonic()))
        if accept(body):
            return body


def books(body: Any) -> bool:
    return (
        isinstance(body, dict) and body.get("arg", {}).get("channel") == "books" and "data" in body
    )


async def test_books_snapshot_and_updates_rebuild_the_venue_book(okx_live: Venue) -> None:
    v = okx_live
    inst, ct = "BTC-USDT-SWAP", D("0.01")
    async with aiohttp.ClientSession() as s, s.ws_connect(v.urls["ws_public"]) as ws:
        await ws.send_str(
            json.dumps(
                {"id": "1", "op": "subscribe", "args": [{"channel": "books", "instId": inst}]}
            )
        )
        ack = await recv(ws)
        assert ack["event"] == "subscribe" and ack["id"] == "1" and ack["connId"]
        book = Book()
        snap = await until(ws, books)
        assert snap["action"] == "snapshot" and snap["data"][0]["prevSeqId"] == -1
        book.apply(snap["data"][0])
        book.seq = snap["data"][0]["seqId"]
        assert book.checksum() == snap["data"][0]["checksum"]
        updates = 0
        end = time.monotonic() + 1.2
        while time.monotonic() < end:
            msg = await until(ws, books)
            data = msg["data"][0]
            assert msg["action"] == "update" and data["prevSeqId"] == book.seq
            book.apply(data)
            book.seq = data["seqId"]
            assert book.checksum() == data["checksum"]
            updates += 1
        assert updates >= 5
        await v.core.stop()  # freeze the market, then take the last update
        await asyncio.sleep(0.3)
        while True:
            try:
                msg = await until(ws, books, 0.3)
            except TimeoutError:
                break
            book.apply(msg["data"][0])
            book.seq = msg["data"][0]["seqId"]
        truth = v.view.book(inst, "swap")
        assert book.seq == truth.update_id
        assert [(D(p), D(q) * ct) for p, q in book.rows("bids")] == truth.bids
        assert [(D(p), D(q) * ct) for p, q in book.rows("asks")] == truth.asks


async def test_book_faults_gap_and_bad_checksum(okx_live: Venue) -> None:
    v = okx_live
    async with aiohttp.ClientSession() as s, s.ws_connect(v.urls["ws_public"]) as ws:
        await ws.send_str(
            json.dumps({"op": "subscribe", "args": [{"channel": "books", "instId": "ETH-USDT"}]})
        )
        snap = await until(ws, books)
        book = Book()
        book.apply(snap["data"][0])
        book.seq = snap["data"][0]["seqId"]
        v.faults.sequence_gap(1)
        gap = await until(ws, books)
        assert gap["data"][0]["prevSeqId"] != book.seq  # one update was lost
        assert v.faults.injected["sequence_gaps"] == 1
        v.faults.bad_checksum(1)
        await ws.send_str(
            json.dumps({"op": "subscribe", "args": [{"channel": "books", "instId": "BTC-USDT"}]})
        )
        snap = await until(ws, lambda b: books(b) and b["arg"]["instId"] == "BTC-USDT")
        fresh = Book()
        fresh.apply(snap["data"][0])
        assert fresh.checksum() != snap["data"][0]["checksum"]
        assert v.faults.injected["bad_checksums"] == 1


async def test_ping_errors_login_and_private_channels(okx_live: Venue, okx_for: Any) -> None:
    v = okx_live
    api = okx_for(v)
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(v.urls["ws_public"]) as pub:
            await pub.send_str("ping")
            assert await recv(pub) == "pong"
            await pub.send_str(
                json.dumps({"op": "subscribe", "args": [{"channel": "books", "instId": "NOPE"}]})
            )
            err = await recv(pub)
            assert (err["event"], err["code"]) == ("error", "60018")
            await pub.send_str(
                json.dumps(
                    {"op": "subscribe", "args": [{"channel": "candle1m", "instId": "BTC-USDT"}]}
                )
            )
            assert (await recv(pub))["code"] == "60018"  # candles live on the business service
        async with s.ws_connect(v.urls["ws_business"]) as biz:
            await biz.send_str(
                json.dumps(
                    {"op": "subscribe", "args": [{"channel": "candle1m", "instId": "BTC-USDT"}]}
                )
            )
            assert (await recv(biz))["event"] == "subscribe"
            candle = await until(biz, lambda b: "data" in b)
            assert len(candle["data"][0]) == 9
        async with s.ws_connect(v.urls["ws_private"]) as prv:
            await prv.send_str(
                json.dumps({"op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]})
            )
            assert (await recv(prv))["code"] == "60011"
            stamp = str(int(time.time()))
            bad = base64.b64encode(hmac.new(b"wrong", b"x", hashlib.sha256).digest()).decode()
            await prv.send_str(
                json.dumps(
                    {
                        "op": "login",
                        "args": [
                            {
                                "apiKey": api.key,
                                "passphrase": api.passphrase,
                                "timestamp": stamp,
                                "sign": bad,
                            }
                        ],
                    }
                )
            )
            assert (await recv(prv))["code"] == "60007"
            sign = api.sign(stamp + "GET" + "/users/self/verify")
            await prv.send_str(
                json.dumps(
                    {
                        "op": "login",
                        "args": [
                            {
                                "apiKey": api.key,
                                "passphrase": api.passphrase,
                                "timestamp": stamp,
                                "sign": sign,
                            }
                        ],
                    }
                )
            )
            login = await recv(prv)
            assert (login["event"], login["code"]) == ("login", "0")
            await prv.send_str(
                json.dumps(
                    {
                        "op": "subscribe",
                        "args": [
                            {"channel": "orders", "instType": "ANY"},
                            {"channel": "positions", "instType": "SWAP"},
                            {"channel": "balance_and_position"},
                        ],
                    }
                )
            )
            acks = [await until(prv, lambda b: b.get("event") == "subscribe") for _ in range(3)]
            assert [a["arg"]["channel"] for a in acks] == [
                "orders",
                "positions",
                "balance_and_position",
            ]
            placed = await api.post(
                "/api/v5/trade/order",
                {
                    "instId": "BTC-USDT-SWAP",
                    "tdMode": "cross",
                    "side": "buy",
                    "ordType": "market",
                    "sz": "2",
                    "clOrdId": "wsfill",
                },
            )
            assert placed.body["code"] == "0"
            filled = await until(
                prv,
                lambda b: (
                    b.get("arg", {}).get("channel") == "orders"
                    and b["data"][0]["state"] == "filled"
                ),
            )
            order = filled["data"][0]
            assert (order["clOrdId"], order["accFillSz"], order["execType"]) == ("wsfill", "2", "T")
            assert filled["arg"]["uid"] == "100000001"
            pos = await until(
                prv,
                lambda b: (
                    b.get("arg", {}).get("channel") == "positions"
                    and b["data"]
                    and b["data"][0]["pos"] == "2"
                ),
            )
            assert pos["data"][0]["instId"] == "BTC-USDT-SWAP"
            bp = await until(
                prv,
                lambda b: (
                    b.get("arg", {}).get("channel") == "balance_and_position"
                    and b["data"][0]["eventType"] == "filled"
                ),
            )
            assert bp["data"][0]["balData"][0]["ccy"] == "USDT"


async def test_idle_connections_are_closed(okx_options: Any) -> None:
    opts = okx_options(tick_interval=3600, idle_timeout=0.5)
    async with (
        Venue.start("okx", **opts) as v,
        aiohttp.ClientSession() as s,
        s.ws_connect(v.urls["ws_public"]) as ws,
    ):
        msg = await asyncio.wait_for(ws.receive(), 4)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

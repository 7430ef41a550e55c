"""Kraken Futures WebSocket v1, raw frames: book seq contiguity, challenge auth, private feeds."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from lotusx.sim import Venue

from .test_kraken_client import RawKraken, kraken_options, sign_challenge

D = Decimal


def test_documented_challenge_signature() -> None:
    secret = (
        "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
    )
    assert sign_challenge(secret, "c100b894-1729-464d-ace1-52dbce11db42") == (
        "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
    )


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


async def test_book_snapshot_then_contiguous_deltas_rebuild_the_book(live: RawKraken) -> None:
    async with live.session.ws_connect(live.venue.urls["futures_ws"]) as ws:
        assert (await recv(ws)) == {"event": "info", "version": 1}
        await ws.send_str(
            json.dumps({"event": "subscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
        )
        assert (await recv(ws)) == {
            "event": "subscribed",
            "feed": "book",
            "product_ids": ["PF_XBTUSD"],
        }
        snap = await recv(ws)
        assert snap["feed"] == "book_snapshot" and snap["product_id"] == "PF_XBTUSD"
        book = {
            "buy": {lv["price"]: lv["qty"] for lv in snap["bids"]},
            "sell": {lv["price"]: lv["qty"] for lv in snap["asks"]},
        }
        seq = snap["seq"]
        for _ in range(60):
            msg = await until(ws, lambda b: b.get("feed") == "book")
            assert msg["seq"] == seq + 1
            seq = msg["seq"]
            if msg["qty"] == 0:
                book[msg["side"]].pop(msg["price"], None)
            else:
                book[msg["side"]][msg["price"]] = msg["qty"]
        assert book["buy"] and book["sell"]  # per-level messages: exactness is checked quietly


async def test_sequence_gap_fault_skips_a_number(live: RawKraken) -> None:
    async with live.session.ws_connect(live.venue.urls["futures_ws"]) as ws:
        await recv(ws)
        await ws.send_str(
            json.dumps({"event": "subscribe", "feed": "book", "product_ids": ["PF_ETHUSD"]})
        )
        await recv(ws)
        seq = (await recv(ws))["seq"]
        live.venue.faults.sequence_gap()
        gaps = 0
        for _ in range(40):
            msg = await until(ws, lambda b: b.get("feed") == "book")
            gaps += msg["seq"] - seq - 1
            seq = msg["seq"]
        assert gaps == 1


async def test_public_errors_trade_and_ticker(quiet: RawKraken) -> None:
    async with quiet.session.ws_connect(quiet.venue.urls["futures_ws"]) as ws:
        await recv(ws)
        await ws.send_str(
            json.dumps({"event": "subscribe", "feed": "book", "product_ids": ["PI_NOPE"]})
        )
        assert (await recv(ws))["event"] == "error"
        await ws.send_str("{not json")
        assert (await recv(ws)) == {"event": "error", "message": "Json Error"}
        await ws.send_str(
            json.dumps({"event": "subscribe", "feed": "ticker", "product_ids": ["PF_XBTUSD"]})
        )
        assert (await recv(ws))["event"] == "subscribed"
        tick = await recv(ws)
        assert tick["feed"] == "ticker" and tick["markPrice"] > 0 and "funding_rate" in tick
        await ws.send_str(
            json.dumps({"event": "subscribe", "feed": "trade", "product_ids": ["PF_XBTUSD"]})
        )
        await until(ws, lambda b: b.get("feed") == "trade_snapshot")
        r = await quiet.futures(
            "POST",
            "sendorder",
            {"orderType": "mkt", "symbol": "PF_XBTUSD", "side": "sell", "size": "0.01"},
        )
        assert r.body["sendStatus"]["status"] == "placed"
        trade = await until(ws, lambda b: b.get("feed") == "trade")
        assert trade["side"] == "sell" and trade["type"] == "fill"


async def challenge(ws: aiohttp.ClientWebSocketResponse, k: RawKraken) -> tuple[str, str]:
    await ws.send_str(json.dumps({"event": "challenge", "api_key": k.key}))
    reply = await until(ws, lambda b: b.get("event") == "challenge")
    return reply["message"], sign_challenge(k.secret, reply["message"])


async def test_private_feeds_with_a_signed_challenge(quiet: RawKraken) -> None:
    async with quiet.session.ws_connect(quiet.venue.urls["futures_ws"]) as ws:
        await recv(ws)
        original, signed = await challenge(ws, quiet)
        bad = {
            "event": "subscribe",
            "feed": "open_orders",
            "api_key": quiet.key,
            "original_challenge": original,
            "signed_challenge": "AAAA" + signed[4:],
        }
        await ws.send_str(json.dumps(bad))
        assert (await recv(ws))["event"] == "error"
        for feed in ("open_orders", "fills", "balances", "open_positions"):
            req = {
                "event": "subscribe",
                "feed": feed,
                "api_key": quiet.key,
                "original_challenge": original,
                "signed_challenge": signed,
            }
            await ws.send_str(json.dumps(req))
            ack = await recv(ws)
            assert ack["event"] == "subscribed" and ack["feed"] == feed
            snap = await recv(ws)
            assert snap["feed"] in (f"{feed}_snapshot", feed)
            if feed == "balances":
                assert snap["flex_futures"]["currencies"]["USD"]["quantity"] == 100000
        book = (await quiet.futures("GET", "orderbook", {"symbol": "PF_XBTUSD"}, signed=False)).body
        bid = D(str(book["orderBook"]["bids"][0][0]))
        placed = (
            await quiet.futures(
                "POST",
                "sendorder",
                {
                    "orderType": "lmt",
                    "symbol": "PF_XBTUSD",
                    "side": "buy",
                    "size": "0.01",
                    "limitPrice": str(bid - 50),
                    "cliOrdId": "w1",
                },
            )
        ).body
        oid = placed["sendStatus"]["order_id"]
        new = await until(ws, lambda b: b.get("feed") == "open_orders")
        assert (
            new["order"]["order_id"] == oid
            and new["order"]["cli_ord_id"] == "w1"
            and new["reason"] == "new_placed_order_by_user"
        )
        await quiet.futures("POST", "cancelorder", {"order_id": oid})
        gone = await until(ws, lambda b: b.get("feed") == "open_orders")
        assert (
            gone["is_cancel"] is True
            and gone["order_id"] == oid
            and gone["reason"] == "cancelled_by_user"
        )
        await quiet.futures(
            "POST",
            "sendorder",
            {"orderType": "mkt", "symbol": "PF_XBTUSD", "side": "buy", "size": "0.02"},
        )
        fill = await until(ws, lambda b: b.get("feed") == "fills")
        assert fill["fills"][0]["buy"] is True and fill["fills"][0]["fill_type"] == "taker"
        pos = await until(ws, lambda b: b.get("feed") == "open_positions" and b["positions"])
        assert (
            pos["positions"][0]["instrument"] == "PF_XBTUSD" and pos["positions"][0]["balance"] > 0
        )


async def test_drop_ws_closes_futures_and_spot_connections(quiet: RawKraken) -> None:
    urls = quiet.venue.urls
    async with (
        quiet.session.ws_connect(urls["futures_ws"]) as f,
        quiet.session.ws_connect(urls["spot_ws"]) as s,
    ):
        await recv(f)
        await recv(s)
        assert quiet.venue.faults.drop_ws() == 2
        for ws in (f, s):
            msg = await asyncio.wait_for(ws.receive(), 3)
            assert msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            )


async def test_rebuilt_book_equals_the_venue_book_after_orders(quiet: RawKraken) -> None:
    async with quiet.session.ws_connect(quiet.venue.urls["futures_ws"]) as ws:
        await recv(ws)
        await ws.send_str(
            json.dumps({"event": "subscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
        )
        await recv(ws)
        snap = await recv(ws)
        book = {
            "buy": {lv["price"]: lv["qty"] for lv in snap["bids"]},
            "sell": {lv["price"]: lv["qty"] for lv in snap["asks"]},
        }
        seq = snap["seq"]
        bid = max(book["buy"])
        for params in (
            {"orderType": "lmt", "side": "buy", "size": "0.5", "limitPrice": str(bid - 3)},
            {
                "orderType": "post",
                "side": "sell",
                "size": "0.25",
                "limitPrice": str(max(book["sell"]) + 7),
            },
            {"orderType": "mkt", "side": "buy", "size": "1.5"},
            {"orderType": "mkt", "side": "sell", "size": "0.7"},
        ):
            r = await quiet.futures("POST", "sendorder", {"symbol": "PF_XBTUSD", **params})
            assert r.body["sendStatus"]["status"] == "placed"
        while True:
            try:
                msg = await recv(ws, timeout=0.4)
            except TimeoutError:
                break
            if msg.get("feed") != "book":
                continue
            assert msg["seq"] == seq + 1
            seq = msg["seq"]
            if msg["qty"] == 0:
                book[msg["side"]].pop(msg["price"], None)
            else:
                book[msg["side"]][msg["price"]] = msg["qty"]
        view = quiet.venue.view.book("PF_XBTUSD", "futures")
        truth = quiet.venue.dialect.streams  # type: ignore[attr-defined]
        assert truth.book_update_id("PF_XBTUSD", seq, 0) == view.update_id
        assert sorted(book["buy"].items(), reverse=True) == [
            (D(str(p)), D(str(q))) for p, q in view.bids
        ]
        assert sorted(book["sell"].items()) == [(D(str(p)), D(str(q))) for p, q in view.asks]


async def test_idle_connections_close_but_pings_keep_them_open() -> None:
    opts = kraken_options(futures_idle_timeout=1.5)
    async with (
        Venue.start("kraken", **opts) as v,
        aiohttp.ClientSession() as s,
        s.ws_connect(v.urls["futures_ws"], autoping=True) as pinging,
        s.ws_connect(v.urls["futures_ws"]) as silent,
    ):
        await recv(pinging)
        await recv(silent)
        for _ in range(6):
            await pinging.ping()
            await asyncio.sleep(0.5)
        msg = await asyncio.wait_for(silent.receive(), 3)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert not pinging.closed

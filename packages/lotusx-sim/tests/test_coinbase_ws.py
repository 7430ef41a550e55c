"""Coinbase Advanced Trade WebSocket with raw frames: level2, heartbeats, trades, user orders."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from lotusx.sim import Venue

from .conftest import RawCoinbase, cdp_jwt

D = Decimal
Book = dict[str, dict[D, D]]


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


def sub(channel: str, products: list[str], jwt: str | None = None) -> str:
    body: dict[str, Any] = {"type": "subscribe", "product_ids": products, "channel": channel}
    if jwt is not None:
        body["jwt"] = jwt
    return json.dumps(body)


def apply(book: Book, event: dict[str, Any]) -> None:
    for u in event["updates"]:
        side = book[u["side"]]
        if D(u["new_quantity"]) == 0:
            side.pop(D(u["price_level"]), None)
        else:
            side[D(u["price_level"])] = D(u["new_quantity"])


async def test_level2_snapshot_then_updates_rebuild_the_book(
    coinbase_venue: Venue, coinbase: RawCoinbase
) -> None:
    v = coinbase_venue
    async with aiohttp.ClientSession() as s, s.ws_connect(v.urls["ws"]) as ws:
        await ws.send_str(sub("level2", ["BTC-USD"]))
        snap = await recv(ws)
        assert (snap["channel"], snap["sequence_num"]) == ("l2_data", 0)
        event = snap["events"][0]
        assert (event["type"], event["product_id"]) == ("snapshot", "BTC-USD")
        assert {u["side"] for u in event["updates"]} == {"bid", "offer"}
        book: Book = {"bid": {}, "offer": {}}
        apply(book, event)
        confirm = await recv(ws)
        assert confirm["channel"] == "subscriptions" and confirm["sequence_num"] == 1
        assert confirm["events"] == [{"subscriptions": {"level2": ["BTC-USD"]}}]
        best_bid = max(book["bid"])
        price = best_bid + D("0.01")
        order = {
            "client_order_id": "l2-1",
            "product_id": "BTC-USD",
            "side": "BUY",
            "order_configuration": {
                "limit_limit_gtc": {"base_size": "0.5", "limit_price": str(price)}
            },
        }
        placed = await coinbase.post("/orders", order)
        update = await recv(ws)
        assert update["channel"] == "l2_data" and update["sequence_num"] == 2
        assert update["events"][0]["type"] == "update"
        apply(book, update["events"][0])
        assert book["bid"][price] == D("0.5")
        oid = placed.body["success_response"]["order_id"]
        await coinbase.post("/orders/batch_cancel", {"order_ids": [oid]})
        removal = await recv(ws)
        assert removal["sequence_num"] == 3
        rows = removal["events"][0]["updates"]
        assert rows == [
            {
                "side": "bid",
                "event_time": rows[0]["event_time"],
                "price_level": str(price),
                "new_quantity": "0",
            }
        ]
        apply(book, removal["events"][0])
        rest = await coinbase.get("/product_book", {"product_id": "BTC-USD", "limit": 10})
        top = {D(x["price"]): D(x["size"]) for x in rest.body["pricebook"]["bids"]}
        assert dict(sorted(book["bid"].items(), reverse=True)[:10]) == top


async def test_sequence_num_is_contiguous_across_channels(coinbase_live: Venue) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_live.urls["ws"]) as ws:
        await ws.send_str(sub("heartbeats", []))
        await ws.send_str(sub("level2", ["BTC-USD", "ETH-USD"]))
        await ws.send_str(sub("market_trades", ["BTC-USD"]))
        seqs, channels, counters = [], set(), []
        end = time.monotonic() + 2.5
        while time.monotonic() < end:
            msg = await recv(ws)
            seqs.append(msg["sequence_num"])
            channels.add(msg["channel"])
            if msg["channel"] == "heartbeats":
                counters.append(msg["events"][0]["heartbeat_counter"])
        assert seqs == list(range(len(seqs)))
        assert {"l2_data", "heartbeats", "subscriptions"} <= channels
        assert len(counters) >= 2 and counters == list(range(counters[0], counters[-1] + 1))


async def test_injected_gap_skips_a_sequence_num(coinbase_live: Venue) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_live.urls["ws"]) as ws:
        await ws.send_str(sub("level2", ["BTC-USD"]))
        confirm = await until(ws, lambda m: m["channel"] == "subscriptions")
        coinbase_live.faults.sequence_gap()
        last = confirm["sequence_num"]
        gaps = 0
        for _ in range(30):
            msg = await recv(ws)
            if msg["sequence_num"] != last + 1:
                gaps += 1
                assert msg["sequence_num"] == last + 2
            last = msg["sequence_num"]
        assert gaps == 1 and coinbase_live.faults.injected["sequence_gaps"] == 1


async def test_market_trades_and_ticker(coinbase_venue: Venue, coinbase: RawCoinbase) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_venue.urls["ws"]) as ws:
        await ws.send_str(sub("market_trades", ["BTC-USD"]))
        await until(ws, lambda m: m["channel"] == "subscriptions")
        await ws.send_str(sub("ticker", ["BTC-USD"]))
        snap = await until(ws, lambda m: m["channel"] == "ticker")
        assert snap["events"][0]["type"] == "snapshot"
        await until(ws, lambda m: m["channel"] == "subscriptions")
        order = {
            "client_order_id": "mt-1",
            "product_id": "BTC-USD",
            "side": "SELL",
            "order_configuration": {"market_market_ioc": {"base_size": "0.002"}},
        }
        await coinbase.post("/orders", order)
        trades = await until(ws, lambda m: m["channel"] == "market_trades")
        trade = trades["events"][0]["trades"][0]
        assert trades["events"][0]["type"] == "update"
        # a market SELL hit bids: the side sent is the maker's ("makers side"), BUY
        assert (trade["product_id"], trade["side"]) == ("BTC-USD", "BUY")
        tick = await until(ws, lambda m: m["channel"] == "ticker")
        assert tick["events"][0]["tickers"][0]["price"] == trade["price"]


@pytest.mark.parametrize("endpoint", ["ws_user", "ws"])
async def test_user_channel_snapshot_and_order_updates(
    coinbase_venue: Venue, coinbase: RawCoinbase, endpoint: str
) -> None:
    v = coinbase_venue
    bid = D((await coinbase.get("/best_bid_ask")).body["pricebooks"][0]["bids"][0]["price"])
    first = {
        "client_order_id": "u-1",
        "product_id": "BTC-USD",
        "side": "BUY",
        "order_configuration": {
            "limit_limit_gtc": {"base_size": "0.01", "limit_price": str(bid - 50)}
        },
    }
    resting = (await coinbase.post("/orders", first)).body["success_response"]["order_id"]
    async with aiohttp.ClientSession() as s, s.ws_connect(v.urls[endpoint]) as ws:
        await ws.send_str(sub("user", [], cdp_jwt(v.api_key, v.secret, None)))
        snap = await recv(ws)
        assert snap["channel"] == "user" and snap["events"][0]["type"] == "snapshot"
        assert [o["order_id"] for o in snap["events"][0]["orders"]] == [resting]
        assert snap["events"][0]["orders"][0]["status"] == "OPEN"
        await until(ws, lambda m: m["channel"] == "subscriptions")
        await coinbase.post("/orders/batch_cancel", {"order_ids": [resting]})
        update = await until(ws, lambda m: m["channel"] == "user")
        order = update["events"][0]["orders"][0]
        assert update["events"][0]["type"] == "update"
        assert (order["order_id"], order["status"]) == (resting, "CANCELLED")
        assert order["client_order_id"] == "u-1" and order["leaves_quantity"] == "0"
        taker = {
            "client_order_id": "u-2",
            "product_id": "BTC-USD",
            "side": "BUY",
            "order_configuration": {"market_market_ioc": {"quote_size": "50"}},
        }
        await coinbase.post("/orders", taker)
        seen = []
        while not seen or seen[-1]["status"] != "FILLED":
            msg = await until(ws, lambda m: m["channel"] == "user")
            seen += msg["events"][0]["orders"]
        assert {o["client_order_id"] for o in seen} == {"u-2"}
        assert D(seen[-1]["cumulative_quantity"]) > 0 and D(seen[-1]["total_fees"]) > 0


async def test_user_channel_rejects_a_bad_jwt(coinbase_venue: Venue) -> None:
    v = coinbase_venue
    async with aiohttp.ClientSession() as s, s.ws_connect(v.urls["ws_user"]) as ws:
        await ws.send_str(sub("user", []))
        assert await recv(ws) == {"type": "error", "message": "authentication failure"}
        stale = cdp_jwt(v.api_key, v.secret, None, now=time.time() - 600)
        await ws.send_str(sub("user", [], stale))
        assert (await recv(ws))["type"] == "error"
        await ws.send_str(sub("level2", ["BTC-USD"]))
        assert (await recv(ws))["type"] == "error"  # market channels are not on this endpoint


async def test_drop_ws_closes_connections(coinbase_live: Venue) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_live.urls["ws"]) as ws:
        await ws.send_str(sub("heartbeats", []))
        await recv(ws)
        assert coinbase_live.faults.drop_ws() == 1
        end = time.monotonic() + 3
        while time.monotonic() < end:
            msg = await asyncio.wait_for(ws.receive(), 3)
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                break
        else:
            pytest.fail("connection stayed open")


async def test_malformed_frame_fault_breaks_one_frame(coinbase_live: Venue) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_live.urls["ws"]) as ws:
        await ws.send_str(sub("heartbeats", []))
        await recv(ws)
        coinbase_live.faults.malformed_frames()
        msg = await asyncio.wait_for(ws.receive(), 3)
        with pytest.raises(ValueError):
            json.loads(msg.data)
        assert (await recv(ws))["channel"] in ("heartbeats", "subscriptions")


async def test_user_snapshot_comes_in_batches_of_50(
    coinbase_venue: Venue, coinbase: RawCoinbase
) -> None:
    v = coinbase_venue
    bid = D((await coinbase.get("/best_bid_ask")).body["pricebooks"][0]["bids"][0]["price"])
    for i in range(60):
        body = {
            "client_order_id": f"b-{i}",
            "product_id": "BTC-USD",
            "side": "BUY",
            "order_configuration": {
                "limit_limit_gtc": {"base_size": "0.0001", "limit_price": str(bid - 100 - i)}
            },
        }
        assert (await coinbase.post("/orders", body)).body["success"] is True
        await asyncio.sleep(0.035)  # stay under 30 private requests a second
    async with aiohttp.ClientSession() as s, s.ws_connect(v.urls["ws_user"]) as ws:
        await ws.send_str(sub("user", ["BTC-USD"], cdp_jwt(v.api_key, v.secret, None)))
        first, second = await recv(ws), await recv(ws)
        sizes = [len(m["events"][0]["orders"]) for m in (first, second)]
        assert sizes == [50, 10]
        assert [m["sequence_num"] for m in (first, second)] == [0, 1]
        assert (await recv(ws))["channel"] == "subscriptions"


async def test_candles_channel_and_unsubscribe(coinbase_live: Venue) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_live.urls["ws"]) as ws:
        await asyncio.sleep(0.5)  # let the noise taker print some trades
        await ws.send_str(sub("candles", ["BTC-USD"]))
        snap = await until(ws, lambda m: m["channel"] == "candles")
        assert snap["events"][0]["type"] == "snapshot"
        update = await until(ws, lambda m: m["channel"] == "candles", timeout=3)
        row = update["events"][0]["candles"][0]
        assert update["events"][0]["type"] == "update"
        assert set(row) == {"start", "high", "low", "open", "close", "volume", "product_id"}
        assert int(row["start"]) % 300 == 0  # five-minute buckets
        await ws.send_str(sub("level2", ["BTC-USD"]))
        await until(ws, lambda m: m["channel"] == "subscriptions" and "level2" in str(m["events"]))
        await ws.send_str(
            json.dumps({"type": "unsubscribe", "product_ids": ["BTC-USD"], "channel": "level2"})
        )
        confirm = await until(ws, lambda m: m["channel"] == "subscriptions")
        assert confirm["events"][0]["subscriptions"] == {"candles": ["BTC-USD"]}
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            msg = await recv(ws)
            assert msg["channel"] != "l2_data"


async def test_usdc_products_are_served_as_usd_on_public_channels(coinbase_live: Venue) -> None:
    """ "Other channels will return the same data as the corresponding -USD based products"."""
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_live.urls["ws"]) as ws:
        await ws.send_str(sub("level2", ["BTC-USDC"]))
        snap = await until(ws, lambda m: m["channel"] == "l2_data")
        assert snap["events"][0]["product_id"] == "BTC-USD"
        confirm = await until(ws, lambda m: m["channel"] == "subscriptions")
        assert confirm["events"][0]["subscriptions"]["level2"] == ["BTC-USD"]


async def test_unauthenticated_messages_are_limited_per_ip(coinbase_venue: Venue) -> None:
    """8 unauthenticated messages a second per IP; messages with a JWT do not count."""
    async with aiohttp.ClientSession() as s, s.ws_connect(coinbase_venue.urls["ws"]) as ws:
        for _ in range(17):  # over 8 in one second even if they straddle two
            await ws.send_str(sub("heartbeats", []))
        refused = await until(ws, lambda m: m.get("type") == "error")
        assert refused["message"] == "rate limit exceeded"

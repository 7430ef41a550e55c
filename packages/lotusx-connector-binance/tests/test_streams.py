"""Binance WS dialect: SUBSCRIBE messages, envelope routing, book sync rules, merging."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import msgspec
import pytest

from lotusx.connectors.binance.endpoints import Venue
from lotusx.connectors.binance.streams import (
    MarketProtocol,
    UserDataProtocol,
    book_policy,
    depth_channel,
    merge,
    snapshot_too_old,
    to_delta,
    trade_channel,
)
from lotusx.connectors.binance.wire import DepthEventWire
from lotusx.core.book import BookSync, L2Book, SyncResult
from lotusx.core.types import Symbol

decode_depth = msgspec.json.Decoder(DepthEventWire).decode


def test_subscribe_messages_and_channel_names() -> None:
    protocol = MarketProtocol()
    (sub,) = protocol.subscribe_messages(["btcusdt@depth@100ms", "btcusdt@trade"])
    assert json.loads(sub) == {
        "method": "SUBSCRIBE",
        "params": ["btcusdt@depth@100ms", "btcusdt@trade"],
        "id": 1,
    }
    (unsub,) = protocol.unsubscribe_messages(["btcusdt@trade"])
    assert json.loads(unsub)["method"] == "UNSUBSCRIBE" and json.loads(unsub)["id"] == 2
    assert len(protocol.subscribe_messages([f"s{i}@trade" for i in range(450)])) == 3
    assert depth_channel("BTCUSDT") == "btcusdt@depth@100ms"
    assert trade_channel("BTCUSDT", Venue.FUTURES) == "btcusdt@aggTrade"


def test_routing_by_stream_field() -> None:
    protocol = MarketProtocol()
    frame = b'{"stream":"bnbbtc@depth@100ms","data":{"e":"depthUpdate","U":1,"u":2,"b":[],"a":[]}}'
    routed = protocol.route(frame)
    assert routed is not None
    channel, payload = routed
    assert channel == "bnbbtc@depth@100ms"
    assert decode_depth(payload).u == 2
    assert protocol.route(b'{"result":null,"id":1}') is None
    assert protocol.route(b'{"code":2,"msg":"Invalid request","id":3}') is None
    user = UserDataProtocol()
    event = b'{"e":"executionReport","E":1}'
    assert user.route(event) == ("executionReport", event)
    assert user.subscribe_messages(["executionReport"]) == []


def _depth(first: int, last: int, prev: int | None = None, bid: str = "10") -> DepthEventWire:
    body = {"e": "depthUpdate", "E": 1, "U": first, "u": last, "b": [[bid, "1"]], "a": []}
    if prev is not None:
        body["pu"] = prev
    return decode_depth(json.dumps(body).encode())


def _sync(venue: Venue) -> BookSync:
    return BookSync(L2Book(Symbol("BNB", "BTC"), 2), book_policy(venue))


def test_spot_sync_procedure() -> None:
    sync = _sync(Venue.SPOT)
    # buffered before the snapshot; the first one is older than it, the second straddles it
    assert sync.on_delta(to_delta(_depth(150, 155))) is SyncResult.BUFFERED
    assert sync.on_delta(to_delta(_depth(156, 161, bid="11"))) is SyncResult.BUFFERED
    assert not snapshot_too_old(157, first_buffered_u=150)
    assert sync.on_snapshot([("9", "1")], [("12", "1")], 157) is SyncResult.APPLIED
    assert sync.live and sync.book.sequence == 161
    assert sync.on_delta(to_delta(_depth(162, 165))) is SyncResult.APPLIED
    assert sync.on_delta(to_delta(_depth(160, 164))) is SyncResult.SKIPPED
    assert sync.on_delta(to_delta(_depth(167, 170))) is SyncResult.RESYNC  # 166 is missing
    assert not sync.live
    assert snapshot_too_old(100, first_buffered_u=101)


def test_futures_sync_procedure_uses_pu() -> None:
    sync = _sync(Venue.FUTURES)
    sync.on_delta(to_delta(_depth(100, 110, prev=99)))
    sync.on_delta(to_delta(_depth(111, 120, prev=110)))
    assert sync.on_snapshot([("9", "1")], [("12", "1")], 115) is SyncResult.APPLIED
    assert sync.book.sequence == 120
    assert sync.on_delta(to_delta(_depth(125, 130, prev=120))) is SyncResult.APPLIED  # ids may jump
    assert sync.on_delta(to_delta(_depth(135, 140, prev=131))) is SyncResult.RESYNC


async def _numbers(*values: int) -> AsyncIterator[int]:
    for value in values:
        yield value


async def _failing() -> AsyncIterator[int]:
    yield 1
    raise RuntimeError("boom")


async def test_merge_interleaves_and_propagates_errors() -> None:
    assert sorted([v async for v in merge(_numbers(1, 3), _numbers(2, 4))]) == [1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="boom"):
        async for _ in merge(_failing(), _numbers(5)):
            pass


async def _forever(value: int) -> AsyncIterator[int]:
    while True:
        yield value


async def test_merge_closes_while_sources_still_produce() -> None:
    merged = merge(_forever(1), _forever(2))
    assert await anext(merged) in (1, 2)
    await asyncio.wait_for(merged.aclose(), 1.0)  # type: ignore[attr-defined]

"""The level2 book, and the per-connection ``sequence_num`` rule that guards it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest

from lotusx.connectors.coinbase.streams import (
    CoinbaseBook,
    CoinbaseProtocol,
    SequenceGap,
    channel_of,
    public_product,
)
from lotusx.core.book import L2Book, SyncResult
from lotusx.core.types import Symbol

BTC_USD = Symbol("BTC", "USD")


def l2(seq: int, kind: str, updates: list[tuple[str, str, str]], pid: str = "BTC-USD") -> bytes:
    return msgspec.json.encode(
        {
            "channel": "l2_data",
            "client_id": "",
            "timestamp": "2023-02-09T20:32:50.714964855Z",
            "sequence_num": seq,
            "events": [
                {
                    "type": kind,
                    "product_id": pid,
                    "updates": [
                        {
                            "side": s,
                            "event_time": "2023-02-09T20:32:50.7Z",
                            "price_level": p,
                            "new_quantity": q,
                        }
                        for s, p, q in updates
                    ],
                }
            ],
        }
    )


SNAPSHOT = [("bid", "100.00", "1"), ("bid", "99.00", "2"), ("offer", "101.00", "3")]


def book() -> CoinbaseBook:
    return CoinbaseBook(L2Book(BTC_USD, 2), None)


def test_snapshot_then_absolute_updates() -> None:
    state = book()
    assert state.on_frame(l2(1, "snapshot", SNAPSHOT)) is SyncResult.APPLIED
    assert state.on_frame(l2(2, "update", [("bid", "99.00", "0"), ("offer", "101.00", "5")]))
    snap = state.snapshot(10)
    assert [(lv.price, lv.quantity) for lv in snap.bids] == [(Decimal(100), Decimal(1))]
    assert [(lv.price, lv.quantity) for lv in snap.asks] == [(Decimal(101), Decimal(5))]
    assert snap.sequence == 2 and snap.timestamp == 1675974770714


def test_updates_before_the_snapshot_are_dropped() -> None:
    state = book()
    assert state.on_frame(l2(1, "update", [("bid", "98.00", "1")])) is SyncResult.SKIPPED
    state.on_frame(l2(2, "snapshot", SNAPSHOT))
    assert [lv.price for lv in state.snapshot(10).bids] == [Decimal(100), Decimal(99)]


def test_crossed_or_malformed_book_resyncs() -> None:
    state = book()
    state.on_frame(l2(1, "snapshot", SNAPSHOT))
    assert state.on_frame(l2(2, "update", [("bid", "102.00", "1")])) is SyncResult.RESYNC
    assert not state.live
    state.on_frame(l2(3, "snapshot", SNAPSHOT))
    assert state.on_frame(l2(4, "update", [("bid", "abc", "1")])) is SyncResult.RESYNC
    state.on_frame(l2(5, "snapshot", SNAPSHOT))
    assert state.on_frame(b'{"channel":"l2_data"}') is SyncResult.RESYNC
    state.on_frame(l2(6, "snapshot", SNAPSHOT))
    assert state.on_frame(l2(7, "update", [("middle", "100.00", "1")])) is SyncResult.RESYNC


# ----------------------------------------------------------------------------- protocol


def test_routing_and_sequence_gap() -> None:
    protocol = CoinbaseProtocol()
    assert protocol.route(l2(0, "snapshot", SNAPSHOT)) == (
        "level2:BTC-USD",
        l2(0, "snapshot", SNAPSHOT),
    )
    heartbeat = b'{"channel":"heartbeats","sequence_num":1,"events":[{"heartbeat_counter":3}]}'
    assert protocol.route(heartbeat) is None
    assert protocol.route(l2(2, "update", [])) is not None
    with pytest.raises(SequenceGap):
        protocol.route(l2(4, "update", []))  # 3 was lost
    assert isinstance(SequenceGap("x"), ValueError)  # the session resets and resubscribes
    assert protocol.route(l2(5, "update", [])) is not None  # counting resumes from the gap


def test_out_of_order_numbers_are_ignored_and_a_malformed_frame_restarts_counting() -> None:
    """A number at or below the last one "can be ignored" (out of order): dropped, the last
    number kept, no reset. After a frame that does not decode, the next number is no gap."""
    protocol = CoinbaseProtocol()
    assert protocol.route(l2(5, "update", [])) is not None
    assert protocol.route(l2(6, "update", [])) is not None
    assert protocol.route(l2(4, "update", [])) is None  # late: ignored
    assert protocol.route(l2(6, "update", [])) is None  # repeated: ignored
    assert protocol.last_sequence == 6 and protocol.gaps == 0
    assert protocol.route(l2(7, "update", [])) is not None  # no gap
    with pytest.raises(msgspec.DecodeError):
        protocol.route(b'{"channel":"l2_data","sequence_num":8,"ev')  # cut: number unknown
    assert protocol.route(l2(9, "update", [])) is not None  # no second reset
    assert protocol.gaps == 0


def test_gap_resets_the_book_through_the_session() -> None:
    """A gap is a Reset to the consumer (the session's rule for a refused frame); the book is
    rebuilt from the snapshot the resubscription brings."""
    state = book()
    state.on_frame(l2(1, "snapshot", SNAPSHOT))
    assert state.reset("malformed_frame") is SyncResult.RESYNC
    assert state.on_frame(l2(9, "update", [("bid", "98.00", "1")])) is SyncResult.SKIPPED
    state.on_frame(l2(10, "snapshot", SNAPSHOT))
    assert state.live and state.snapshot(1).bids[0].price == Decimal(100)


def test_trades_and_user_routing() -> None:
    protocol = CoinbaseProtocol()
    trades = (
        b'{"channel":"market_trades","sequence_num":0,"events":[{"type":"update","trades":'
        b'[{"trade_id":"1","product_id":"ETH-USD","price":"1","size":"1","side":"BUY",'
        b'"time":"2019-08-14T20:42:27.265Z"}]}]}'
    )
    assert protocol.route(trades) == ("market_trades:ETH-USD", trades)
    user = b'{"channel":"user","sequence_num":1,"events":[]}'
    assert protocol.route(user) == ("user", user)
    error = b'{"type":"error","message":"failure to subscribe"}'
    assert protocol.route(error) is None


def test_subscribe_messages_and_confirmations() -> None:
    jwt_calls: list[int] = []

    def jwt() -> str:
        jwt_calls.append(1)
        return "token"

    protocol = CoinbaseProtocol(jwt=jwt)
    (message,) = protocol.subscribe_messages([channel_of("level2", "BTC-USD")])
    assert msgspec.json.decode(message) == {
        "type": "subscribe",
        "channel": "level2",
        "product_ids": ["BTC-USD"],
        "jwt": "token",
    }
    (user,) = protocol.unsubscribe_messages(["user"])
    assert msgspec.json.decode(user) == {"type": "unsubscribe", "channel": "user", "jwt": "token"}
    assert len(jwt_calls) == 2  # a fresh token per message
    ack = (
        b'{"channel":"subscriptions","sequence_num":3,"events":[{"subscriptions":'
        b'{"level2":["BTC-USD"],"user":["u1"],"heartbeats":["heartbeats"]}}]}'
    )
    assert set(protocol.confirmed(ack)) == {"level2:BTC-USD", "user", "heartbeats:heartbeats"}


async def test_on_connect_subscribes_heartbeats_and_restarts_counting() -> None:
    sent: list[Any] = []

    class Conn:
        async def send(self, message: str) -> None:
            sent.append(msgspec.json.decode(message))

        async def receive(self, timeout: float) -> bytes:
            raise AssertionError

    protocol = CoinbaseProtocol()
    protocol.route(l2(41, "update", []))
    await protocol.on_connect(Conn())
    assert sent == [{"type": "subscribe", "channel": "heartbeats"}]
    assert protocol.route(l2(0, "snapshot", SNAPSHOT)) is not None  # no gap on a new connection


def test_the_book_ignores_events_of_other_products() -> None:
    state = CoinbaseBook(L2Book(BTC_USD, 2), None, "BTC-USD")
    state.on_frame(l2(1, "snapshot", SNAPSHOT))
    other = msgspec.json.decode(l2(2, "update", [("bid", "100.50", "9")], pid="ETH-USD"))
    mine = msgspec.json.decode(l2(2, "update", [("bid", "98.00", "4")]))
    both = {**mine, "events": other["events"] + mine["events"]}
    state.on_frame(msgspec.json.encode(both))
    bids = state.snapshot(10).bids
    assert [b.price for b in bids] == [Decimal(100), Decimal(99), Decimal(98)]


def test_usdc_products_use_the_usd_public_channels() -> None:
    """-USDC data on public channels is the -USD product's (USDT-USDC, EURC-USDC excepted)."""
    assert public_product("BTC-USDC") == "BTC-USD"
    assert public_product("BTC-USD") == "BTC-USD"
    assert public_product("USDT-USDC") == "USDT-USDC"
    assert public_product("EURC-USDC") == "EURC-USDC"

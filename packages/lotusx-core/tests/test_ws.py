import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence

import msgspec
import pytest
from aiohttp import WSMsgType, web

from lotusx.core.book import BookSync, Delta, L2Book, PrevIdSequence, SyncResult
from lotusx.core.errors import StreamOverflow
from lotusx.core.observability import WS_MESSAGES
from lotusx.core.transport.ws import (
    Heartbeat,
    HeartbeatKind,
    Overflow,
    Reset,
    Subscription,
    WsConnection,
    WsSession,
)
from lotusx.core.types import Symbol

from .conftest import serve


class Envelope(msgspec.Struct):
    ch: str
    data: msgspec.Raw


class BookMsg(msgspec.Struct):
    type: str
    seq: int
    prev: int
    bids: list[tuple[str, str]]


class ToyProtocol:
    heartbeat = Heartbeat(HeartbeatKind.CLIENT_MESSAGE, interval=0.05, message="ping")
    _decoder = msgspec.json.Decoder(Envelope)

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return [json.dumps({"op": "sub", "ch": ch}) for ch in channels]

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return [json.dumps({"op": "unsub", "ch": ch}) for ch in channels]

    def route(self, frame: bytes) -> tuple[str, msgspec.Raw] | None:
        if frame == b"pong":
            return None
        env = self._decoder.decode(frame)
        return env.ch, env.data

    async def on_connect(self, connection: WsConnection) -> None:
        await connection.send("hello")
        assert await connection.receive(1.0) == b"welcome"


class Venue:
    """A feed whose true book is a counter of levels; it misbehaves on a script."""

    def __init__(self) -> None:
        self.seq = 0
        self.levels: dict[str, str] = {}
        self.subscribes = 0
        self.pings = 0
        self.connections = 0

    def step(self) -> tuple[int, int, list[tuple[str, str]]]:
        prev = self.seq
        self.seq += 1
        price = f"{100 + self.seq % 7}.00"
        qty = str(self.seq % 3)
        if qty == "0":
            self.levels.pop(price, None)
        else:
            self.levels[price] = qty
        return prev, self.seq, [(price, qty)]

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        first = await ws.receive()
        assert first.data == "hello"
        await ws.send_str("welcome")
        connection = self.connections
        sent = 0
        subscribed = False
        while not ws.closed:
            try:
                msg = await ws.receive(timeout=0.01)
            except TimeoutError:
                msg = None
            if msg is not None:
                if msg.type is not WSMsgType.TEXT:
                    break
                if msg.data == "ping":
                    self.pings += 1
                    await ws.send_str("pong")
                    continue
                op = json.loads(msg.data)
                if op["op"] == "sub":
                    self.subscribes += 1
                    subscribed = True
                    snap = {
                        "type": "snapshot",
                        "seq": self.seq,
                        "prev": -1,
                        "bids": sorted(self.levels.items()),
                    }
                    await ws.send_str(json.dumps({"ch": "book", "data": snap}))
                continue
            if not subscribed:
                continue
            prev, seq, bids = self.step()
            sent += 1
            if connection == 1 and sent == 20:
                continue  # a skipped sequence number: the message is lost
            if connection == 1 and sent == 30:
                await ws.send_str('{"ch": "book", "data": {"type": "upd')  # malformed
                continue
            if connection == 1 and sent == 45:
                await ws.close()  # the venue drops us
                break
            delta = {"type": "update", "seq": seq, "prev": prev, "bids": bids}
            await ws.send_str(json.dumps({"ch": "book", "data": delta}))
        return ws


async def test_session_survives_drops_gaps_and_garbage() -> None:
    venue = Venue()
    async with serve(lambda app: app.router.add_get("/ws", venue.handler)) as url:
        session = WsSession(
            "toy",
            url.replace("http", "ws") + "/ws",
            ToyProtocol(),
            stale_after=2.0,
            backoff_base=0.01,
        )
        sub = await session.subscribe("book")
        sync = BookSync(L2Book(Symbol.parse("BTC/USDT"), 2), PrevIdSequence())
        decoder = msgspec.json.Decoder(BookMsg)
        resets: list[str] = []
        applied_after_reconnect = 0
        async for item in sub:
            if isinstance(item, Reset):
                resets.append(item.reason)
                sync.reset(item.reason)
                continue
            msg = decoder.decode(item)
            if msg.type == "snapshot":
                sync.on_snapshot(msg.bids, [], msg.seq)
                continue
            result = sync.on_delta(Delta(msg.seq, msg.seq, msg.bids, [], prev=msg.prev))
            if result is SyncResult.RESYNC:
                await sub.resubscribe()
            if result is SyncResult.APPLIED:
                # The consumer may only ever read a book that equals the venue's at that seq.
                if session.reconnects:
                    applied_after_reconnect += 1
                if applied_after_reconnect >= 20:
                    break
        truth_seq = sync.book.sequence
        assert sync.live
        assert dict(sync.book.bid_levels()) == _replay(truth_seq)
        await session.close()
    assert session.reconnects >= 1 and venue.connections >= 2
    assert session.malformed == 1
    assert venue.subscribes >= 3  # first, after the gap (resubscribe), after the reconnect
    assert sync.resyncs >= 2 and "closed" in resets
    assert venue.pings > 0


def _replay(seq: int) -> dict[str, str]:
    twin = Venue()
    while twin.seq < seq:
        twin.step()
    return twin.levels


def _subscription(policy: Overflow) -> Subscription:
    session = WsSession("toy", "ws://127.0.0.1:9", ToyProtocol())
    return Subscription(session, "ch", policy, size=3)


async def test_overflow_policies() -> None:
    drop = _subscription(Overflow.DROP_OLDEST)
    for i in range(5):
        drop._deliver(b"%d" % i)
    assert [await drop.__anext__() for _ in range(3)] == [b"2", b"3", b"4"]
    assert drop.dropped == 2
    fresh = _subscription(Overflow.RESET)
    for i in range(4):
        fresh._deliver(b"%d" % i)
    first = await fresh.__anext__()
    assert isinstance(first, Reset) and first.reason == "overflow"
    strict = _subscription(Overflow.RAISE)
    for i in range(4):
        strict._deliver(b"%d" % i)
    with pytest.raises(StreamOverflow):
        await strict.__anext__()


class QuietProtocol(ToyProtocol):
    """No client heartbeat and no login: liveness is whatever the server sends."""

    heartbeat = Heartbeat(HeartbeatKind.SERVER_PING)

    async def on_connect(self, connection: WsConnection) -> None:
        return None


PONGS: list[bytes] = []


def _feed(send_pings: bool, frames: int = 0) -> Callable[[web.Request], Awaitable[object]]:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        for i in range(frames):
            await ws.send_str(json.dumps({"ch": "book", "data": {"i": i}}))
        while not ws.closed:
            if send_pings:
                await ws.ping(b"x")
            try:
                msg = await ws.receive(timeout=0.1)
            except TimeoutError:
                continue
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                break
            if msg.type is WSMsgType.PONG:
                PONGS.append(bytes(msg.data))
        return ws

    return handler


@pytest.mark.parametrize("send_pings", [False, True])
async def test_stale_feed_reconnects_and_server_pings_count_as_life(send_pings: bool) -> None:
    async with serve(lambda app: app.router.add_get("/ws", _feed(send_pings))) as url:
        session = WsSession(
            "toy", url.replace("http", "ws") + "/ws", QuietProtocol(), stale_after=0.4
        )
        sub = await session.subscribe("book")
        try:
            await session.wait_connected()
            if send_pings:
                PONGS.clear()
                await asyncio.sleep(1.5)  # well past stale_after: the pings keep it open
                assert session.reconnects == 0
                assert PONGS and set(PONGS) == {b"x"}, PONGS  # and each was answered
            else:
                item = await asyncio.wait_for(sub.__anext__(), 5)
                assert isinstance(item, Reset) and item.reason == "stale"
                assert session.reconnects == 1
                # The gap starts when the feed went quiet, not when that was noticed.
                assert time.time_ns() // 1_000_000 - item.since >= 350
        finally:
            await session.close()


async def test_frame_counts_reach_the_metric_when_the_session_closes() -> None:
    counter = WS_MESSAGES.labels("toy", "counted")
    before = counter._value.get()
    async with serve(lambda app: app.router.add_get("/ws", _feed(False, frames=7))) as url:
        session = WsSession("toy", url.replace("http", "ws") + "/ws", QuietProtocol())
        sub = await session.subscribe("counted")
        session.protocol = _RenamedChannel("counted")
        got = [await asyncio.wait_for(sub.__anext__(), 5) for _ in range(7)]
        assert len(got) == 7 and sub.received == 7
        await session.close()
    assert counter._value.get() - before == 7


class _RenamedChannel(QuietProtocol):
    def __init__(self, channel: str) -> None:
        self.channel = channel

    def route(self, frame: bytes) -> tuple[str, msgspec.Raw] | None:
        routed = super().route(frame)
        return None if routed is None else (self.channel, routed[1])


async def test_resumed_waits_for_the_connection_and_merges_the_resets_queued_meanwhile() -> None:
    session = WsSession("toy", "ws://127.0.0.1:9", ToyProtocol())
    sub = Subscription(session, "ch", Overflow.RAISE, size=10)
    for reset in (Reset("closed", 500), Reset("error", 300), Reset("error", 0)):
        sub._deliver(reset)
    sub._deliver(b"after")
    assert await sub.__anext__() == Reset("closed", 500)
    waiting = asyncio.create_task(sub.resumed())
    await asyncio.sleep(0.02)
    assert not waiting.done()  # still reconnecting
    session._connected.set()
    assert await asyncio.wait_for(waiting, 1) == Reset("error", 300)  # the earliest known
    assert await sub.__anext__() == b"after"  # one outage: one gap


async def test_resumed_gives_up_when_the_subscription_ends_during_the_outage() -> None:
    session = WsSession("toy", "ws://127.0.0.1:9", ToyProtocol())
    sub = Subscription(session, "ch", Overflow.RAISE, size=10)
    waiting = asyncio.create_task(sub.resumed())
    await asyncio.sleep(0.02)
    sub._finish()  # the session closed: no reconnect is coming
    assert await asyncio.wait_for(waiting, 1) is None


async def test_a_subscription_has_one_reader() -> None:
    sub = _subscription(Overflow.RAISE)
    first = asyncio.create_task(sub.__anext__())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="one reader"):
        await sub.__anext__()
    sub._deliver(b"x")
    assert await first == b"x"


class ConfirmingProtocol(ToyProtocol):
    def confirmed(self, frame: bytes) -> list[str]:
        return [frame[len(b"ack:") :].decode()] if frame.startswith(b"ack:") else []


async def test_resumed_waits_for_the_venue_to_acknowledge_the_channel() -> None:
    session = WsSession("toy", "ws://127.0.0.1:9", ConfirmingProtocol())
    sub = Subscription(session, "ch", Overflow.RAISE, size=10)
    session._connected.set()
    waiting = asyncio.create_task(sub.resumed())
    await asyncio.sleep(0.02)
    session._note_confirmations(b"ack:other")
    await asyncio.sleep(0.02)
    assert not waiting.done()  # connected, but this channel is not live yet
    session._note_confirmations(b"ack:ch")
    assert await asyncio.wait_for(waiting, 1) == Reset("resumed")
    # A venue that never answers does not hold the stream forever.
    assert await session.wait_subscribed("never", timeout=0.05) is False
    assert await WsSession("toy", "ws://127.0.0.1:9", ToyProtocol()).wait_subscribed("x") is True

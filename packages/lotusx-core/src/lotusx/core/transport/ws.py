"""`WsSession`: one managed WebSocket connection carrying many subscriptions.

The session connects (the URL may be computed per attempt, e.g. a fresh Binance listen key),
runs the exchange's `WsProtocol` hooks (login, subscribe messages, heartbeat), routes every frame
to its `Subscription`, and survives the venue: on a drop, a stale feed (no frame for
``stale_after`` seconds) or a failed heartbeat it reconnects with exponential backoff and full
jitter, logs in again and resubscribes everything. Each subscription is told of the break with a
`Reset` item so that stateful consumers (order books) resynchronise instead of silently
continuing across a hole.

A frame that cannot be parsed is lost data: every subscription of the connection gets a `Reset`.

Queues are bounded. When a consumer falls behind, its subscription's `Overflow` policy applies:
``RESET`` (drop the backlog and deliver a `Reset`: right for books, which resync), ``DROP_OLDEST``
(keep the newest: right for tickers and mark prices; counted), or ``RAISE`` (the consumer's next
read raises `StreamOverflow`: right for orders and fills, where a loss must be seen).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Literal, Protocol, cast

import aiohttp
import msgspec
from opentelemetry.trace import Span

from lotusx.core.errors import StreamOverflow
from lotusx.core.observability import WS_CONNECTED, WS_MESSAGES, WS_RECONNECTS, get_logger, tracer

__all__ = [
    "SUBSCRIBE_ACK_TIMEOUT",
    "ConfirmsSubscriptions",
    "Frame",
    "Heartbeat",
    "HeartbeatKind",
    "Overflow",
    "Reset",
    "Subscription",
    "WsConnection",
    "WsProtocol",
    "WsSession",
]

Frame = bytes
"""A received text or binary frame, as bytes."""


class HeartbeatKind(StrEnum):
    SERVER_PING = "server_ping"  # the server pings; the session answers with pong frames
    CLIENT_FRAME = "client_frame"  # we send WS ping frames every interval
    CLIENT_MESSAGE = "client_message"  # we send an application message ("ping", {"op":"ping"})


class Heartbeat(msgspec.Struct, frozen=True):
    kind: HeartbeatKind = HeartbeatKind.SERVER_PING
    interval: float = 20.0
    message: str = ""


class Overflow(StrEnum):
    RESET = "reset"
    DROP_OLDEST = "drop_oldest"
    RAISE = "raise"


class Reset(msgspec.Struct, frozen=True):
    """The stream broke (reconnect, overflow, resubscribe): state built on it is invalid.

    ``since``: when the connection last showed life (ms, local clock; 0 when not known), so
    that what was missed can be asked for from then (a stale feed is noticed long after).
    """

    reason: str
    since: int = 0


class WsConnection(Protocol):
    """What a protocol's login hook may do with the live connection."""

    async def send(self, message: str) -> None: ...

    async def receive(self, timeout: float) -> Frame: ...


class WsProtocol(Protocol):
    """An exchange's WebSocket dialect, implemented in the connector's ``streams.py``."""

    heartbeat: Heartbeat

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        """Messages that subscribe ``channels`` (empty when the URL already selects them)."""

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        """Messages that unsubscribe ``channels``."""

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        """The channel a data frame belongs to and its payload; None for control frames."""

    async def on_connect(self, connection: WsConnection) -> None:
        """Run after connecting, before subscribing (log in for private streams)."""


class ConfirmsSubscriptions(Protocol):
    """A `WsProtocol` whose venue acknowledges subscriptions (OKX, Bybit): the session then
    knows when a channel is live, not only that its subscribe message was sent."""

    def confirmed(self, frame: Frame) -> Sequence[str]:
        """The channels a control frame confirms as subscribed (empty for other frames)."""


SUBSCRIBE_ACK_TIMEOUT = 5.0
"""How long `WsSession.wait_subscribed` waits for an acknowledgement before going on."""

_Socket = aiohttp.ClientWebSocketResponse[Literal[False]]
"""A client socket that hands text frames over undecoded (``decode_text=False``)."""

_END = object()
_CLOSING = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)


class Subscription:
    """A channel's items as an async iterator: payloads, and `Reset` markers.

    The queue is a deque with one waiter rather than an `asyncio.Queue`: the reader only appends
    and the consumer pops without suspending while items are there, which is most of the cost
    of a busy stream. Frames are counted in a plain integer that `WsSession` flushes into the
    ``lotusx_ws_messages`` counter on its watchdog tick and on close.
    """

    def __init__(self, session: WsSession, channel: str, overflow: Overflow, size: int) -> None:
        self.session = session
        self.channel = channel
        self.overflow = overflow
        self.maxsize = size
        self.dropped = 0
        self.received = 0
        self._counted = 0
        self._items: deque[object] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._ended = asyncio.Event()
        self._failed: BaseException | None = None
        self._counter = WS_MESSAGES.labels(session.exchange, channel.split("@")[-1][:40])

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _deliver(self, item: object) -> None:
        items = self._items
        if len(items) < self.maxsize:
            items.append(item)
            self._wake()
            return
        self.dropped += 1
        if self.overflow is Overflow.DROP_OLDEST:
            items.popleft()
            items.append(item)
            return
        items.clear()
        if self.overflow is Overflow.RESET:
            items.append(Reset("overflow"))
        else:
            self._failed = StreamOverflow(
                f"{self.session.exchange} {self.channel}: consumer fell {self.maxsize} "
                "messages behind"
            )
            items.append(_END)
        self._wake()

    def _flush_count(self) -> None:
        """Add the frames received since the last flush to the Prometheus counter."""
        fresh = self.received - self._counted
        if fresh:
            self._counted = self.received
            self._counter.inc(fresh)

    @property
    def pending(self) -> int:
        """Items received and not yet read (a consumer may conflate while this is non-zero)."""
        return len(self._items)

    def _finish(self) -> None:
        self._ended.set()
        self._flush_count()
        self._items.append(_END)
        self._wake()

    def __aiter__(self) -> AsyncIterator[msgspec.Raw | bytes | Reset]:
        return self

    async def __anext__(self) -> msgspec.Raw | bytes | Reset:
        items = self._items
        while not items:
            if self._waiter is not None and not self._waiter.done():
                raise RuntimeError(f"{self.channel}: a subscription has one reader at a time")
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter
        item = items.popleft()
        if item is _END:
            items.appendleft(_END)  # every later read ends too
            if self._failed is not None:
                raise self._failed
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    async def resumed(self) -> Reset | None:
        """After a `Reset` was read: wait until the connection is back, and take any further
        `Reset`s already queued behind it (one outage, one gap). Returns the merged `Reset`
        (the earliest ``since``), or None when the subscription ended meanwhile."""
        connected = asyncio.ensure_future(self.session.wait_connected(None))
        ended = asyncio.ensure_future(self._ended.wait())
        try:
            await asyncio.wait((connected, ended), return_when=asyncio.FIRST_COMPLETED)
        finally:
            connected.cancel()
            ended.cancel()
        if self._ended.is_set():
            return None
        await self.session.wait_subscribed(self.channel)
        merged: list[Reset] = []
        items = self._items
        while items and isinstance(items[0], Reset):
            merged.append(items.popleft())  # type: ignore[arg-type]
        return min(merged, key=lambda r: r.since or 1 << 62) if merged else Reset("resumed")

    async def resubscribe(self) -> None:
        """Unsubscribe and subscribe again (a fresh snapshot on exchanges that send one)."""
        await self.session.resubscribe(self.channel)

    async def close(self) -> None:
        await self.session.unsubscribe(self)


class WsSession:
    """A self-healing WebSocket connection shared by many subscriptions."""

    def __init__(
        self,
        exchange: str,
        url: str | Callable[[], Awaitable[str]],
        protocol: WsProtocol,
        *,
        name: str = "public",
        stale_after: float | None = 30.0,
        queue_size: int = 10_000,
        backoff_base: float = 0.2,
        backoff_max: float = 10.0,
        connect_timeout: float = 10.0,
        max_message_size: int = 16 * 1024 * 1024,
    ) -> None:
        self.exchange = exchange
        self.name = name
        self.protocol = protocol
        self.stale_after = stale_after
        self.reconnects = 0
        self.malformed = 0
        self._frames = 0  # frames read, ping/pong included: the watchdog's sign of life
        self._alive_ms = 0  # when frames were last seen arriving (wall clock, ~1 s precision)
        self._url = url
        self._queue_size = queue_size
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._connect_timeout = connect_timeout
        self._max_message_size = max_message_size
        self._subs: dict[str, list[Subscription]] = {}
        self._confirms = cast(
            "Callable[[Frame], Sequence[str]] | None", getattr(protocol, "confirmed", None)
        )
        self._confirmed: set[str] = set()  # channels acknowledged on the current connection
        self._confirmation = asyncio.Event()  # set on each acknowledgement
        self._ws: _Socket | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._closing = False
        self._log = get_logger(exchange).bind(ws=name)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_subscribed(self, channel: str, timeout: float = SUBSCRIBE_ACK_TIMEOUT) -> bool:
        """Until the venue acknowledged ``channel`` on the current connection (True), or
        ``timeout`` passed (False). Immediate for venues that acknowledge nothing."""
        if self._confirms is None:
            return True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while channel not in self._confirmed:
            self._confirmation.clear()
            left = deadline - loop.time()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self._confirmation.wait(), left)
            except TimeoutError:
                return False
        return True

    async def wait_connected(self, timeout: float | None = 10.0) -> None:
        """Until the connection is up (logged in, subscriptions sent); ``None``: no limit."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def subscribe(
        self, channel: str, *, overflow: Overflow = Overflow.RESET, queue_size: int | None = None
    ) -> Subscription:
        """Subscribe to ``channel`` (starting the connection on first use)."""
        sub = Subscription(self, channel, overflow, queue_size or self._queue_size)
        first = channel not in self._subs
        self._subs.setdefault(channel, []).append(sub)
        if self._task is None:
            self._closing = False
            self._task = asyncio.create_task(self._run(), name=f"lotusx-ws-{self.exchange}")
        elif first and self._ws is not None and not self._ws.closed:
            await self._send_all(self.protocol.subscribe_messages([channel]))
        return sub

    async def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.channel, [])
        if sub in subs:
            subs.remove(sub)
            sub._finish()
        if not subs and sub.channel in self._subs:
            del self._subs[sub.channel]
            if self._ws is not None and not self._ws.closed:
                with contextlib.suppress(Exception):
                    await self._send_all(self.protocol.unsubscribe_messages([sub.channel]))
        if not self._subs:
            await self.close()

    async def resubscribe(self, channel: str) -> None:
        if self._ws is None or self._ws.closed:
            return
        self._confirmed.discard(channel)
        await self._send_all(self.protocol.unsubscribe_messages([channel]))
        await self._send_all(self.protocol.subscribe_messages([channel]))

    async def close(self) -> None:
        """Close the connection and end every subscription."""
        self._closing = True
        task, self._task = self._task, None
        if self._ws is not None:
            await self._ws.close()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subs in self._subs.values():
            for sub in subs:
                sub._finish()
        self._subs.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def drop(self) -> None:
        """Close the current connection as if the venue had dropped it (it reconnects)."""
        if self._ws is not None:
            await self._ws.close()

    def _stopping(self) -> bool:
        return self._closing

    async def _send_all(self, messages: Sequence[str]) -> None:
        ws = self._ws
        if ws is None:
            return
        for message in messages:
            await ws.send_str(message)

    def _reset_all(self, reason: str) -> None:
        reset = Reset(reason, self._alive_ms)
        for subs in self._subs.values():
            for sub in subs:
                sub._deliver(reset)

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping():
            reason = "closed"
            span: Span = tracer.start_span(
                f"{self.exchange} ws {self.name}",
                attributes={"lotusx.exchange": self.exchange, "lotusx.ws": self.name},
            )
            try:
                await self._connect_and_read()
                attempt = 0
            except asyncio.CancelledError:
                span.end()
                raise
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                reason = "stale" if isinstance(exc, asyncio.TimeoutError) else "error"
                span.record_exception(exc)
                self._log.warning("ws_disconnected", reason=reason, error=str(exc))
            except Exception as exc:  # a protocol hook failed: log, reconnect, never die
                reason = "error"
                span.record_exception(exc)
                self._log.error("ws_session_error", error=repr(exc))
            finally:
                if self._connected.is_set():
                    self._connected.clear()
                    WS_CONNECTED.labels(self.exchange).dec()
                self._ws = None
            span.end()
            if self._stopping():
                break
            self._reset_all(reason)
            self.reconnects += 1
            WS_RECONNECTS.labels(self.exchange, reason).inc()
            ceiling = min(self._backoff_max, self._backoff_base * 2**attempt)
            attempt += 1
            await asyncio.sleep(random.uniform(ceiling / 2, ceiling))

    async def _connect_and_read(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        url = self._url if isinstance(self._url, str) else await self._url()
        heartbeat = self.protocol.heartbeat
        ws = await self._session.ws_connect(
            url,
            autoping=False,
            heartbeat=heartbeat.interval if heartbeat.kind is HeartbeatKind.CLIENT_FRAME else None,
            timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            max_msg_size=self._max_message_size,
            decode_text=False,
        )
        self._ws = ws
        pinger: asyncio.Task[None] | None = None
        try:
            await self.protocol.on_connect(_Connection(ws))
            self._confirmed.clear()
            await self._send_all(self.protocol.subscribe_messages(list(self._subs)))
            self._connected.set()
            WS_CONNECTED.labels(self.exchange).inc()
            if heartbeat.kind is HeartbeatKind.CLIENT_MESSAGE:
                pinger = asyncio.create_task(self._ping_forever(ws, heartbeat))
            await self._read_watched(ws)
        finally:
            if pinger is not None:
                pinger.cancel()
            if not ws.closed:
                await ws.close()

    async def _ping_forever(self, ws: _Socket, beat: Heartbeat) -> None:
        while not ws.closed:
            await asyncio.sleep(beat.interval)
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(beat.message)

    async def _read_watched(self, ws: _Socket) -> None:
        """Read until the connection ends; raise TimeoutError when the feed goes quiet.

        Staleness is checked by a watchdog (every second, or every quarter of ``stale_after``
        if shorter) against a frame counter, not by a timeout around each receive: a
        per-message timeout costs as much as the rest of the read loop on a busy feed. The same
        tick flushes the frame counts into the metrics.
        """
        reader = asyncio.create_task(self._read(ws), name=f"lotusx-ws-read-{self.exchange}")
        self._alive_ms = time.time_ns() // 1_000_000
        loop = asyncio.get_running_loop()
        tick = 1.0 if self.stale_after is None else min(1.0, self.stale_after / 4)
        seen, quiet_since = -1, loop.time()
        try:
            while True:
                done, _ = await asyncio.wait((reader,), timeout=tick)
                self._flush_counts()
                if done:
                    return reader.result()
                if self._frames != seen:
                    seen, quiet_since = self._frames, loop.time()
                    self._alive_ms = time.time_ns() // 1_000_000
                elif self.stale_after is not None and loop.time() - quiet_since >= self.stale_after:
                    raise TimeoutError(f"no frame for {self.stale_after:g} s")
        finally:
            if not reader.done():
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader

    def _note_confirmations(self, frame: Frame) -> None:
        assert self._confirms is not None
        channels = self._confirms(frame)
        if channels:
            self._confirmed.update(channels)
            self._confirmation.set()

    def _flush_counts(self) -> None:
        for subs in self._subs.values():
            for sub in subs:
                sub._flush_count()

    async def _read(self, ws: _Socket) -> None:
        route = self.protocol.route
        subs = self._subs
        while True:
            msg = await ws.receive()
            self._frames += 1
            kind = msg.type
            if kind is aiohttp.WSMsgType.TEXT or kind is aiohttp.WSMsgType.BINARY:
                frame: bytes = msg.data
            elif kind in _CLOSING:
                return
            elif kind is aiohttp.WSMsgType.PING:  # answered here: a ping is a sign of life too
                await ws.pong(msg.data)
                continue
            elif kind is aiohttp.WSMsgType.ERROR:
                raise aiohttp.ClientError(f"websocket error: {ws.exception()}")
            else:
                continue
            try:
                routed = route(frame)
            except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
                self.malformed += 1
                self._log.warning("ws_malformed_frame", error=str(exc), frame=frame[:120])
                # Whichever channel lost this frame, state built on it may now be wrong, and
                # not every feed's sequence numbers can tell (Bybit's are not contiguous).
                # Resubscribing brings fresh snapshots on exchanges that send them on subscribe.
                self._reset_all("malformed_frame")
                channels = list(subs)
                await self._send_all(self.protocol.unsubscribe_messages(channels))
                await self._send_all(self.protocol.subscribe_messages(channels))
                continue
            if routed is None:
                if self._confirms is not None:
                    self._note_confirmations(frame)
                continue
            channel, payload = routed
            targets = subs.get(channel)
            if not targets:
                continue
            for sub in targets:
                sub.received += 1
                sub._deliver(payload)


class _Connection:
    __slots__ = ("_ws",)

    def __init__(self, ws: _Socket) -> None:
        self._ws = ws

    async def send(self, message: str) -> None:
        await self._ws.send_str(message)

    async def receive(self, timeout: float) -> Frame:
        while True:
            msg = await self._ws.receive(timeout=timeout)
            if msg.type is aiohttp.WSMsgType.TEXT or msg.type is aiohttp.WSMsgType.BINARY:
                return bytes(msg.data)
            if msg.type is aiohttp.WSMsgType.PING:
                await self._ws.pong(msg.data)
            elif msg.type is not aiohttp.WSMsgType.PONG:
                break
        raise aiohttp.ClientError(f"connection closed during login ({msg.type.name})")

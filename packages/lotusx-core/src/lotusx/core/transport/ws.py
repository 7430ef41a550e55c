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
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Protocol

import aiohttp
import msgspec
from opentelemetry.trace import Span

from lotusx.core.errors import StreamOverflow
from lotusx.core.observability import WS_CONNECTED, WS_MESSAGES, WS_RECONNECTS, get_logger, tracer

__all__ = [
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
    SERVER_PING = "server_ping"  # the server pings; aiohttp answers with pong frames
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
    """The stream broke (reconnect, overflow, resubscribe): state built on it is invalid."""

    reason: str


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


_END = object()
_CLOSING = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)


class Subscription:
    """A channel's items as an async iterator: payloads, and `Reset` markers."""

    def __init__(self, session: WsSession, channel: str, overflow: Overflow, size: int) -> None:
        self.session = session
        self.channel = channel
        self.overflow = overflow
        self.dropped = 0
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=size)
        self._failed: BaseException | None = None
        self._counter = WS_MESSAGES.labels(session.exchange, channel.split("@")[-1][:40])

    def _deliver(self, item: object) -> None:
        queue = self._queue
        try:
            queue.put_nowait(item)
            return
        except asyncio.QueueFull:
            pass
        self.dropped += 1
        if self.overflow is Overflow.DROP_OLDEST:
            queue.get_nowait()
            queue.put_nowait(item)
            return
        while not queue.empty():
            queue.get_nowait()
        if self.overflow is Overflow.RESET:
            queue.put_nowait(Reset("overflow"))
        else:
            self._failed = StreamOverflow(
                f"{self.session.exchange} {self.channel}: consumer fell {queue.maxsize} "
                "messages behind"
            )
            queue.put_nowait(_END)

    @property
    def pending(self) -> int:
        """Items received and not yet read (a consumer may conflate while this is non-zero)."""
        return self._queue.qsize()

    def _finish(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_END)

    def __aiter__(self) -> AsyncIterator[msgspec.Raw | bytes | Reset]:
        return self

    async def __anext__(self) -> msgspec.Raw | bytes | Reset:
        item = await self._queue.get()
        if item is _END:
            if self._failed is not None:
                raise self._failed
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

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
        self._url = url
        self._queue_size = queue_size
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._connect_timeout = connect_timeout
        self._max_message_size = max_message_size
        self._subs: dict[str, list[Subscription]] = {}
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._closing = False
        self._log = get_logger(exchange).bind(ws=name)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, timeout: float = 10.0) -> None:
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
        for subs in self._subs.values():
            for sub in subs:
                sub._deliver(Reset(reason))

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
            autoping=True,
            heartbeat=heartbeat.interval if heartbeat.kind is HeartbeatKind.CLIENT_FRAME else None,
            timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            max_msg_size=self._max_message_size,
        )
        self._ws = ws
        pinger: asyncio.Task[None] | None = None
        try:
            await self.protocol.on_connect(_Connection(ws))
            await self._send_all(self.protocol.subscribe_messages(list(self._subs)))
            self._connected.set()
            WS_CONNECTED.labels(self.exchange).inc()
            if heartbeat.kind is HeartbeatKind.CLIENT_MESSAGE:
                pinger = asyncio.create_task(self._ping_forever(ws, heartbeat))
            await self._read(ws)
        finally:
            if pinger is not None:
                pinger.cancel()
            if not ws.closed:
                await ws.close()

    async def _ping_forever(self, ws: aiohttp.ClientWebSocketResponse, beat: Heartbeat) -> None:
        while not ws.closed:
            await asyncio.sleep(beat.interval)
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(beat.message)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        route = self.protocol.route
        subs = self._subs
        while True:
            msg = await ws.receive(timeout=self.stale_after)
            kind = msg.type
            if kind is aiohttp.WSMsgType.TEXT:
                frame: bytes = msg.data.encode()
            elif kind is aiohttp.WSMsgType.BINARY:
                frame = msg.data
            elif kind in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                return
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
                continue
            channel, payload = routed
            targets = subs.get(channel)
            if not targets:
                continue
            for sub in targets:
                sub._counter.inc()
                sub._deliver(payload)


class _Connection:
    __slots__ = ("_ws",)

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws

    async def send(self, message: str) -> None:
        await self._ws.send_str(message)

    async def receive(self, timeout: float) -> Frame:
        msg = await self._ws.receive(timeout=timeout)
        if msg.type is aiohttp.WSMsgType.TEXT:
            return bytes(msg.data.encode())
        if msg.type is aiohttp.WSMsgType.BINARY:
            return bytes(msg.data)
        raise aiohttp.ClientError(f"connection closed during login ({msg.type.name})")

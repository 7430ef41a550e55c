"""`WsApiClient`: order entry over one warm, authenticated WebSocket.

Venues that take orders over a WebSocket (Binance's WebSocket API, OKX's private socket, Bybit's
trade socket, Kraken's ``ws-auth``) answer each request with a reply naming the request's id. The
client keeps the connection open and logged in (reconnecting with backoff when it drops), sends a
request after the rate limiter lets it, and hands back the reply frame for the connector to
decode. Each request is traced and counted like a REST call
(``lotusx_ws_request_duration_seconds``, ``lotusx_ws_requests``).

What a failure means for the order is explicit:

- `RequestNotSent`: the connection was not up; nothing reached the venue (the connector may send
  the same request over REST at once).
- `RequestTimeout` / `NetworkError`: the request was written and its reply did not come (timeout,
  connection lost): the venue may have acted, so a placement is resolved through its client
  order id, exactly as a REST placement whose reply was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Literal, Protocol

import aiohttp
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind

from lotusx.core.errors import NetworkError, RequestNotSent, RequestTimeout
from lotusx.core.observability import (
    WS_CONNECTED,
    WS_RECONNECTS,
    WS_REQUEST_DURATION,
    WS_REQUESTS,
    get_logger,
    tracer,
    tracing_enabled,
)
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.transport.ws import Frame, Heartbeat, HeartbeatKind, WsConnection, _Connection

__all__ = ["WsApiClient", "WsApiProtocol"]

_Socket = aiohttp.ClientWebSocketResponse[Literal[False]]
_UNTRACED: AbstractContextManager[Span] = nullcontext(INVALID_SPAN)
_CLOSING = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)


class WsApiProtocol(Protocol):
    """An exchange's WebSocket order-entry dialect (the connector's ``wsapi.py``)."""

    heartbeat: Heartbeat

    async def on_connect(self, connection: WsConnection) -> None:
        """Log in; the client takes requests only once this returned."""

    def reply_id(self, frame: Frame) -> str | None:
        """The id of the request ``frame`` answers; None for any other frame (pongs, pushes)."""


class WsApiClient:
    """Requests and their replies over one self-healing, authenticated WebSocket."""

    def __init__(
        self,
        exchange: str,
        url: str | Callable[[], Awaitable[str]],
        protocol: WsApiProtocol,
        *,
        name: str = "orders",
        limiter: RateLimiter | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 10.0,
        backoff_base: float = 0.2,
        backoff_max: float = 10.0,
    ) -> None:
        self.exchange = exchange
        self.name = name
        self.protocol = protocol
        self.limiter = limiter
        self.timeout = timeout
        self.reconnects = 0
        self._url = url
        self._connect_timeout = connect_timeout
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[Frame]] = {}
        self._ws: _Socket | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._closing = False
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._log = get_logger(exchange).bind(ws=name)

    @property
    def ready(self) -> bool:
        """Connected and logged in: a request sent now goes out at once."""
        return self._ready.is_set()

    def next_id(self) -> str:
        """A request id unique on this client."""
        return str(next(self._ids))

    async def start(self, wait: float | None = 10.0) -> None:
        """Open the connection (kept open until `close`); wait until it is ready, up to
        ``wait`` seconds (None: do not wait). Raises `RequestNotSent` if it is not ready then."""
        if self._task is None:
            self._closing = False
            self._task = asyncio.create_task(self._run(), name=f"lotusx-wsapi-{self.exchange}")
        if wait is not None:
            try:
                await asyncio.wait_for(self._ready.wait(), wait)
            except TimeoutError:
                raise RequestNotSent(
                    f"order-entry socket not ready after {wait:g} s",
                    exchange=self.exchange,
                    endpoint=self.name,
                ) from None

    async def close(self) -> None:
        self._closing = True
        task, self._task = self._task, None
        if self._ws is not None:
            await self._ws.close()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail_pending("client closed")
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def drop(self) -> None:
        """Close the current connection as if the venue had dropped it (it reconnects)."""
        if self._ws is not None:
            await self._ws.close()

    async def request(
        self,
        method: str,
        request_id: str,
        message: str,
        *,
        costs: Mapping[str, int] | None = None,
    ) -> Frame:
        """Send ``message`` (carrying ``request_id``) and return the reply frame answering it.

        ``method`` names the call in spans and metrics. Raises `RequestNotSent` when the socket
        is not ready (nothing was sent), `RequestTimeout` when no reply came within ``timeout``
        and `NetworkError` when the connection dropped before the reply (the venue may have
        acted on the request in both cases).
        """
        if costs and self.limiter is not None:
            await self.limiter.acquire(costs)
        ws = self._ws
        if ws is None or ws.closed or not self._ready.is_set():
            self._count(method, "not_sent", 0.0)
            raise RequestNotSent(
                "order-entry socket is not connected", exchange=self.exchange, endpoint=method
            )
        reply: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = reply
        started = time.perf_counter()
        outcome = "error"
        with self._span(method):
            try:
                await ws.send_str(message)
                frame = await asyncio.wait_for(reply, self.timeout)
                outcome = "ok"
                return frame
            except TimeoutError as exc:
                outcome = "timeout"
                raise RequestTimeout(
                    f"no reply in {self.timeout:g} s", exchange=self.exchange, endpoint=method
                ) from exc
            except (ConnectionError, RuntimeError, aiohttp.ClientError) as exc:
                raise NetworkError(
                    f"socket failed while sending: {exc}", exchange=self.exchange, endpoint=method
                ) from exc
            finally:
                self._pending.pop(request_id, None)
                self._count(method, outcome, time.perf_counter() - started)

    # ------------------------------------------------------------------ connection

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping():
            reason = "closed"
            try:
                await self._connect_and_read()
                attempt = 0
            except asyncio.CancelledError:
                raise
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                reason = "error"
                self._log.warning("wsapi_disconnected", error=str(exc))
            except Exception as exc:  # a login hook failed: log, reconnect, never die
                reason = "error"
                self._log.error("wsapi_session_error", error=repr(exc))
            finally:
                if self._ready.is_set():
                    self._ready.clear()
                    WS_CONNECTED.labels(self.exchange).dec()
                self._ws = None
                self._fail_pending("connection lost before the reply")
            if self._stopping():
                break
            self.reconnects += 1
            WS_RECONNECTS.labels(self.exchange, reason).inc()
            ceiling = min(self._backoff_max, self._backoff_base * 2**attempt)
            attempt += 1
            await asyncio.sleep(random.uniform(ceiling / 2, ceiling))

    def _stopping(self) -> bool:
        return self._closing

    async def _connect_and_read(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        url = self._url if isinstance(self._url, str) else await self._url()
        beat = self.protocol.heartbeat
        ws = await self._session.ws_connect(
            url,
            autoping=False,
            heartbeat=beat.interval if beat.kind is HeartbeatKind.CLIENT_FRAME else None,
            timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            decode_text=False,
        )
        pinger: asyncio.Task[None] | None = None
        try:
            await asyncio.wait_for(self.protocol.on_connect(_Connection(ws)), self._connect_timeout)
            self._ws = ws
            self._ready.set()
            WS_CONNECTED.labels(self.exchange).inc()
            if beat.kind is HeartbeatKind.CLIENT_MESSAGE:
                pinger = asyncio.create_task(self._ping_forever(ws, beat))
            await self._read(ws)
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

    async def _read(self, ws: _Socket) -> None:
        reply_id = self.protocol.reply_id
        pending = self._pending
        while True:
            msg = await ws.receive()
            kind = msg.type
            if kind is aiohttp.WSMsgType.TEXT or kind is aiohttp.WSMsgType.BINARY:
                frame: bytes = msg.data
            elif kind in _CLOSING:
                return
            elif kind is aiohttp.WSMsgType.PING:
                await ws.pong(msg.data)
                continue
            elif kind is aiohttp.WSMsgType.ERROR:
                raise aiohttp.ClientError(f"websocket error: {ws.exception()}")
            else:
                continue
            try:
                rid = reply_id(frame)
            except ValueError as exc:  # a reply that cannot be read cannot be matched
                self._log.warning("wsapi_unreadable_frame", error=str(exc), frame=frame[:120])
                continue
            waiter = pending.pop(rid, None) if rid is not None else None
            if waiter is not None and not waiter.done():
                waiter.set_result(frame)

    def _fail_pending(self, why: str) -> None:
        pending, self._pending = self._pending, {}
        for waiter in pending.values():
            if not waiter.done():
                waiter.set_exception(NetworkError(why, exchange=self.exchange, endpoint=self.name))

    # ------------------------------------------------------------------ observability

    def _span(self, method: str) -> AbstractContextManager[Span]:
        if not tracing_enabled():
            return _UNTRACED
        return tracer.start_as_current_span(
            f"{self.exchange} ws {method}",
            kind=SpanKind.CLIENT,
            attributes={"lotusx.exchange": self.exchange, "lotusx.endpoint": method},
        )

    def _count(self, method: str, outcome: str, seconds: float) -> None:
        key = (method, outcome)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                WS_REQUEST_DURATION.labels(self.exchange, method, outcome),
                WS_REQUESTS.labels(self.exchange, method, outcome),
            )
        duration, count = children
        duration.observe(seconds)
        count.inc()

"""What every dialect's WebSocket server shares: venue events in, timed jobs, one connection's
reader and writer (with the `malformed_frames` and latency faults), stop, and the `drop_ws`
fault (every connection closed at once, frames in flight lost)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import WSMsgType, web

from lotusx.sim.core import VenueCore
from lotusx.sim.model import Event


class HubConnection(Protocol):
    ws: web.WebSocketResponse
    queue: asyncio.Queue[Any]


C = TypeVar("C", bound=HubConnection)


class ConnectionHub(Generic[C]):
    """Base of a dialect's stream server; `on_event` receives every venue event."""

    def __init__(self, core: VenueCore) -> None:
        self.core = core
        self.conns: set[C] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: Callable[[], None] | None = None
        core.faults.on_drop(self.drop_all)

    def on_event(self, ev: Event) -> None:
        raise NotImplementedError

    def _control(self, conn: C, text: str) -> None:
        """A text frame from the client (subscribe, login, ping...)."""
        raise NotImplementedError

    def _received(self, conn: C) -> None:
        """Any frame came from the client (a dialect that times out idle connections)."""

    def _sent(self, conn: C) -> None:
        """A frame went out to the client."""

    async def serve(
        self, request: web.Request, conn_for: Callable[[web.WebSocketResponse], C]
    ) -> web.StreamResponse:
        """Run one client connection until either side closes it: its text frames go to
        `_control`, what the venue queues on it goes out through `_writer`."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = conn_for(ws)
        self.conns.add(conn)
        writer = asyncio.get_running_loop().create_task(self._writer(conn))
        try:
            async for msg in ws:
                self._received(conn)
                if msg.type is WSMsgType.TEXT:
                    self._control(conn, msg.data)
                elif msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                    break
        finally:
            self.conns.discard(conn)
            conn.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
            await ws.close()
        return ws

    async def _writer(self, conn: C) -> None:
        """Send what the venue queues on ``conn`` (None closes it), late or cut in half when
        those faults are on."""
        faults = self.core.faults
        while True:
            text = await conn.queue.get()
            if text is None or conn.ws.closed:
                await conn.ws.close()
                return
            if faults.ws_latency_ms:
                await asyncio.sleep(faults.ws_latency_ms / 1000)
            if faults.take("malformed_frames"):
                text = text[: max(1, len(text) // 2)]
            try:
                await conn.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return
            self._sent(conn)
            self.core.ws_sent += 1

    def _start(self, jobs: list[tuple[float, Callable[[], None]]]) -> None:
        """Subscribe to venue events and run each ``(seconds, job)`` on its period."""
        self._unsubscribe = self.core.subscribe(self.on_event)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._every(seconds, job)) for seconds, job in jobs]

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for conn in list(self.conns):
            await conn.ws.close()

    def drop_all(self) -> int:
        conns = list(self.conns)
        for conn in conns:
            while not conn.queue.empty():  # pending frames are lost with the connection
                conn.queue.get_nowait()
            conn.queue.put_nowait(None)
        return len(conns)

    @staticmethod
    async def _every(seconds: float, job: Callable[[], None]) -> None:
        while True:
            await asyncio.sleep(seconds)
            job()

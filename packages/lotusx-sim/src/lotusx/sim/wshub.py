"""What every dialect's WebSocket server (Binance, OKX, Bybit) shares: venue events in, timed
jobs, stop, and the `drop_ws` fault (every connection closed at once, frames in flight lost)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import web

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

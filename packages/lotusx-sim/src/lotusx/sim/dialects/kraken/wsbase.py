"""What both Kraken WebSocket servers share: one connection's queue and writer, timestamps."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.kraken.params import plain_decimals

ENCODER = msgspec.json.Encoder(decimal_format="number")


def iso_us(ms: int) -> str:
    """RFC 3339 with microseconds, as WebSocket v2 prints times."""
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(eq=False)
class WsConn:
    ws: web.WebSocketResponse
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    active: float = field(default_factory=time.monotonic)

    def send(self, body: Any) -> None:
        self.queue.put_nowait(ENCODER.encode(plain_decimals(body)).decode())


async def writer(core: VenueCore, conn: WsConn) -> None:
    """Drain `conn.queue` honouring ws latency and malformed-frame faults; None closes."""
    faults = core.faults
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
        core.ws_sent += 1

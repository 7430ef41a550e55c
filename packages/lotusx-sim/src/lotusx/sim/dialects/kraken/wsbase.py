"""What both Kraken WebSocket servers share: one connection's queue, timestamps."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

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

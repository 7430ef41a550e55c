"""WebSocket order-book streams: LotusX `stream_orderbook` vs ccxt.pro `watch_order_book` (row 5).

Two measurements:

* ``venue``: both clients on the simulated venue's own diff-depth stream with the market
  ticking every millisecond; messages delivered to the user in a fixed interval. The venue
  pushes a diff every 100 ms (Binance's fastest documented speed), so this row shows that both
  keep up with a real feed, not which is faster.
* ``firehose``: the venue's REST snapshot, and a separate process (`firehose.py`) pushing diffs
  built from that snapshot back to back; the rate at which update ids become visible to the
  user (ccxt.pro coalesces updates that arrive while the user is busy; LotusX yields each).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
from harness import Report, Row
from venues import Wiring

from lotusx.core.connector import Connector
from lotusx.core.types import Symbol
from lotusx.sim import Venue

HERE = Path(__file__).parent


async def run_venue(
    report: Report, wiring: Wiring, lotusx: Connector, pro: Any, seconds: float
) -> None:
    symbol = Symbol.parse(wiring.symbol)
    counts = {"lotusx": 0, "ccxt": 0}
    ready = {"lotusx": asyncio.Event(), "ccxt": asyncio.Event()}
    go = asyncio.Event()

    async def ours() -> None:
        async for _book in lotusx.stream_orderbook(symbol, 20):
            ready["lotusx"].set()
            if go.is_set():
                counts["lotusx"] += 1

    async def theirs() -> None:
        while True:
            await pro.watch_order_book(wiring.symbol)
            ready["ccxt"].set()
            if go.is_set():
                counts["ccxt"] += 1

    tasks = [asyncio.create_task(ours()), asyncio.create_task(theirs())]
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready.values())), 30)
        go.set()
        await asyncio.sleep(seconds)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    report.add(
        Row(
            f"[{wiring.name}] WS venue book stream ({seconds:.0f} s, venue-paced)",
            "msg/s",
            counts["lotusx"] / seconds,
            counts["ccxt"] / seconds,
            "ccxt.pro watch_order_book",
            higher_is_better=True,
            target="keeps up (venue pushes every 100 ms)",
        )
    )


class Firehose:
    """The firehose server process, fed the venue's current snapshot (market frozen)."""

    def __init__(self, wiring: Wiring, venue: Venue, quick: bool) -> None:
        self.wiring, self.venue = wiring, venue
        self.warm, self.count = 50, 3_000 if quick else 8_000
        self.urls: dict[str, str] = {}
        self.first_id = self.last_id = 0
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Firehose:
        async with aiohttp.ClientSession() as session:
            snap = await self.wiring.floor(session, self.venue).get_book()
        self.first_id, bids, asks = self.wiring.hose_start(snap)
        self.last_id = self.first_id + self.warm + self.count - 1
        plan = {
            "exchange": self.wiring.name,
            "dialect": self.wiring.firehose_dialect,
            "native": self.wiring.native,
            "stream": f"{self.wiring.native.lower()}@depth@100ms",
            "first_id": self.first_id,
            "warm": self.warm,
            "count": self.count,
            "bids": bids,
            "asks": asks,
        }
        self._proc = proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "firehose.py"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(plan).encode() + b"\n")
        await proc.stdin.drain()
        port = int(await asyncio.wait_for(proc.stdout.readline(), 30))
        self.urls = {**self.venue.urls, self.wiring.ws_key: f"ws://127.0.0.1:{port}"}
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                await asyncio.wait_for(self._proc.wait(), 5)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()


class _Clock:
    """Update ids per second from the first blasted id seen to the last one."""

    def __init__(self, hose: Firehose) -> None:
        self.blast_from = hose.first_id + hose.warm
        self.last = hose.last_id
        self.start: tuple[float, int] | None = None
        self.deliveries = 0

    def see(self, update_id: int) -> bool:
        """Record a delivery; True once the last id is visible."""
        now = time.perf_counter()
        if update_id >= self.blast_from:
            self.deliveries += 1
            if self.start is None:
                self.start = (now, update_id)
        if update_id >= self.last and self.start is not None:
            self.rate = (update_id - self.start[1]) / (now - self.start[0])
            return True
        return False


async def run_firehose(
    report: Report, wiring: Wiring, hose: Firehose, lotusx: Connector, pro: Any
) -> None:
    symbol = Symbol.parse(wiring.symbol)

    async def ours() -> _Clock:
        clock = _Clock(hose)
        async for book in lotusx.stream_orderbook(symbol, 20):
            if clock.see(book.sequence):
                return clock
        raise AssertionError("stream ended")

    async def theirs() -> _Clock:
        clock = _Clock(hose)
        while True:
            book = await pro.watch_order_book(wiring.symbol)
            if clock.see(wiring.pro_update_id(book)):
                return clock

    ours_clock = await asyncio.wait_for(ours(), 120)
    theirs_clock = await asyncio.wait_for(theirs(), 120)
    report.add(
        Row(
            f"[{wiring.name}] WS book diffs, saturated ({hose.count:,} msgs)",
            "msg/s",
            ours_clock.rate,
            theirs_clock.rate,
            "ccxt.pro watch_order_book",
            higher_is_better=True,
            target=">=2x ccxt.pro",
            min_ratio=2.0,
        )
    )
    print(
        f"    deliveries to the user: lotusx {ours_clock.deliveries:,}, "
        f"ccxt.pro {theirs_clock.deliveries:,} (ccxt.pro coalesces while the user is busy)",
        flush=True,
    )

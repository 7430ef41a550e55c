"""Client time of one Binance REST call, without the network (a profiling aid for row 3).

python bench/client_time.py [calls]

The connector is opened against its simulated venue, the venue's answer to a 100-level
order-book request is recorded once, and the connector's HTTP session is then replaced by one
that replays that answer at once. What is left is LotusX's own time per `get_orderbook`: rate
limiter, URL and signing, header observer, decode, `Decimal` levels, metrics. The same answer
is also decoded bare (msgspec into strings) and into `Decimal` levels, for the split.
"""

from __future__ import annotations

import asyncio
import sys
import time
from decimal import Decimal
from types import TracebackType
from typing import Any

import aiohttp
import msgspec
from venues import MAPPINGS, UNLIMITED

from lotusx.core import registry
from lotusx.core.book import levels_from_text
from lotusx.core.types import Symbol
from lotusx.sim import Venue


class _Replay:
    """An aiohttp-session stand-in answering every request with one recorded response."""

    closed = False

    def __init__(self, body: bytes, headers: Any) -> None:
        self.body, self.headers, self.status = body, headers, 200

    def request(self, method: str, url: Any, **_: Any) -> _Replay:
        return self

    async def read(self) -> bytes:
        return self.body

    async def __aenter__(self) -> _Replay:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def close(self) -> None:
        return None


def _per_call_us(seconds: float, calls: int) -> float:
    return seconds / calls * 1e6


async def measure(calls: int) -> None:
    exchange = "binance"
    wiring = MAPPINGS[exchange]
    symbol = Symbol.parse(wiring.symbol)
    async with Venue.start(exchange, tick_interval=3600.0, rate_limits=wiring.rate_limits) as venue:
        connector = registry.connect(
            exchange, api_key=venue.api_key, secret=venue.secret, passphrase=venue.passphrase,
            urls=venue.urls,
        )  # fmt: skip
        async with connector:
            await connector.load_instruments()
            limiter = connector.rest.limiter
            for quota in limiter.quotas:
                limiter.set_quota(msgspec.structs.replace(quota, limit=UNLIMITED))
            async with aiohttp.ClientSession() as session:
                floor = wiring.floor(session, venue)
                book = await floor.get_book()  # the floor's own decode: levels as strings
                real = connector.rest._http.session
                url = venue.urls["spot_rest"] + "/api/v3/depth?symbol=BTCUSDT&limit=100"
                async with session.get(url) as response:
                    body, headers = await response.read(), response.headers
            connector.rest._http.session = _Replay(body, headers)  # type: ignore[assignment]
            try:
                for _ in range(200):
                    await connector.get_orderbook(symbol, 100)
                started = time.perf_counter()
                for _ in range(calls):
                    await connector.get_orderbook(symbol, 100)
                total = _per_call_us(time.perf_counter() - started, calls)
            finally:
                connector.rest._http.session = real
    levels = _text_levels(book)
    started = time.perf_counter()
    for _ in range(calls):
        for side in levels:
            levels_from_text(side)
    decimals = _per_call_us(time.perf_counter() - started, calls)
    decoder = msgspec.json.Decoder(type(book))
    started = time.perf_counter()
    for _ in range(calls):
        decoder.decode(body)
    decode = _per_call_us(time.perf_counter() - started, calls)
    print(f"{exchange} get_orderbook(100) client time, {calls:,} calls, no network:")
    print(f"  whole call            {total:8.1f} us")
    print(f"  Decimal book levels   {decimals:8.1f} us  (levels_from_text, both sides)")
    print(f"  bare msgspec decode   {decode:8.1f} us  (what the floor pays too)")
    print(f"  everything else       {total - decimals - decode:8.1f} us")


def _text_levels(book: Any) -> list[list[tuple[str, str]]]:
    """Both sides of the floor's decoded depth snapshot as (price, quantity) text."""
    sides = [[(p, q) for p, q in book.bids], [(p, q) for p, q in book.asks]]
    assert all(Decimal(side[0][0]) > 0 for side in sides)
    return sides


if __name__ == "__main__":
    asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))

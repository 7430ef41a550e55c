"""Kraken futures test truth: an engine update sent as several one-level `book` messages maps
to the engine's update id at its last `seq` only (a book holding part of the update is no
state the engine ever had)."""

from __future__ import annotations

from decimal import Decimal

from lotusx.sim import Venue
from lotusx.sim.model import BookDelta


async def test_only_the_last_message_of_an_update_is_its_book() -> None:
    async with Venue.start("kraken", seed=7, tick_interval=3600) as venue:
        hub = next(h for h in venue.dialect.hubs if type(h).__name__ == "FuturesStreams")
        symbol = "PF_XBTUSD"
        before = hub.book_seq[symbol]
        delta = BookDelta(
            "futures", symbol, 10**9,
            {Decimal(64000): Decimal(1), Decimal(63999): Decimal(0)},
            {Decimal(66000): Decimal(2)},
            venue.now_ms(),
        )  # fmt: skip
        hub._on_book(delta)
        truth = venue.dialect.streams
        assert hub.book_seq[symbol] == before + 3
        assert truth.book_update_id(symbol, before + 1, delta.time_ms) is None
        assert truth.book_update_id(symbol, before + 2, delta.time_ms) is None
        assert truth.book_update_id(symbol, before + 3, delta.time_ms) == 10**9

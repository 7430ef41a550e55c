"""The live state a streaming command displays: books, fee rates, order round trips."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from decimal import Decimal

from lotusx.cli.spreads import Quote
from lotusx.core.types import Instrument, OrderBook

__all__ = ["Board", "BookState", "RoundTrip"]


@dataclass(slots=True)
class BookState:
    """One market's latest top of book as seen by the stream."""

    exchange: str
    instrument: Instrument
    taker: Decimal | None = None
    book: OrderBook | None = None
    updates: int = 0
    last_update: float | None = None
    error: str | None = None
    first_book: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def symbol(self) -> str:
        return str(self.instrument.symbol)

    @property
    def market(self) -> str:
        return str(self.instrument.kind)

    def quote(self) -> Quote | None:
        book = self.book
        if book is None or book.best_bid is None or book.best_ask is None:
            return None
        sym = self.instrument.symbol
        return Quote(
            self.exchange,
            self.symbol,
            sym.base,
            sym.quote,
            book.best_bid.price,
            book.best_ask.price,
            self.taker if self.taker is not None else Decimal(0),
            self.instrument.tick_size,
        )


@dataclass(slots=True)
class RoundTrip:
    """A signed place → query → cancel cycle of one resting limit order."""

    exchange: str
    symbol: str
    status: str = "pending"  # pending | ok | failed
    detail: str = ""
    order_id: str | None = None
    price: Decimal | None = None
    quantity: Decimal | None = None
    place_ms: Decimal | None = None
    query_ms: Decimal | None = None
    cancel_ms: Decimal | None = None
    total_ms: Decimal | None = None


@dataclass(slots=True)
class Board:
    books: dict[tuple[str, str], BookState] = field(default_factory=dict)
    round_trips: list[RoundTrip] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, state: BookState) -> None:
        self.books[(state.exchange, state.symbol)] = state

    def update(self, exchange: str, symbol: str, book: OrderBook) -> None:
        state = self.books[(exchange, symbol)]
        state.book = book
        state.updates += 1
        state.last_update = time.monotonic()
        state.error = None
        state.first_book.set()

    def quotes(self) -> list[Quote]:
        return [q for s in self.books.values() if (q := s.quote()) is not None]

    def updates(self, exchange: str | None = None) -> int:
        return sum(s.updates for s in self.books.values() if exchange in (None, s.exchange))

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

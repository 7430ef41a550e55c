"""OKX order-book rows and the documented CRC32 checksum."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from lotusx.sim.book import OrderBook
from lotusx.sim.dialects.okx.markets import Inst
from lotusx.sim.dialects.okx.render import fmt
from lotusx.sim.model import Side

Row = list[str]
CHECKSUM_DEPTH = 25


def row(inst: Inst, book: OrderBook, side: Side, price: Decimal, qty: Decimal) -> Row:
    """`[px, sz, "0", numOrders]`; a removed level has sz "0"."""
    level = book.side(side).levels.get(price)
    count = len(level.orders) if level is not None and qty else 0
    return [fmt(price), fmt(inst.to_wire(qty)), "0", str(count)]


def top(inst: Inst, book: OrderBook, side: Side, depth: int) -> list[Row]:
    return [row(inst, book, side, p, q) for p, q in book.side(side).depth(depth)]


def checksum(bids: list[Row], asks: list[Row]) -> int:
    """CRC32 (as a signed 32-bit int) of `bid:ask` pairs over the top 25 levels.

    Levels alternate bid, ask (`px:sz`); when one side is shorter its missing levels are skipped.
    """
    parts: list[str] = []
    for i in range(CHECKSUM_DEPTH):
        if i < len(bids):
            parts += bids[i][:2]
        if i < len(asks):
            parts += asks[i][:2]
    value = zlib.crc32(":".join(parts).encode())
    return value - (1 << 32) if value >= 1 << 31 else value


@dataclass(slots=True)
class Pending:
    """Level changes of one instrument since the last `books` push."""

    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    asks: dict[Decimal, Decimal] = field(default_factory=dict)

    def add(self, bids: dict[Decimal, Decimal], asks: dict[Decimal, Decimal]) -> None:
        self.bids.update(bids)
        self.asks.update(asks)

    def rows(self, inst: Inst, book: OrderBook) -> tuple[list[Row], list[Row]]:
        bids = [row(inst, book, Side.BUY, p, q) for p, q in sorted(self.bids.items(), reverse=True)]
        asks = [row(inst, book, Side.SELL, p, q) for p, q in sorted(self.asks.items())]
        return bids, asks

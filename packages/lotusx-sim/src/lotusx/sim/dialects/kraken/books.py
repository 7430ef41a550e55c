"""WebSocket v2 book levels and the documented CRC32 checksum.

Checksum: top 10 asks (low to high) then top 10 bids (high to low); each level is price then
qty as printed, `.` removed and leading zeros stripped; CRC32 as an unsigned integer.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from lotusx.sim.book import OrderBook
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Side

CHECKSUM_LEVELS = 10
QTY = Decimal("0.00000001")
DEPTHS = (10, 25, 100, 500, 1000)
Levels = dict[Decimal, Decimal]


def wire(spec: MarketSpec, price: Decimal, qty: Decimal) -> tuple[Decimal, Decimal]:
    """Price at the pair's decimals, qty at lot decimals (8): what the feed prints."""
    return price.quantize(spec.tick), qty.quantize(QTY)


def _digits(value: Decimal) -> str:
    return f"{value:f}".replace(".", "").lstrip("0")


def checksum(asks: list[tuple[Decimal, Decimal]], bids: list[tuple[Decimal, Decimal]]) -> int:
    """`asks` best (lowest) first, `bids` best (highest) first, as printed on the wire."""
    text = "".join(
        _digits(p) + _digits(q) for p, q in asks[:CHECKSUM_LEVELS] + bids[:CHECKSUM_LEVELS]
    )
    return zlib.crc32(text.encode()) & 0xFFFFFFFF


def top(spec: MarketSpec, book: OrderBook, side: Side, depth: int) -> list[tuple[Decimal, Decimal]]:
    return [wire(spec, p, q) for p, q in book.side(side).depth(depth)]


@dataclass(slots=True)
class Shown:
    """The book one subscriber holds (top `depth` per side), to send it exact deltas."""

    depth: int
    bids: Levels = field(default_factory=dict)
    asks: Levels = field(default_factory=dict)

    def reset(
        self, bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]]
    ) -> None:
        self.bids, self.asks = dict(bids), dict(asks)

    def advance(
        self, side: Levels, new: list[tuple[Decimal, Decimal]], alive: set[Decimal]
    ) -> list[tuple[Decimal, Decimal]]:
        """Changes turning `side` into `new`: entrants and new sizes, and qty 0 for shown levels
        that left the book; levels merely pushed below the depth are left to the client."""
        target = dict(new)
        out = [(p, q) for p, q in new if side.get(p) != q]
        out += [(p, Decimal(0)) for p in side if p not in target and p not in alive]
        side.clear()
        side.update(target)
        return out

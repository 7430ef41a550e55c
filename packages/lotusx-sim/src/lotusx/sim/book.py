"""Price levels of one symbol, kept in price-time order."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from decimal import Decimal

from lotusx.sim.model import ZERO, Order, Side


class Level:
    """Orders resting at one price, oldest first."""

    __slots__ = ("orders", "price", "qty")

    def __init__(self, price: Decimal) -> None:
        self.price = price
        self.orders: dict[int, Order] = {}
        self.qty = ZERO


class BookSide:
    """One side of a book; `prices` is sorted ascending."""

    def __init__(self, side: Side) -> None:
        self.side = side
        self.levels: dict[Decimal, Level] = {}
        self.prices: list[Decimal] = []

    def best(self) -> Decimal | None:
        if not self.prices:
            return None
        return self.prices[-1] if self.side is Side.BUY else self.prices[0]

    def iter_best_first(self) -> Iterator[Level]:
        seq = reversed(self.prices) if self.side is Side.BUY else iter(self.prices)
        for p in list(seq):
            level = self.levels.get(p)
            if level is not None:
                yield level

    def add(self, order: Order) -> Level:
        assert order.price is not None
        level = self.levels.get(order.price)
        if level is None:
            level = self.levels[order.price] = Level(order.price)
            bisect.insort(self.prices, order.price)
        level.orders[order.order_id] = order
        level.qty += order.remaining
        return level

    def remove(self, order: Order) -> Level:
        assert order.price is not None
        level = self.levels[order.price]
        del level.orders[order.order_id]
        level.qty -= order.remaining
        if not level.orders:
            del self.levels[order.price]
            del self.prices[bisect.bisect_left(self.prices, order.price)]
        return level

    def depth(self, limit: int) -> list[tuple[Decimal, Decimal]]:
        out: list[tuple[Decimal, Decimal]] = []
        seq = reversed(self.prices) if self.side is Side.BUY else iter(self.prices)
        for p in seq:
            if len(out) >= limit:
                break
            out.append((p, self.levels[p].qty))
        return out


class OrderBook:
    """Both sides of one symbol plus its book update id."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids = BookSide(Side.BUY)
        self.asks = BookSide(Side.SELL)
        self.update_id = 0

    def side(self, side: Side) -> BookSide:
        return self.bids if side is Side.BUY else self.asks

    def crosses(self, side: Side, price: Decimal | None) -> bool:
        """Would an order on `side` at `price` (None = market) take liquidity now?"""
        best = self.side(side.opposite).best()
        if best is None:
            return False
        if price is None:
            return True
        return price >= best if side is Side.BUY else price <= best

    def available(self, side: Side, price: Decimal | None) -> Decimal:
        """Quantity an order on `side` could take up to `price`."""
        total = ZERO
        for level in self.side(side.opposite).iter_best_first():
            if price is not None and (
                level.price > price if side is Side.BUY else level.price < price
            ):
                break
            total += level.qty
        return total

    def cost(self, side: Side, qty: Decimal, price: Decimal | None) -> Decimal:
        """Quote amount needed to take `qty` on `side` up to `price`."""
        left, total = qty, ZERO
        for level in self.side(side.opposite).iter_best_first():
            if left <= 0 or (
                price is not None
                and (level.price > price if side is Side.BUY else level.price < price)
            ):
                break
            take = min(left, level.qty)
            total += take * level.price
            left -= take
        return total

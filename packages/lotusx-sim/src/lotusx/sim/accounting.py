"""The contract between the matching engine and whatever holds the money."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from lotusx.sim.model import AccountEvent, Fill, Order


class Accountant(Protocol):
    """Reserves funds for orders and settles matches; raises `Rejected` to refuse."""

    def reserve(self, order: Order, est_cost: Decimal) -> None:
        """Lock what `order` needs (`est_cost`: quote needed for a market buy)."""

    def resize(self, order: Order, new_price: Decimal, new_qty: Decimal) -> None:
        """Adjust the reservation of an amended order before the change is applied."""

    def settle(
        self, trade_id: int, taker: Order, maker: Order, price: Decimal, qty: Decimal, now: int
    ) -> tuple[Fill, Fill]:
        """Move assets for one match; returns (taker fill, maker fill)."""
        ...

    def release(self, order: Order) -> None:
        """Unlock whatever remains reserved for a finished order."""

    def reduce_only_cap(self, order: Order) -> Decimal:
        """Largest quantity a reduce-only order may still execute (0 = none)."""
        ...

    def drain(self) -> list[AccountEvent]:
        """Account changes accumulated since the last call."""
        ...

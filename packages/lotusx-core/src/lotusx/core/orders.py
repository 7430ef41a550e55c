"""Orders from acknowledgements: one request per order action, and what it can tell.

A venue's reply to a placement, an amendment or a cancellation names the order (ids, often a
timestamp, sometimes its state); it rarely repeats the order. LotusX does not send a second
request to read the order back: the `Order` an action returns is built here from the request
and the acknowledgement. What the acknowledgement cannot tell (a fill, a post-only order the
venue accepted and then canceled) arrives through ``stream_orders``/``stream_fills`` or
``get_order``; ``Connector(read_back=True)`` asks for the read anyway.

`OrderLedger` remembers the orders a connector placed or read, so that a cancel or amend
acknowledgement, which carries only ids, still returns the whole order without a read.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

import msgspec

from lotusx.core.types import AmendRequest, Order, OrderRequest, OrderStatus, Symbol

__all__ = ["OrderLedger", "accepted_order", "amended_order", "canceled_order"]


def accepted_order(
    request: OrderRequest,
    order_id: str,
    client_order_id: str | None,
    at_ms: int,
    *,
    status: OrderStatus = OrderStatus.ACCEPTED,
    filled_quantity: Decimal = Decimal(0),
    average_price: Decimal | None = None,
) -> Order:
    """The order ``request`` became, as far as the venue's acknowledgement tells.

    ``status`` is ACCEPTED unless the acknowledgement reports the order's state after matching
    (and then ``filled_quantity``/``average_price`` with it). ``at_ms`` is the venue's time
    where the acknowledgement carries one, else the connector's venue-synced clock.
    """
    return Order(
        symbol=request.symbol,
        order_id=order_id,
        client_order_id=client_order_id,
        side=request.side,
        type=request.type,
        time_in_force=request.time_in_force,
        quantity=request.quantity,
        price=request.price,
        filled_quantity=filled_quantity,
        average_price=average_price,
        status=status,
        reduce_only=request.reduce_only,
        created_at=at_ms,
        updated_at=at_ms,
    )


def amended_order(known: Order, request: AmendRequest, at_ms: int, **acknowledged: object) -> Order:
    """``known`` with the amendment applied (``quantity`` is the new total).

    ``acknowledged`` overrides fields the venue's reply states (a new ``order_id`` where an
    amendment replaces the order, a ``status``).
    """
    changes: dict[str, object] = {"updated_at": at_ms}
    if request.price is not None:
        changes["price"] = request.price
    if request.quantity is not None:
        changes["quantity"] = request.quantity
    changes.update(acknowledged)
    return msgspec.structs.replace(known, **changes)


def canceled_order(known: Order, at_ms: int, **acknowledged: object) -> Order:
    """``known`` canceled at ``at_ms``; ``acknowledged`` overrides fields the reply states
    (the filled quantity where the venue reports it)."""
    return msgspec.structs.replace(
        known, status=OrderStatus.CANCELED, updated_at=at_ms, **acknowledged
    )


class OrderLedger:
    """The orders one connector placed or read, by order id and by client order id.

    Bounded: past ``capacity`` orders the least recently touched are forgotten. A forgotten or
    never-seen order costs the connector one read when an acknowledgement names only its ids.
    """

    __slots__ = ("_by_client_id", "_by_id", "capacity")

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._by_id: OrderedDict[tuple[Symbol, str], Order] = OrderedDict()
        self._by_client_id: dict[tuple[Symbol, str], str] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def remember(self, order: Order) -> Order:
        """Keep ``order`` (replacing what was known of it); returns it."""
        key = (order.symbol, order.order_id)
        self._by_id[key] = order
        self._by_id.move_to_end(key)
        if order.client_order_id:
            self._by_client_id[(order.symbol, order.client_order_id)] = order.order_id
        while len(self._by_id) > self.capacity:
            (symbol, _), old = self._by_id.popitem(last=False)
            if old.client_order_id:
                ckey = (symbol, old.client_order_id)
                if self._by_client_id.get(ckey) == old.order_id:
                    del self._by_client_id[ckey]
        return order

    def find(
        self, symbol: Symbol, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None:
        """The known order named by either id (``order_id`` first), or None."""
        if order_id is None and client_order_id is not None:
            order_id = self._by_client_id.get((symbol, client_order_id))
        if order_id is None:
            return None
        return self._by_id.get((symbol, order_id))

"""Every order action is one REST request on the simulated venue (its request log counts)."""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from lotusx.connectors.kraken import KrakenConnector
from lotusx.core.errors import OrderNotFound, OrderRejected
from lotusx.core.types import (
    AmendRequest,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
)

SPOT = Symbol("BTC", "USD")
PERP = Symbol("BTC", "USD", "USD")
T = TypeVar("T")


async def _sent(venue: Any, action: Awaitable[T]) -> tuple[T, list[str]]:
    """The action's result and the paths of the requests it cost the venue."""
    before = len(venue.view.requests)
    result = await action
    return result, [r.path.rsplit("/", 1)[-1] for r in venue.view.requests[before:]]


async def _resting(ex: KrakenConnector, sym: Symbol, cid: str, steps: int = 0) -> OrderRequest:
    inst = await ex.instrument(sym)
    book = await ex.get_orderbook(sym, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY)
    qty = inst.min_quantity
    if inst.min_notional:
        qty = max(qty, inst.round_quantity(inst.min_notional / price * 2) + inst.lot_size)
    return OrderRequest(
        sym, Side.BUY, OrderType.LIMIT, qty, price - inst.tick_size * steps, client_order_id=cid
    )


@pytest.mark.parametrize(
    ("sym", "names"),
    [
        (SPOT, ["AddOrder", "AmendOrder", "CancelOrder", "AddOrderBatch", "CancelOrderBatch"]),
        (PERP, ["sendorder", "editorder", "cancelorder", "batchorder", "batchorder"]),
    ],
)
async def test_each_order_action_is_one_request(
    ex: KrakenConnector, venue: Any, sym: Symbol, names: list[str]
) -> None:
    inst = await ex.instrument(sym)
    request = await _resting(ex, sym, f"one{sym.kind.value}")
    placed, sent = await _sent(venue, ex.place_order(request))
    assert sent == names[:1]
    # Spot's AddOrder tells no state (ACCEPTED); Futures' PLACE event does (NEW).
    assert placed.status is (OrderStatus.ACCEPTED if sym is SPOT else OrderStatus.NEW)
    assert request.price is not None
    new_price = request.price - inst.tick_size
    amend = AmendRequest(sym, client_order_id=request.client_order_id, price=new_price)
    amended, sent = await _sent(venue, ex.amend_order(amend))
    assert sent == names[1:2]
    assert (amended.order_id, amended.price, amended.quantity) == (
        placed.order_id,
        new_price,
        request.quantity,
    )
    cancel = ex.cancel_order(sym, client_order_id=request.client_order_id)
    canceled, sent = await _sent(venue, cancel)
    assert sent == names[2:3]
    assert (canceled.order_id, canceled.status) == (placed.order_id, OrderStatus.CANCELED)
    assert canceled.price == new_price

    batch = [await _resting(ex, sym, f"b{n}{sym.kind.value}", n) for n in range(3)]
    results, sent = await _sent(venue, ex.place_batch_orders(batch))
    assert sent == names[3:4]
    orders = [r for r in results if isinstance(r, Order)]
    assert [o.client_order_id for o in orders] == [r.client_order_id for r in batch]
    ids = [o.order_id for o in orders]
    results, sent = await _sent(venue, ex.cancel_batch(sym, ids[:2]))
    assert sent == names[4:5]
    assert [(getattr(r, "order_id", None), getattr(r, "status", None)) for r in results] == [
        (i, OrderStatus.CANCELED) for i in ids[:2]
    ]
    assert [o.order_id for o in await ex.get_open_orders(sym)] == ids[2:]


async def test_futures_quantity_amend_reads_the_filled_size_first(
    ex: KrakenConnector, venue: Any
) -> None:
    request = await _resting(ex, PERP, "fqty")
    placed = await ex.place_order(request)
    bigger = request.quantity * 2
    amend = AmendRequest(PERP, order_id=placed.order_id, quantity=bigger)
    amended, sent = await _sent(venue, ex.amend_order(amend))
    assert sent == ["openorders", "editorder"]  # editorder's size is the open size
    assert amended.quantity == bigger
    [held] = await ex.get_open_orders(PERP)
    assert (held.order_id, held.quantity) == (placed.order_id, bigger)


async def test_an_order_this_connector_never_saw(ex: KrakenConnector, venue: Any) -> None:
    async with KrakenConnector(
        api_key=venue.api_key, secret=venue.secret, urls=venue.urls
    ) as other:
        spot = await other.place_order(await _resting(ex, SPOT, "never-spot"))
        perp = await other.place_order(await _resting(ex, PERP, "never-perp"))
    await ex.load_instruments()
    # Spot: the cancel first, then one read for the order it canceled.
    canceled, sent = await _sent(venue, ex.cancel_order(SPOT, order_id=spot.order_id))
    assert sent == ["CancelOrder", "QueryOrders"]
    assert (canceled.status, canceled.client_order_id) == (OrderStatus.CANCELED, "never-spot")
    # Futures: the CANCEL event carries the whole order.
    canceled, sent = await _sent(venue, ex.cancel_order(PERP, order_id=perp.order_id))
    assert sent == ["cancelorder"]
    assert (canceled.status, canceled.client_order_id) == (OrderStatus.CANCELED, "never-perp")


async def test_spot_cancel_refusals(ex: KrakenConnector, venue: Any) -> None:
    await ex.load_instruments()
    # An all-digit id is a userref to CancelOrder: never sent.
    before = len(venue.view.requests)
    with pytest.raises(OrderNotFound, match="userref"):
        await ex.cancel_order(SPOT, order_id="987654321")
    assert len(venue.view.requests) == before
    # An unknown txid: the cancel's own OrderNotFound (after a read confirming it).
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(SPOT, order_id="OABCDE-FGHIJ-KLMNOP")
    # An order that already filled: OrderRejected naming its state.
    inst = await ex.instrument(SPOT)
    book = await ex.get_orderbook(SPOT, 1)
    qty = inst.min_quantity
    if inst.min_notional:
        qty = max(qty, inst.round_quantity(inst.min_notional / book.asks[0].price * 2))
    taken = await ex.place_order(OrderRequest(SPOT, Side.BUY, OrderType.MARKET, qty))
    with pytest.raises(OrderRejected, match="filled"):
        await ex.cancel_order(SPOT, order_id=taken.order_id)

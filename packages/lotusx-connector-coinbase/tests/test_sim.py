"""Coinbase-specific behaviour against the simulated venue (skipped without its dialect)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from lotusx.connectors.coinbase import ClientOrderIdReused, CoinbaseConnector
from lotusx.core.errors import OrderNotFound, PostOnlyWouldTake
from lotusx.core.orders import OrderLedger
from lotusx.core.types import (
    AmendRequest,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

T = TypeVar("T")
TIMEOUT = 10.0


async def first(stream: AsyncIterator[T], wanted: Callable[[T], bool]) -> T:
    async def scan() -> T:
        async for item in stream:
            if wanted(item):
                return item
        raise AssertionError("stream ended")

    return await asyncio.wait_for(scan(), TIMEOUT)


async def sent(venue: Any, action: Awaitable[T]) -> tuple[T, list[tuple[str, str]]]:
    """Run an order action; also return the REST requests (method, route) the venue saw."""
    before = len(venue.view.requests)
    result = await action
    return result, [(r.method, r.path) for r in venue.view.requests[before:]]


CREATE = [("POST", "/orders")]
EDIT = [("POST", "/orders/edit")]
CANCEL = [("POST", "/orders/batch_cancel")]


async def spot(ex: CoinbaseConnector) -> Symbol:
    return (await ex.get_instruments())[0].symbol


async def resting(ex: CoinbaseConnector, sym: Symbol, cid: str) -> OrderRequest:
    inst = await ex.instrument(sym)
    book = await ex.get_orderbook(sym, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.98"), Side.BUY)
    quantity = Decimal("0.01")
    return OrderRequest(sym, Side.BUY, OrderType.LIMIT, quantity, price, TimeInForce.GTC, cid)


async def test_instruments_map_both_ways(ex: CoinbaseConnector, venue: Any) -> None:
    instruments = await ex.get_instruments()
    assert {i.native_id for i in instruments} == {s.symbol for s in venue.view.instruments()}
    for inst in instruments:
        assert inst.native_id == f"{inst.symbol.base}-{inst.symbol.quote}"
        assert (await ex.instrument(str(inst.symbol))).native_id == inst.native_id


async def test_lost_placement_answer_is_resolved_by_client_order_id(
    ex: CoinbaseConnector, venue: Any
) -> None:
    sym = await spot(ex)
    request = await resting(ex, sym, "sim-lost-1")
    venue.faults.fail_after_accept(1, mode="5xx")
    order = await ex.place_order(request)
    assert order.client_order_id == "sim-lost-1" and order.status is OrderStatus.ACCEPTED
    spec = next(s for s in venue.view.instruments() if s.symbol == order_native(ex, sym))
    held = venue.view.open_orders(spec.market, spec.symbol)
    assert [o.client_id for o in held] == ["sim-lost-1"]  # one order, not two


def order_native(ex: CoinbaseConnector, sym: Symbol) -> str:
    return f"{sym.base}-{sym.quote}"


async def test_lifecycle_by_client_order_id(ex: CoinbaseConnector, venue: Any) -> None:
    sym = await spot(ex)
    inst = await ex.instrument(sym)
    request = await resting(ex, sym, "sim-life")
    placed = await ex.place_order(request)
    ex.orders = OrderLedger()  # forget it: found again through the order history
    fetched = await ex.get_order(sym, client_order_id="sim-life")
    assert fetched.order_id == placed.order_id and fetched.price == request.price
    assert request.price is not None
    amended = await ex.amend_order(
        AmendRequest(sym, client_order_id="sim-life", price=request.price - inst.tick_size)
    )
    assert amended.price == request.price - inst.tick_size
    assert [o.order_id for o in await ex.get_open_orders(sym)] == [placed.order_id]
    canceled = await ex.cancel_order(sym, client_order_id="sim-life")
    assert canceled.status is OrderStatus.CANCELED
    results = await ex.cancel_batch(sym, [placed.order_id, "no-such-order"])
    assert all(isinstance(r, Exception) for r in results)
    assert isinstance(results[1], OrderNotFound)


async def test_post_only_and_immediate_orders(ex: CoinbaseConnector, venue: Any) -> None:
    sym = await spot(ex)
    inst = await ex.instrument(sym)
    book = await ex.get_orderbook(sym, 1)
    ask = book.asks[0].price
    quantity = Decimal("0.01")
    with pytest.raises(PostOnlyWouldTake) as info:
        await ex.place_order(
            OrderRequest(sym, Side.BUY, OrderType.LIMIT, quantity, ask, TimeInForce.POST_ONLY, "p")
        )
    assert info.value.exchange == "coinbase" and info.value.code
    below = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY)
    for tif in (TimeInForce.IOC, TimeInForce.FOK):
        order = await ex.place_order(
            OrderRequest(sym, Side.BUY, OrderType.LIMIT, quantity, below, tif, f"im-{tif}")
        )
        assert order.status is OrderStatus.ACCEPTED  # the reply tells no more
        final = await ex.get_order(sym, order_id=order.order_id)
        assert not final.status.is_open and final.filled_quantity == 0
    market = await ex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.MARKET, quantity, None, TimeInForce.IOC, "mk")
    )
    assert market.status is OrderStatus.ACCEPTED and market.filled_quantity == 0
    final = await ex.get_order(sym, order_id=market.order_id)
    assert final.status is OrderStatus.FILLED and final.filled_quantity == quantity
    fills = await ex.get_fills(sym)
    assert sum(f.quantity for f in fills if f.order_id == market.order_id) == quantity


async def test_book_stream_recovers_after_a_drop(ex: CoinbaseConnector, venue: Any) -> None:
    sym = await spot(ex)
    spec = next(s for s in venue.view.instruments() if s.symbol == order_native(ex, sym))
    stream = ex.stream_orderbook(sym, depth=50)
    book = await asyncio.wait_for(anext(stream), TIMEOUT)
    assert book.bids and book.asks
    venue.faults.drop_ws()
    request = await resting(ex, sym, "sim-book-1")
    request = OrderRequest(sym, Side.BUY, OrderType.LIMIT, request.quantity, book.bids[0].price)
    await ex.place_order(request)
    truth = venue.view.book(spec.symbol, spec.market, 50)

    def matches(b: Any) -> bool:
        return [(lv.price, lv.quantity) for lv in b.bids] == truth.bids

    got = await first(stream, matches)
    assert [(lv.price, lv.quantity) for lv in got.asks] == truth.asks
    assert ex._public_ws is not None and ex._public_ws.reconnects >= 1
    await stream.aclose()  # type: ignore[attr-defined]


async def test_book_stream_resyncs_after_a_sequence_gap(ex: CoinbaseConnector, venue: Any) -> None:
    sym = await spot(ex)
    spec = next(s for s in venue.view.instruments() if s.symbol == order_native(ex, sym))
    stream = ex.stream_orderbook(sym, depth=50)
    book = await asyncio.wait_for(anext(stream), TIMEOUT)
    venue.faults.sequence_gap(1)
    for n in range(2):  # the first change's push carries the gap, the book is rebuilt after
        price = book.bids[0].price
        await ex.place_order(
            OrderRequest(
                sym, Side.BUY, OrderType.LIMIT, Decimal("0.01"), price, client_order_id=f"g{n}"
            )
        )
    truth = venue.view.book(spec.symbol, spec.market, 50)
    got = await first(stream, lambda b: [(lv.price, lv.quantity) for lv in b.bids] == truth.bids)
    assert [(lv.price, lv.quantity) for lv in got.asks] == truth.asks
    assert ex._public_ws is not None
    assert ex._public_ws.protocol.gaps >= 1  # type: ignore[attr-defined]
    await stream.aclose()  # type: ignore[attr-defined]


async def test_reads_retry_through_5xx_and_429(ex: CoinbaseConnector, venue: Any) -> None:
    sym = await spot(ex)
    venue.faults.rest_5xx(2)
    assert (await ex.get_orderbook(sym, 5)).bids
    venue.faults.rest_429(1)
    assert (await ex.get_ticker(sym)).bid is not None


async def test_balances_follow_a_trade(ex: CoinbaseConnector, venue: Any) -> None:
    sym = await spot(ex)
    await ex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.MARKET, Decimal("0.01"), client_order_id="bal")
    )
    truth = venue.view.balances("spot")
    for balance in await ex.get_balances():
        assert (balance.free, balance.locked) == (
            truth[balance.asset].free,
            truth[balance.asset].locked,
        )


async def test_a_reused_client_order_id_is_not_a_placement(ex: CoinbaseConnector) -> None:
    """Coinbase returns the order that holds a reused client_order_id: a different request
    under it is ClientOrderIdReused (nothing placed), the same request is that order."""
    sym = await spot(ex)
    inst = await ex.instrument(sym)
    request = await resting(ex, sym, "sim-reuse")
    placed = await ex.place_order(request)
    assert (await ex.place_order(request)).order_id == placed.order_id  # a resend: same order
    assert request.price is not None
    other = OrderRequest(
        sym,
        Side.BUY,
        OrderType.LIMIT,
        request.quantity,
        request.price - inst.tick_size,
        TimeInForce.GTC,
        "sim-reuse",
    )
    with pytest.raises(ClientOrderIdReused):
        await ex.place_order(other)
    assert [o.order_id for o in await ex.get_open_orders(sym)] == [placed.order_id]


async def test_every_order_action_is_one_request(ex: CoinbaseConnector, venue: Any) -> None:
    """place, edit, cancel (by order id and by a known client order id) and a batch cancel of
    three: one request each; the orders are built from the acknowledgements and the ledger,
    and agree with the venue's own read."""
    sym = await spot(ex)
    inst = await ex.instrument(sym)
    request = await resting(ex, sym, "one-1")
    assert request.price is not None
    placed, paths = await sent(venue, ex.place_order(request))
    assert paths == CREATE
    assert placed.status is OrderStatus.ACCEPTED and placed.client_order_id == "one-1"
    assert (placed.quantity, placed.price, placed.filled_quantity) == (
        request.quantity,
        request.price,
        0,
    )
    assert ex.orders.find(sym, client_order_id="one-1") == placed
    read = await ex.get_order(sym, order_id=placed.order_id)
    assert (read.order_id, read.quantity, read.price) == (
        placed.order_id,
        placed.quantity,
        placed.price,
    )

    new_price, new_size = request.price - inst.tick_size, request.quantity * 2
    amended, paths = await sent(
        venue,
        ex.amend_order(
            AmendRequest(sym, client_order_id="one-1", price=new_price, quantity=new_size)
        ),
    )
    assert paths == EDIT
    assert (amended.order_id, amended.price, amended.quantity) == (
        placed.order_id,
        new_price,
        new_size,
    )
    spec = next(s for s in venue.view.instruments() if s.symbol == order_native(ex, sym))
    (held,) = venue.view.open_orders(spec.market, spec.symbol)
    assert (held.price, held.orig_qty) == (new_price, new_size)
    # The venue shows the accepted edit as EDIT_QUEUED once: an open order, already changed.
    queued = await ex.get_order(sym, order_id=placed.order_id)
    assert queued.status is OrderStatus.NEW and queued.price == new_price

    canceled, paths = await sent(venue, ex.cancel_order(sym, client_order_id="one-1"))
    assert paths == CANCEL
    assert canceled.status is OrderStatus.CANCELED
    assert (canceled.order_id, canceled.client_order_id, canceled.price) == (
        placed.order_id,
        "one-1",
        new_price,
    )
    assert (await ex.get_order(sym, order_id=placed.order_id)).status is OrderStatus.CANCELED

    others = [await ex.place_order(await resting(ex, sym, f"one-b{i}")) for i in range(3)]
    first_one, paths = await sent(venue, ex.cancel_order(sym, order_id=others[0].order_id))
    assert paths == CANCEL and first_one.status is OrderStatus.CANCELED
    results, paths = await sent(
        venue, ex.cancel_batch(sym, [o.order_id for o in others[1:]] + ["no-such-order"])
    )
    assert paths == CANCEL
    assert [r.order_id for r in results[:2] if isinstance(r, Order)] == [
        o.order_id for o in others[1:]
    ]
    assert all(isinstance(r, Order) and r.status is OrderStatus.CANCELED for r in results[:2])
    assert isinstance(results[2], OrderNotFound)
    assert await ex.get_open_orders(sym) == []


async def test_orders_never_seen_are_read_once(ex: CoinbaseConnector, venue: Any) -> None:
    """Unknown to this connector (placed by another session): a cancel by order id is sent
    first, then the order read; a client order id is read first (Coinbase cancels and edits by
    order id only); an unknown order id fails on the action itself, nothing read."""
    sym = await spot(ex)
    inst = await ex.instrument(sym)
    a = await ex.place_order(await resting(ex, sym, "never-a"))
    b = await resting(ex, sym, "never-b")
    b_placed = await ex.place_order(b)
    ex.orders = OrderLedger()
    canceled, paths = await sent(venue, ex.cancel_order(sym, order_id=a.order_id))
    assert paths == [*CANCEL, ("GET", "/orders/historical/{order_id}")]
    assert canceled.status is OrderStatus.CANCELED and canceled.client_order_id == "never-a"
    ex.orders = OrderLedger()
    assert b.price is not None
    amended, paths = await sent(
        venue,
        ex.amend_order(
            AmendRequest(sym, client_order_id="never-b", price=b.price - inst.tick_size)
        ),
    )
    assert paths[0] == ("GET", "/orders/historical/batch") and paths[1:] == EDIT
    assert amended.order_id == b_placed.order_id and amended.price == b.price - inst.tick_size
    _, paths = await sent(venue, ex.cancel_order(sym, client_order_id="never-b"))
    assert paths == CANCEL  # known since the amendment's read
    with pytest.raises(OrderNotFound):
        await sent(venue, ex.cancel_order(sym, order_id="987654321"))
    assert [(r.method, r.path) for r in venue.view.requests[-1:]] == CANCEL


async def test_a_resent_placement_returns_the_order_known(
    ex: CoinbaseConnector, venue: Any
) -> None:
    """The identical request sent again names the order already held: one request, no new
    order, and the order as this connector knows it (here: canceled meanwhile)."""
    sym = await spot(ex)
    request = await resting(ex, sym, "again")
    placed = await ex.place_order(request)
    canceled = await ex.cancel_order(sym, order_id=placed.order_id)
    again, paths = await sent(venue, ex.place_order(request))
    assert paths == CREATE
    assert again == canceled
    assert await ex.get_open_orders(sym) == []

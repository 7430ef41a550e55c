"""Coinbase-specific behaviour against the simulated venue (skipped without its dialect)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from lotusx.connectors.coinbase import ClientOrderIdReused, CoinbaseConnector
from lotusx.core.errors import OrderNotFound, PostOnlyWouldTake
from lotusx.core.types import (
    AmendRequest,
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
    assert order.client_order_id == "sim-lost-1" and order.status is OrderStatus.NEW
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
    ex._order_ids.clear()  # forget it: found again through the order history
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
        assert not order.status.is_open and order.filled_quantity == 0
    market = await ex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.MARKET, quantity, None, TimeInForce.IOC, "mk")
    )
    assert market.status is OrderStatus.FILLED and market.filled_quantity == quantity
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

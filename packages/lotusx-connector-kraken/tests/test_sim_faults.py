"""Resynchronisation and placement resolution under the simulator's faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest

from lotusx.connectors.kraken import KrakenConnector
from lotusx.core.observability import REGISTRY
from lotusx.core.types import OrderBook, OrderRequest, OrderStatus, OrderType, Side, Symbol

SPOT = Symbol("BTC", "USD")
PERP = Symbol("BTC", "USD", "USD")


@pytest.fixture
async def live() -> AsyncIterator[Any]:
    """A venue whose market moves (books change every tick)."""
    sim = pytest.importorskip("lotusx.sim")
    if "kraken" not in sim.Venue.available():
        pytest.skip("lotusx-sim has no kraken dialect")
    async with sim.Venue.start("kraken", seed=5) as v:
        yield v


@pytest.fixture
async def lex(live: Any) -> AsyncIterator[KrakenConnector]:
    async with KrakenConnector(api_key=live.api_key, secret=live.secret, urls=live.urls) as c:
        yield c


def _resyncs(reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "lotusx_book_resyncs_total", {"exchange": "kraken", "reason": reason}
    )
    return value or 0.0


async def _until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def _collect(stream: AsyncIterator[OrderBook], into: list[OrderBook]) -> None:
    async for book in stream:
        into.append(book)


@pytest.mark.parametrize(("sym", "fault", "reason"), [
    (SPOT, "bad_checksum", "checksum"),
    (PERP, "sequence_gap", "sequence_gap"),
])  # fmt: skip
async def test_book_stream_resyncs_and_catches_up(
    lex: KrakenConnector, live: Any, sym: Symbol, fault: str, reason: str
) -> None:
    books: list[OrderBook] = []
    task = asyncio.create_task(_collect(lex.stream_orderbook(sym, 10), books))
    try:
        await _until(lambda: len(books) >= 3)
        before = _resyncs(reason)
        getattr(live.faults, fault)(1)
        await _until(lambda: _resyncs(reason) > before)
        count = len(books)
        await _until(lambda: len(books) > count + 2)
        await live.core.stop()  # freeze the market: the stream must settle on the venue's book
        await asyncio.sleep(0.5)
        rest = await lex.get_orderbook(sym, 10)
        await _until(lambda: books[-1].bids == rest.bids and books[-1].asks == rest.asks)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_lost_placement_reply_is_resolved_by_client_id(
    lex: KrakenConnector, live: Any, sym: Symbol
) -> None:
    inst = await lex.instrument(sym)
    book = await lex.get_orderbook(sym, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY)
    qty = inst.min_quantity
    if inst.min_notional:
        qty = max(qty, inst.round_quantity(inst.min_notional / price * 2) + inst.lot_size)
    live.faults.fail_after_accept(1, "5xx")
    order = await lex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price, client_order_id=f"lost{sym.kind}")
    )
    assert order.client_order_id == f"lost{sym.kind}"
    assert order.status is OrderStatus.NEW
    assert len(await lex.get_open_orders(sym)) == 1  # placed once, not twice


# Futures: the cancel made while the stream was away is read back with POST /orders/status.
@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_private_stream_catches_up_after_a_drop(
    lex: KrakenConnector, live: Any, sym: Symbol
) -> None:
    inst = await lex.instrument(sym)
    book = await lex.get_orderbook(sym, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY)
    qty = inst.min_quantity
    if inst.min_notional:
        qty = max(qty, inst.round_quantity(inst.min_notional / price * 2) + inst.lot_size)
    seen: list[Any] = []

    async def consume() -> None:
        async for order in lex.stream_orders(sym.kind):
            seen.append(order)

    task = asyncio.create_task(consume())
    try:
        await asyncio.sleep(0.5)
        placed = await lex.place_order(
            OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price, client_order_id="gap1")
        )
        await _until(lambda: any(o.order_id == placed.order_id for o in seen))
        assert live.faults.drop_ws() >= 1
        await lex.cancel_order(sym, order_id=placed.order_id)  # while the stream is away
        await _until(
            lambda: any(
                o.order_id == placed.order_id and o.status is OrderStatus.CANCELED for o in seen
            )
        )
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_lost_batch_reply_is_resolved_by_client_ids(
    lex: KrakenConnector, live: Any, sym: Symbol
) -> None:
    inst = await lex.instrument(sym)
    book = await lex.get_orderbook(sym, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY)
    qty = inst.min_quantity
    if inst.min_notional:
        qty = max(qty, inst.round_quantity(inst.min_notional / price * 2) + inst.lot_size)
    requests = [
        OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price - inst.tick_size * n,
                     client_order_id=f"lb{n}{sym.kind}")
        for n in range(2)
    ]  # fmt: skip
    live.faults.fail_after_accept(1, "5xx")
    results = await lex.place_batch_orders(requests)
    assert [getattr(r, "client_order_id", None) for r in results] == [
        r.client_order_id for r in requests
    ]
    assert len(await lex.get_open_orders(sym)) == 2  # placed once, not twice

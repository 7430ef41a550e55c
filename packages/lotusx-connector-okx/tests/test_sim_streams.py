"""End to end against the simulated OKX venue: the book's resyncs and the other streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import pytest

from lotusx.connectors.okx import OkxConnector
from lotusx.core.observability import REGISTRY
from lotusx.core.types import (
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    Symbol,
)

T = TypeVar("T")
SPOT = Symbol.parse("BTC/USDT")
PERP = Symbol.parse("BTC/USDT:USDT")
TRUTH = {SPOT: ("BTC-USDT", "spot"), PERP: ("BTC-USDT-SWAP", "swap")}


class Collector(Generic[T]):
    """Consumes a stream in the background."""

    def __init__(self, stream: AsyncIterator[T]) -> None:
        self.items: list[T] = []
        self.error: BaseException | None = None
        self._task = asyncio.create_task(self._run(stream))

    async def _run(self, stream: AsyncIterator[T]) -> None:
        try:
            async for item in stream:
                self.items.append(item)
        except Exception as exc:
            self.error = exc

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 8.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def _resyncs(reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "lotusx_book_resyncs_total", {"exchange": "okx", "reason": reason}
    )
    return value or 0.0


async def _book_matches_truth(
    ex: OkxConnector, venue: Any, books: Collector[OrderBook], sym: Symbol
) -> None:
    """Freeze the market, then the stream's latest book must be the venue's book (base units)."""
    await venue.core.stop()
    native, market = TRUTH[sym]

    def caught_up() -> bool:
        truth = venue.view.book(native, market)
        return bool(books.items) and books.items[-1].sequence == truth.update_id

    await eventually(caught_up)
    latest = books.items[-1]
    truth = venue.view.book(native, market, 20)
    assert [(lv.price, lv.quantity) for lv in latest.bids] == truth.bids
    assert [(lv.price, lv.quantity) for lv in latest.asks] == truth.asks
    assert latest.bids[0].price < latest.asks[0].price


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_book_stream_equals_venue_book(ex: OkxConnector, venue: Any, sym: Symbol) -> None:
    books = Collector(ex.stream_orderbook(sym, 20))
    try:
        await eventually(lambda: len(books.items) >= 5)
        sequences = [b.sequence for b in books.items]
        assert sequences == sorted(sequences)
        await _book_matches_truth(ex, venue, books, sym)
    finally:
        await books.close()
    assert books.error is None


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_book_resyncs_after_bad_checksum_gap_and_drop(
    ex: OkxConnector, venue: Any, sym: Symbol
) -> None:
    books = Collector(ex.stream_orderbook(sym, 20))
    try:
        await eventually(lambda: len(books.items) >= 3)
        checksums = _resyncs("checksum")
        venue.faults.bad_checksum(1)
        await eventually(lambda: _resyncs("checksum") > checksums)
        count = len(books.items)
        await eventually(lambda: len(books.items) > count + 3)
        gaps = _resyncs("sequence_gap")
        venue.faults.sequence_gap(1)
        await eventually(lambda: _resyncs("sequence_gap") > gaps)
        count = len(books.items)
        await eventually(lambda: len(books.items) > count + 3)
        drops = _resyncs("closed") + _resyncs("error")
        assert venue.faults.drop_ws() >= 1
        await eventually(lambda: _resyncs("closed") + _resyncs("error") > drops)
        count = len(books.items)
        await eventually(lambda: len(books.items) > count + 3)
        await _book_matches_truth(ex, venue, books, sym)
    finally:
        await books.close()
    assert books.error is None


async def test_trade_candle_and_mark_streams(ex: OkxConnector, venue: Any) -> None:
    trades = Collector(ex.stream_trades(PERP))
    candles = Collector(ex.stream_candles(PERP, "1m"))
    marks = Collector(ex.stream_mark_price(PERP))
    try:
        await ex.stream_ready("ws_public")
        await ex.stream_ready("ws_business")
        await asyncio.sleep(0.3)
        inst = await ex.instrument(PERP)
        order = await ex.place_order(
            OrderRequest(PERP, Side.BUY, OrderType.MARKET, inst.lot_size * 7, client_order_id="t1")
        )
        assert order.status is OrderStatus.ACCEPTED  # the ack reports no fills
        assert (await ex.get_order(PERP, order_id=order.order_id)).status is OrderStatus.FILLED
        await eventually(lambda: sum(t.quantity for t in trades.items if t.side is Side.BUY) > 0)
        await eventually(lambda: bool(candles.items) and bool(marks.items))
        assert candles.items[-1].symbol == PERP and candles.items[-1].interval == "1m"
        assert marks.items[-1].mark_price > 0
    finally:
        for c in (trades, candles, marks):
            await c.close()


async def test_private_streams(ex: OkxConnector, venue: Any) -> None:
    orders = Collector(ex.stream_orders())
    fills = Collector(ex.stream_fills())
    positions = Collector(ex.stream_positions())
    try:
        await ex.stream_ready("ws_private")
        await asyncio.sleep(0.3)
        inst = await ex.instrument(PERP)
        quantity = inst.lot_size * 4
        await ex.place_order(
            OrderRequest(PERP, Side.BUY, OrderType.MARKET, quantity, client_order_id="s1")
        )
        await eventually(
            lambda: any(
                o.client_order_id == "s1" and o.status is OrderStatus.FILLED for o in orders.items
            )
        )
        done = next(o for o in orders.items if o.status is OrderStatus.FILLED)
        assert done.filled_quantity == quantity and done.symbol == PERP
        await eventually(lambda: sum(f.quantity for f in fills.items) == quantity)
        assert all(f.client_order_id == "s1" for f in fills.items)
        await eventually(
            lambda: any(
                p.side is PositionSide.LONG and p.quantity == quantity for p in positions.items
            )
        )
    finally:
        for c in (orders, fills, positions):
            await c.close()
    assert orders.error is None and fills.error is None and positions.error is None


async def test_balance_stream_follows_the_venue(ex: OkxConnector, venue: Any) -> None:
    balances = Collector(ex.stream_balances())
    try:
        await ex.stream_ready("ws_private")
        await asyncio.sleep(0.3)
        spot = await ex.instrument(SPOT)
        await ex.place_order(
            OrderRequest(
                SPOT, Side.BUY, OrderType.MARKET, spot.min_quantity * 10, client_order_id="s2"
            )
        )

        def balance_matches() -> bool:
            truth = venue.view.balances("spot")["USDT"]
            usdt = [b for b in balances.items if b.asset == "USDT"]
            return bool(usdt) and (usdt[-1].free, usdt[-1].locked) == (truth.free, truth.locked)

        await eventually(balance_matches, timeout=4.0)
    finally:
        await balances.close()


async def test_private_stream_survives_a_reconnect(ex: OkxConnector, venue: Any) -> None:
    orders = Collector(ex.stream_orders())
    try:
        await ex.stream_ready("ws_private")
        assert venue.faults.drop_ws() >= 1
        await asyncio.sleep(0.5)
        await ex.stream_ready("ws_private")
        await asyncio.sleep(0.3)
        inst = await ex.instrument(SPOT)
        await ex.place_order(
            OrderRequest(
                SPOT, Side.BUY, OrderType.MARKET, inst.min_quantity * 10, client_order_id="r1"
            )
        )
        await eventually(lambda: any(o.client_order_id == "r1" for o in orders.items))
    finally:
        await orders.close()
    assert orders.error is None

"""End to end against the simulated Binance venue: market and user-data streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pytest

from lotusx.connectors.binance import BinanceConnector
from lotusx.connectors.binance.endpoints import Venue as Api
from lotusx.core.errors import NotSupportedError
from lotusx.core.observability import REGISTRY
from lotusx.core.types import (
    MarketKind,
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
MARKET = {SPOT: "spot", PERP: "futures"}


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
        "lotusx_book_resyncs_total", {"exchange": "binance", "reason": reason}
    )
    return value or 0.0


async def _book_matches_truth(venue: Any, books: Collector[OrderBook], sym: Symbol) -> None:
    """Freeze the market, then the stream's latest book must be the venue's book."""
    await venue.core.stop()

    def caught_up() -> bool:
        truth = venue.view.book("BTCUSDT", MARKET[sym])
        return bool(books.items) and books.items[-1].sequence == truth.update_id

    await eventually(caught_up)
    latest = books.items[-1]
    truth = venue.view.book("BTCUSDT", MARKET[sym], 20)
    assert [(lv.price, lv.quantity) for lv in latest.bids] == truth.bids
    assert [(lv.price, lv.quantity) for lv in latest.asks] == truth.asks
    assert len(latest.bids) == 20 and latest.bids[0].price < latest.asks[0].price


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_book_stream_equals_venue_book(ex: BinanceConnector, venue: Any, sym: Symbol) -> None:
    books = Collector(ex.stream_orderbook(sym, 20))
    try:
        await eventually(lambda: len(books.items) >= 5)
        assert all(len(b.bids) <= 20 and len(b.asks) <= 20 for b in books.items)
        sequences = [b.sequence for b in books.items]
        assert sequences == sorted(sequences)
        await _book_matches_truth(venue, books, sym)
    finally:
        await books.close()
    assert books.error is None


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_book_stream_resyncs_after_a_gap_and_a_drop(
    ex: BinanceConnector, venue: Any, sym: Symbol
) -> None:
    books = Collector(ex.stream_orderbook(sym, 20))
    try:
        await eventually(lambda: len(books.items) >= 3)
        gaps, drops = _resyncs("sequence_gap"), _resyncs("closed") + _resyncs("error")
        venue.faults.sequence_gap(1)
        await eventually(lambda: _resyncs("sequence_gap") > gaps)
        count = len(books.items)
        await eventually(lambda: len(books.items) > count + 3)
        assert venue.faults.drop_ws() >= 1
        await eventually(lambda: _resyncs("closed") + _resyncs("error") > drops)
        count = len(books.items)
        await eventually(lambda: len(books.items) > count + 3)
        await _book_matches_truth(venue, books, sym)
    finally:
        await books.close()
    assert books.error is None


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_trade_and_candle_streams(ex: BinanceConnector, venue: Any, sym: Symbol) -> None:
    trades = Collector(ex.stream_trades(sym))
    candles = Collector(ex.stream_candles(sym, "1m"))
    try:
        await asyncio.sleep(0.3)  # subscribed before the trade happens
        inst = await ex.instrument(sym)
        order = await ex.place_order(
            OrderRequest(sym, Side.BUY, OrderType.MARKET, inst.min_quantity * 100)
        )
        assert order.average_price is not None
        ours = [
            t
            for t in venue.view.trades("BTCUSDT", MARKET[sym])
            if t.buyer_order_id == int(order.order_id)
        ]
        assert ours
        await eventually(
            lambda: {str(t.trade_id) for t in ours} <= {t.trade_id for t in trades.items}
        )
        seen = {t.trade_id: t for t in trades.items}
        for truth in ours:
            got = seen[str(truth.trade_id)]
            assert (got.price, got.quantity, got.side) == (truth.price, truth.qty, Side.BUY)
        await eventually(lambda: bool(candles.items))
        assert candles.items[-1].interval == "1m" and candles.items[-1].symbol == sym
    finally:
        await trades.close()
        await candles.close()


async def test_mark_price_stream(ex: BinanceConnector, venue: Any) -> None:
    marks = Collector(ex.stream_mark_price(PERP))
    try:
        await eventually(lambda: bool(marks.items))
        assert marks.items[-1].mark_price > 0 and marks.items[-1].index_price is not None
    finally:
        await marks.close()
    with pytest.raises(NotSupportedError):
        ex.stream_mark_price(SPOT)


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_user_data_orders_and_fills(ex: BinanceConnector, venue: Any, sym: Symbol) -> None:
    kind = sym.kind
    orders = Collector(ex.stream_orders(kind))
    fills = Collector(ex.stream_fills(kind))
    try:
        await ex.user_stream_ready(kind)
        inst = await ex.instrument(sym)
        qty = inst.min_quantity * 100
        book = await ex.get_orderbook(sym, 5)
        resting = await ex.place_order(
            OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, book.bids[0].price - 50)
        )
        await ex.cancel_order(sym, order_id=resting.order_id)
        taker = await ex.place_order(OrderRequest(sym, Side.SELL, OrderType.MARKET, qty))
        await eventually(
            lambda: any(
                o.order_id == taker.order_id and o.status is OrderStatus.FILLED
                for o in orders.items
            )
        )
        statuses = [o.status for o in orders.items if o.order_id == resting.order_id]
        assert statuses == [OrderStatus.NEW, OrderStatus.CANCELED]
        assert {o.client_order_id for o in orders.items if o.order_id == resting.order_id} == {
            resting.client_order_id
        }
        await eventually(lambda: sum(f.quantity for f in fills.items) == qty)
        truth = venue.view.fills(MARKET[sym], "BTCUSDT")
        assert sorted(f.trade_id for f in fills.items) == sorted(str(f.trade_id) for f in truth)
        assert all(f.order_id == taker.order_id and f.side is Side.SELL for f in fills.items)
        assert all(not f.is_maker for f in fills.items)
    finally:
        await orders.close()
        await fills.close()
    assert orders.error is None and fills.error is None


async def test_user_data_balances_after_a_spot_fill(ex: BinanceConnector, venue: Any) -> None:
    balances = Collector(ex.stream_balances(MarketKind.SPOT))
    try:
        await ex.user_stream_ready(MarketKind.SPOT)
        inst = await ex.instrument(SPOT)
        await ex.place_order(
            OrderRequest(SPOT, Side.BUY, OrderType.MARKET, inst.min_quantity * 100)
        )
        truth = venue.view.balances("spot")

        def latest(asset: str) -> Decimal | None:
            found = [b for b in balances.items if b.asset == asset]
            return found[-1].free if found else None

        await eventually(lambda: latest("BTC") == truth["BTC"].free)
        assert latest("USDT") == truth["USDT"].free
        assert {b.wallet for b in balances.items} == {"spot"}
    finally:
        await balances.close()


async def test_user_data_positions_and_futures_balances(ex: BinanceConnector, venue: Any) -> None:
    positions = Collector(ex.stream_positions())
    balances = Collector(ex.stream_balances(MarketKind.LINEAR))
    try:
        await ex.user_stream_ready(MarketKind.LINEAR)
        inst = await ex.instrument(PERP)
        qty = inst.min_quantity * 30
        await ex.place_order(OrderRequest(PERP, Side.BUY, OrderType.MARKET, qty))
        await eventually(lambda: bool(positions.items))
        [truth] = venue.view.positions()
        position = positions.items[-1]
        assert (position.symbol, position.side, position.quantity) == (PERP, PositionSide.LONG, qty)
        assert position.entry_price == truth.entry_price
        assert position.leverage == venue.view.leverage("BTCUSDT")
        await eventually(lambda: any(b.asset == "USDT" for b in balances.items))
        wallet = venue.view.balances("futures")["USDT"]
        assert [b for b in balances.items if b.asset == "USDT"][-1].total == wallet.total
    finally:
        await positions.close()
        await balances.close()


async def test_user_stream_merges_both_venues(ex: BinanceConnector, venue: Any) -> None:
    orders = Collector(ex.stream_orders())
    try:
        await ex.user_stream_ready()
        for sym in (SPOT, PERP):
            inst = await ex.instrument(sym)
            await ex.place_order(
                OrderRequest(sym, Side.BUY, OrderType.MARKET, inst.min_quantity * 100)
            )
        await eventually(lambda: {o.symbol for o in orders.items} == {SPOT, PERP})
    finally:
        await orders.close()


@pytest.mark.parametrize("keepalive", [0.3, 3600.0])
async def test_listen_key_keepalive_and_expiry(keepalive: float) -> None:
    """Keys live 1.5 s here: kept alive, the stream never reconnects; left to expire, Binance
    says ``listenKeyExpired`` and the stream reconnects with a fresh key. Events flow either way."""
    sim = pytest.importorskip("lotusx.sim")
    async with sim.Venue.start("binance", seed=7, listen_key_ms=1500) as venue:
        ex = BinanceConnector(api_key=venue.api_key, secret=venue.secret, urls=venue.urls)
        ex.listen_key_keepalive = keepalive
        async with ex:
            orders = Collector(ex.stream_orders(MarketKind.SPOT))
            try:
                await ex.user_stream_ready(MarketKind.SPOT)
                await asyncio.sleep(2.5)
                session = ex._user_ws[Api.SPOT].session
                if keepalive < 1:
                    assert session.reconnects == 0
                else:
                    await eventually(lambda: session.reconnects >= 1)
                    await ex.user_stream_ready(MarketKind.SPOT)
                inst = await ex.instrument(SPOT)
                placed = await ex.place_order(
                    OrderRequest(SPOT, Side.BUY, OrderType.MARKET, inst.min_quantity * 100)
                )
                await eventually(lambda: any(o.order_id == placed.order_id for o in orders.items))
            finally:
                await orders.close()


async def test_listen_keys_are_closed_with_the_connector(venue: Any) -> None:
    async with BinanceConnector(api_key=venue.api_key, secret=venue.secret, urls=venue.urls) as ex:
        orders = Collector(ex.stream_orders())
        await ex.user_stream_ready()
        await orders.close()
    closed = {(r.method, r.path) for r in venue.view.requests if r.method == "DELETE"}
    assert {("DELETE", "/api/v3/userDataStream"), ("DELETE", "/fapi/v1/listenKey")} <= closed

"""Order entry over the WebSocket API (``order_transport="ws"``) against the simulated venue:
each action is one WebSocket request and changes the venue's state; REST only where the socket
is down (or for what the WebSocket API does not offer: USDⓈ-M batches)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from lotusx.connectors.binance import BinanceConnector
from lotusx.connectors.binance.endpoints import Venue as BinanceVenue
from lotusx.core.connector import OrderTransport
from lotusx.core.errors import InsufficientFunds, OrderNotFound, PostOnlyWouldTake
from lotusx.core.testing import ConformanceSuite, Target
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
SPOT = Symbol.parse("BTC/USDT")
PERP = Symbol.parse("BTC/USDT:USDT")
MARKET = {SPOT: "spot", PERP: "futures"}


@pytest.fixture
async def quiet() -> AsyncIterator[Any]:
    """A venue whose market makers never re-quote."""
    sim = pytest.importorskip("lotusx.sim")
    async with sim.Venue.start("binance", seed=7, tick_interval=3600) as v:
        yield v


@pytest.fixture
async def ws(quiet: Any) -> AsyncIterator[BinanceConnector]:
    async with BinanceConnector(
        api_key=quiet.api_key, secret=quiet.secret, urls=quiet.urls, order_transport="ws"
    ) as connector:
        await connector.load_instruments()
        yield connector


async def _sent(venue: Any, action: Awaitable[T]) -> tuple[T, list[str]]:
    """Run an order action; the requests it cost the venue (``WS method``, ``METHOD path``)."""
    before = len(venue.view.requests)
    result = await action
    return result, [f"{r.method} {r.path}" for r in venue.view.requests[before:]]


async def _passive(ex: BinanceConnector, sym: Symbol, away: int = 200) -> tuple[Decimal, Decimal]:
    inst = await ex.instrument(sym)
    book = await ex.get_orderbook(sym, 5)
    price = inst.round_price(book.bids[0].price - away * inst.tick_size * 10, Side.BUY)
    return price, inst.min_quantity * 200


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_every_order_action_is_one_websocket_request(
    ws: BinanceConnector, quiet: Any, sym: Symbol
) -> None:
    market = MARKET[sym]
    inst = await ws.instrument(sym)
    price, qty = await _passive(ws, sym)
    placed, sent = await _sent(
        quiet, ws.place_order(OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price))
    )
    assert sent == ["WS order.place"]
    truth = quiet.view.order(client_id=placed.client_order_id, market=market)
    assert truth is not None and (truth.status, truth.price, truth.orig_qty) == ("NEW", price, qty)
    assert placed.status is OrderStatus.NEW and placed.order_id == str(truth.order_id)
    assert ws.orders.find(sym, placed.order_id) == placed

    smaller, sent = await _sent(
        quiet, ws.amend_order(AmendRequest(sym, order_id=placed.order_id, quantity=qty / 2))
    )
    assert sent == ["WS order.amend.keepPriority" if sym is SPOT else "WS order.modify"]
    assert (smaller.order_id, smaller.quantity, smaller.created_at) == (
        placed.order_id,
        qty / 2,
        placed.created_at,
    )
    assert quiet.view.order(client_id=placed.client_order_id, market=market).orig_qty == qty / 2

    new_price = price - inst.tick_size * 5
    moved, sent = await _sent(
        quiet,
        ws.amend_order(AmendRequest(sym, client_order_id=placed.client_order_id, price=new_price)),
    )
    assert sent == ["WS order.cancelReplace" if sym is SPOT else "WS order.modify"]
    assert (moved.price, moved.quantity, moved.client_order_id) == (
        new_price,
        qty / 2,
        placed.client_order_id,
    )
    assert [(o.price, o.orig_qty) for o in quiet.view.open_orders(market)] == [(new_price, qty / 2)]
    if sym is SPOT:  # a new order id; the old one is known canceled
        old = ws.orders.find(sym, placed.order_id)
        assert old is not None and old.status is OrderStatus.CANCELED

    canceled, sent = await _sent(quiet, ws.cancel_order(sym, order_id=moved.order_id))
    assert sent == ["WS order.cancel"]
    assert (canceled.status, canceled.created_at) == (OrderStatus.CANCELED, moved.created_at)
    assert quiet.view.open_orders(market) == []


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_batches_spot_one_websocket_request_each_futures_rest_batch(
    ws: BinanceConnector, quiet: Any, sym: Symbol
) -> None:
    inst = await ws.instrument(sym)
    price, qty = await _passive(ws, sym)
    requests = [
        OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price - i * inst.tick_size)
        for i in range(3)
    ]
    batch, sent = await _sent(quiet, ws.place_batch_orders(requests))
    orders = [o for o in batch if isinstance(o, Order)]
    assert len(orders) == 3 and len(quiet.view.open_orders(MARKET[sym])) == 3
    cancels, cancel_sent = await _sent(quiet, ws.cancel_batch(sym, [o.order_id for o in orders]))
    assert all(isinstance(c, Order) and c.status is OrderStatus.CANCELED for c in cancels)
    assert quiet.view.open_orders(MARKET[sym]) == []
    if sym is SPOT:  # no batch method anywhere: one order.place / order.cancel each
        assert (sent, cancel_sent) == (["WS order.place"] * 3, ["WS order.cancel"] * 3)
    else:  # the WebSocket API documents no batch methods: REST batchOrders
        assert (sent, cancel_sent) == (
            ["POST /fapi/v1/batchOrders"],
            ["DELETE /fapi/v1/batchOrders"],
        )


async def test_errors_over_the_socket_are_the_typed_rest_errors(
    ws: BinanceConnector, quiet: Any
) -> None:
    inst = await ws.instrument(SPOT)
    price, _ = await _passive(ws, SPOT)
    usdt = quiet.view.balances("spot")["USDT"].free
    huge = inst.round_quantity(usdt * 2 / price)
    with pytest.raises(InsufficientFunds):
        await ws.place_order(OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, huge, price))
    for sym in (SPOT, PERP):
        with pytest.raises(OrderNotFound):
            await ws.cancel_order(sym, order_id="987654321")
    ask = (await ws.get_orderbook(SPOT, 1)).asks[0].price
    with pytest.raises(PostOnlyWouldTake):
        await ws.place_order(
            OrderRequest(
                SPOT,
                Side.BUY,
                OrderType.LIMIT,
                inst.min_quantity * 10,
                ask,
                TimeInForce.POST_ONLY,
            )
        )
    errors = [r for r in quiet.view.requests if r.method == "WS" and r.status >= 400]
    assert len(errors) == 4
    assert not any(r.path.endswith("/order") and r.method != "GET" for r in quiet.view.requests)


async def test_a_dropped_socket_sends_the_order_over_rest_once(
    ws: BinanceConnector, quiet: Any
) -> None:
    price, qty = await _passive(ws, SPOT)
    await ws._order_ws[BinanceVenue.SPOT].client.drop()
    placed, sent = await _sent(
        quiet, ws.place_order(OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, price))
    )
    assert sent == ["POST /api/v3/order"]
    assert [o.client_id for o in quiet.view.open_orders("spot")] == [placed.client_order_id]
    # it reconnects; orders go back over the socket
    client = ws._order_ws[BinanceVenue.SPOT].client
    for _ in range(200):
        if client.ready:
            break
        await asyncio.sleep(0.02)
    _, sent = await _sent(quiet, ws.cancel_order(SPOT, order_id=placed.order_id))
    assert sent == ["WS order.cancel"]


async def test_a_socket_that_never_connects_leaves_orders_on_rest(quiet: Any) -> None:
    urls = {**quiet.urls, "spot_ws_api": "ws://127.0.0.1:9/ws-api/v3"}
    async with BinanceConnector(
        api_key=quiet.api_key, secret=quiet.secret, urls=urls, order_transport="ws", timeout=0.5
    ) as ex:
        price, qty = await _passive(ex, SPOT)
        placed, sent = await _sent(
            quiet, ex.place_order(OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, price))
        )
        assert sent == ["POST /api/v3/order"]
        assert quiet.view.order(client_id=placed.client_order_id) is not None
        fut_price, fut_qty = await _passive(ex, PERP)
        _, sent = await _sent(
            quiet,
            ex.place_order(OrderRequest(PERP, Side.BUY, OrderType.LIMIT, fut_qty, fut_price)),
        )
        assert sent == ["WS order.place"]  # the other venue's socket is up


async def test_a_lost_reply_is_resolved_by_client_order_id_never_resent(
    ws: BinanceConnector, quiet: Any
) -> None:
    price, qty = await _passive(ws, SPOT)
    ws._order_ws[BinanceVenue.SPOT].client.timeout = 0.5
    quiet.faults.fail_after_accept(1, mode="timeout")
    placed, sent = await _sent(
        quiet, ws.place_order(OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, price))
    )
    assert sent == ["WS order.place", "GET /api/v3/order"]
    assert [o.client_id for o in quiet.view.open_orders("spot")] == [placed.client_order_id]


async def test_spot_replace_guard_works_the_same_over_the_socket(
    ws: BinanceConnector, quiet: Any
) -> None:
    from lotusx.sim.engine import OrderRequest as SimOrder
    from lotusx.sim.model import OrderType as SimType
    from lotusx.sim.model import Side as SimSide
    from lotusx.sim.model import TimeInForce as SimTif

    inst = await ws.instrument(SPOT)
    book = await ws.get_orderbook(SPOT, 1)
    price = book.bids[0].price + inst.tick_size  # alone at the top of the book
    qty = inst.min_quantity * 200
    placed = await ws.place_order(OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, price))
    quiet.core.engines["spot"].place(
        SimOrder("taker", "BTCUSDT", SimSide.SELL, SimType.LIMIT, qty / 4, price, SimTif.IOC)
    )
    new_price = price - inst.tick_size
    moved, sent = await _sent(
        quiet, ws.amend_order(AmendRequest(SPOT, order_id=placed.order_id, price=new_price))
    )
    # ONLY_NEW refused the stale cancel; the read found the fill; the replacement is sized by it
    assert sent == ["WS order.cancelReplace", "GET /api/v3/order", "WS order.cancelReplace"]
    assert (moved.price, moved.quantity) == (new_price, qty - qty / 4)
    [live] = quiet.view.open_orders("spot")
    assert (live.price, live.orig_qty) == (new_price, qty - qty / 4)


class TestConformanceOverWebSocket(ConformanceSuite):
    """The conformance kit with orders over the WebSocket API."""

    exchange = "binance"

    @pytest.fixture
    async def target(self) -> AsyncIterator[Target]:
        from lotusx.sim import Venue

        async with Venue.start(self.exchange, seed=self.seed, tick_interval=3600) as venue:
            connector = BinanceConnector(
                api_key=venue.api_key,
                secret=venue.secret,
                urls=venue.urls,
                order_transport=OrderTransport.WS,
            )
            async with connector:
                yield Target(connector, venue, SPOT, PERP)

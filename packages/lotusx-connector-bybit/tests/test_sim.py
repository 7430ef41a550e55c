"""End-to-end checks against lotusx-sim's Bybit dialect that the conformance kit does not make."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import ROUND_UP, Decimal
from typing import Any, TypeVar

import pytest

from lotusx.connectors.bybit import BybitConnector
from lotusx.core.errors import ExchangeError, InsufficientFunds, OrderNotFound
from lotusx.core.ratelimit import Quota, WindowKind
from lotusx.core.types import (
    AmendRequest,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    Symbol,
    TimeInForce,
)

T = TypeVar("T")
SPOT = Symbol("BTC", "USDT")
PERP = Symbol("BTC", "USDT", "USDT")
TIMEOUT = 10.0


async def first(stream: AsyncIterator[T], accept: Any = lambda _: True) -> T:
    async def scan() -> T:
        async for item in stream:
            if accept(item):
                return item
        raise AssertionError("stream ended")

    try:
        return await asyncio.wait_for(scan(), TIMEOUT)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


async def resting(ex: BybitConnector, venue: Any, symbol: Symbol, cid: str) -> OrderRequest:
    inst = await ex.instrument(symbol)
    market = "spot" if symbol.settle is None else "linear"
    bid = venue.view.book(inst.native_id, _market(venue, inst.native_id, market), 1).bids[0][0]
    price = inst.round_price(bid * Decimal("0.9"), Side.BUY)
    notional = inst.min_notional or Decimal(0)
    qty = max(inst.min_quantity, notional / price * 2)
    qty = (qty / inst.lot_size).to_integral_value(ROUND_UP) * inst.lot_size
    return OrderRequest(symbol, Side.BUY, OrderType.LIMIT, qty, price, client_order_id=cid)


def _market(venue: Any, native: str, kind: str) -> Any:
    for spec in venue.view.instruments():
        if spec.symbol == native and spec.kind.value.startswith(kind[:4]):
            return spec.market
    raise AssertionError(f"no {kind} {native}")


async def test_book_stream_resyncs_after_venue_faults(ex: BybitConnector, venue: Any) -> None:
    stream = ex.stream_orderbook(SPOT, depth=50)
    book = await asyncio.wait_for(anext(stream), TIMEOUT)
    market = _market(venue, "BTCUSDT", "spot")
    assert book.sequence == venue.view.book("BTCUSDT", market, 50).update_id
    venue.faults.malformed_frames(1)
    venue.faults.drop_ws()
    await ex.place_order(await resting(ex, venue, SPOT, "sim-book-1"))
    truth = venue.view.book("BTCUSDT", market, 50)
    got = await first(stream, lambda b: b.sequence == truth.update_id)
    assert [(lv.price, lv.quantity) for lv in got.bids] == truth.bids
    assert [(lv.price, lv.quantity) for lv in got.asks] == truth.asks


async def test_lost_placement_answer_is_resolved_by_order_link_id(
    ex: BybitConnector, venue: Any
) -> None:
    request = await resting(ex, venue, PERP, "sim-lost-1")
    venue.faults.fail_after_accept(1, mode="5xx")
    order = await ex.place_order(request)
    assert order.client_order_id == "sim-lost-1" and order.status is OrderStatus.NEW
    held = venue.view.open_orders(_market(venue, "BTCUSDT", "linear"), "BTCUSDT")
    assert [o.client_id for o in held] == ["sim-lost-1"]


async def test_batch_items_amend_batch_and_cancel_all(ex: BybitConnector, venue: Any) -> None:
    good = await resting(ex, venue, PERP, "sim-b1")
    huge = OrderRequest(
        PERP, Side.BUY, OrderType.LIMIT, good.quantity * 100_000, good.price, client_order_id="b2"
    )
    inst = await ex.instrument(PERP)
    if inst.max_quantity is not None and huge.quantity > inst.max_quantity:
        huge = OrderRequest(
            PERP, Side.BUY, OrderType.LIMIT, inst.max_quantity, good.price, client_order_id="b2"
        )
    results = await ex.place_batch_orders([good, huge])
    assert isinstance(results[0], Order)
    assert isinstance(results[1], ExchangeError)
    assert isinstance(results[1], InsufficientFunds) or results[1].code is not None
    assert good.price is not None
    lower = good.price - inst.tick_size
    amended = await ex.amend_batch([AmendRequest(PERP, client_order_id="sim-b1", price=lower)])
    assert isinstance(amended[0], Order) and amended[0].price == lower
    await ex.cancel_all(PERP)
    assert await ex.get_open_orders(PERP) == []


async def test_post_only_that_would_take_is_accepted_then_canceled(
    ex: BybitConnector, venue: Any
) -> None:
    """Bybit accepts such an order and cancels it (rejectReason EC_PostOnlyWillTakeLiquidity):
    the action returns it ACCEPTED; the cancellation shows in its state afterwards."""
    inst = await ex.instrument(SPOT)
    market = _market(venue, "BTCUSDT", "spot")
    ask = venue.view.book("BTCUSDT", market, 1).asks[0][0]
    ok = await resting(ex, venue, SPOT, "sim-po-ok")

    def taking(cid: str) -> OrderRequest:
        price = inst.round_price(ask)
        return OrderRequest(
            SPOT, Side.BUY, OrderType.LIMIT, ok.quantity, price, TimeInForce.POST_ONLY, cid
        )

    results = await ex.place_batch_orders([ok, taking("sim-po-take")])
    single = await ex.place_order(taking("sim-po-one"))
    for accepted in (results[1], single):
        assert isinstance(accepted, Order) and accepted.status is OrderStatus.ACCEPTED
        final = await ex.get_order(SPOT, client_order_id=accepted.client_order_id)
        assert final.status is OrderStatus.CANCELED and final.filled_quantity == 0
    assert isinstance(results[0], Order)
    held = venue.view.open_orders(market, "BTCUSDT")
    assert [o.client_id for o in held] == ["sim-po-ok"]


def _sent(venue: Any, before: int) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in venue.view.requests[before:]]


async def test_every_order_action_is_one_request(ex: BybitConnector, venue: Any) -> None:
    lower = None
    for symbol in (SPOT, PERP):
        inst = await ex.instrument(symbol)
        tag = "s" if symbol is SPOT else "p"
        base = await resting(ex, venue, symbol, f"one-{tag}")
        assert base.price is not None
        lower = base.price - inst.tick_size

        before = len(venue.view.requests)
        placed = await ex.place_order(base)
        assert _sent(venue, before) == [("POST", "/v5/order/create")]
        assert placed.status is OrderStatus.ACCEPTED and placed.client_order_id == f"one-{tag}"

        before = len(venue.view.requests)
        amended = await ex.amend_order(
            AmendRequest(symbol, client_order_id=f"one-{tag}", price=lower)
        )
        assert _sent(venue, before) == [("POST", "/v5/order/amend")]
        assert amended.price == lower and amended.order_id == placed.order_id

        before = len(venue.view.requests)
        canceled = await ex.cancel_order(symbol, order_id=placed.order_id)
        assert _sent(venue, before) == [("POST", "/v5/order/cancel")]
        assert canceled.status is OrderStatus.CANCELED and canceled.price == lower

        batch = [
            OrderRequest(symbol, Side.BUY, OrderType.LIMIT, base.quantity, lower, client_order_id=c)
            for c in (f"one-{tag}{k}" for k in range(5))
        ]
        before = len(venue.view.requests)
        orders = await ex.place_batch_orders(batch)
        assert _sent(venue, before) == [("POST", "/v5/order/create-batch")]
        assert [o.client_order_id for o in orders if isinstance(o, Order)] == [
            r.client_order_id for r in batch
        ]
        ids = [o.order_id for o in orders if isinstance(o, Order)]

        before = len(venue.view.requests)
        moved = await ex.amend_batch(
            [AmendRequest(symbol, i, price=lower - inst.tick_size) for i in ids]
        )
        assert _sent(venue, before) == [("POST", "/v5/order/amend-batch")]
        assert all(isinstance(m, Order) and m.price == lower - inst.tick_size for m in moved)

        before = len(venue.view.requests)
        gone = await ex.cancel_batch(symbol, ids)
        assert _sent(venue, before) == [("POST", "/v5/order/cancel-batch")]
        assert all(isinstance(g, Order) and g.status is OrderStatus.CANCELED for g in gone)
        assert [g.order_id for g in gone if isinstance(g, Order)] == ids
    assert venue.view.open_orders(_market(venue, "BTCUSDT", "linear"), "BTCUSDT") == []


async def test_orders_this_connector_never_saw_cost_one_read(
    ex: BybitConnector, venue: Any
) -> None:
    request = await resting(ex, venue, PERP, "sim-other")
    async with BybitConnector(api_key=venue.api_key, secret=venue.secret, urls=venue.urls) as other:
        placed = await other.place_order(request)
    assert request.price is not None
    lower = request.price - (await ex.instrument(PERP)).tick_size

    before = len(venue.view.requests)
    amended = await ex.amend_order(AmendRequest(PERP, placed.order_id, price=lower))
    assert _sent(venue, before) == [
        ("GET", "/v5/order/realtime"),  # the side and size the amendment is checked against
        ("POST", "/v5/order/amend"),
    ]
    assert amended.price == lower and amended.client_order_id == "sim-other"

    fresh = BybitConnector(api_key=venue.api_key, secret=venue.secret, urls=venue.urls)
    async with fresh:
        await fresh.load_instruments()
        before = len(venue.view.requests)
        with pytest.raises(OrderNotFound):  # the venue's own answer to the cancel
            await fresh.cancel_order(PERP, order_id="987654321")
        assert _sent(venue, before) == [("POST", "/v5/order/cancel")]
        before = len(venue.view.requests)
        canceled = await fresh.cancel_order(PERP, client_order_id="sim-other")
        assert _sent(venue, before) == [("POST", "/v5/order/cancel"), ("GET", "/v5/order/realtime")]
    assert canceled.status is OrderStatus.CANCELED and canceled.order_id == placed.order_id
    assert canceled.price == lower


async def test_private_streams_positions_and_mark_price(ex: BybitConnector, venue: Any) -> None:
    inst = await ex.instrument(PERP)
    ask = venue.view.book("BTCUSDT", _market(venue, "BTCUSDT", "linear"), 1).asks[0][0]
    qty = max(inst.min_quantity, (inst.min_notional or Decimal(0)) / ask * 2)
    qty = (qty / inst.lot_size).to_integral_value(ROUND_UP) * inst.lot_size
    positions = ex.stream_positions()
    waiter = asyncio.create_task(first(positions, lambda p: p.quantity > 0))
    await ex.private_stream_ready()
    await asyncio.sleep(0.3)
    await ex.place_order(OrderRequest(PERP, Side.BUY, OrderType.MARKET, qty))
    position = await waiter
    assert position.side is PositionSide.LONG and position.quantity == qty
    mark = await first(ex.stream_mark_price(PERP))
    assert mark.mark_price == venue.view.mark_price("BTCUSDT")


async def test_sub_account_transfer(ex: BybitConnector, venue: Any) -> None:
    subs = await ex.get_subaccounts()
    sub = subs[0].account_id
    before = venue.view.balances("spot")["USDT"].free
    transfer = await ex.internal_transfer("USDT", Decimal("7"), "unified", f"sub:{sub}")
    assert transfer.amount == Decimal("7")
    assert venue.view.balances("spot")["USDT"].free == before - Decimal("7")


async def test_withdrawal_appears_in_history(ex: BybitConnector, venue: Any) -> None:
    withdrawal = await ex.withdraw("USDT", Decimal("15"), "TXbXexampleAddress0000", network="TRX")
    history = await ex.get_withdrawal_history("USDT")
    assert withdrawal.withdrawal_id in {h.withdrawal_id for h in history}


async def test_rate_limit_headers_are_observed(ex: BybitConnector, venue: Any) -> None:
    await ex.get_open_orders(SPOT)
    rules = {r.kind: r for r in await ex.get_rate_limits()}
    assert rules["order.realtime:all"].used is not None
    assert rules["order.realtime:all"].used >= 1


async def test_get_retries_through_a_5xx(ex: BybitConnector, venue: Any) -> None:
    venue.faults.rest_5xx(2)
    assert (await ex.get_orderbook(SPOT, 5)).bids


# ----------------------------------------------------------------------------- trade socket
# Order entry over the trade socket (order_transport="ws").


@pytest.fixture
async def wsx(venue: Any) -> AsyncIterator[BybitConnector]:
    async with BybitConnector(
        api_key=venue.api_key, secret=venue.secret, urls=venue.urls, order_transport="ws"
    ) as connector:
        yield connector


def _sent(venue: Any, before: int) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in venue.view.requests[before:]]


def _held(venue: Any, native: str = "BTCUSDT", kind: str = "linear") -> list[Any]:
    return venue.view.open_orders(_market(venue, native, kind), native)


async def test_place_amend_cancel_are_one_ws_request_each(wsx: BybitConnector, venue: Any) -> None:
    assert wsx._trade_ws is not None and wsx._trade_ws.ready  # warm and logged in after open
    request = await resting(wsx, venue, PERP, "ws-1")
    inst = await wsx.instrument(PERP)
    before = len(venue.view.requests)
    placed = await wsx.place_order(request)
    assert _sent(venue, before) == [("WS", "order.create")]
    assert placed.status is OrderStatus.ACCEPTED and placed.client_order_id == "ws-1"
    assert [(o.client_id, str(o.order_id)) for o in _held(venue)] == [("ws-1", placed.order_id)]

    assert request.price is not None
    lower = request.price - inst.tick_size
    before = len(venue.view.requests)
    amended = await wsx.amend_order(AmendRequest(PERP, order_id=placed.order_id, price=lower))
    assert _sent(venue, before) == [("WS", "order.amend")]
    assert amended.price == lower and _held(venue)[0].price == lower

    before = len(venue.view.requests)
    canceled = await wsx.cancel_order(PERP, client_order_id="ws-1")
    assert _sent(venue, before) == [("WS", "order.cancel")]
    assert canceled.status is OrderStatus.CANCELED and canceled.order_id == placed.order_id
    assert _held(venue) == []


async def test_batches_are_one_ws_request_each(wsx: BybitConnector, venue: Any) -> None:
    requests = [await resting(wsx, venue, SPOT, f"wsb{i}") for i in range(3)]
    before = len(venue.view.requests)
    placed = await wsx.place_batch_orders(requests)
    assert _sent(venue, before) == [("WS", "order.create-batch")]
    assert all(isinstance(p, Order) for p in placed)
    ids = [p.order_id for p in placed if isinstance(p, Order)]
    assert sorted(str(o.order_id) for o in _held(venue, kind="spot")) == sorted(ids)

    inst = await wsx.instrument(SPOT)
    assert requests[0].price is not None
    lower = requests[0].price - inst.tick_size
    before = len(venue.view.requests)
    amended = await wsx.amend_batch([AmendRequest(SPOT, order_id=i, price=lower) for i in ids])
    assert _sent(venue, before) == [("WS", "order.amend-batch")]
    assert all(isinstance(a, Order) and a.price == lower for a in amended)

    before = len(venue.view.requests)
    canceled = await wsx.cancel_batch(SPOT, ids)
    assert _sent(venue, before) == [("WS", "order.cancel-batch")]
    assert all(isinstance(c, Order) and c.status is OrderStatus.CANCELED for c in canceled)
    assert _held(venue, kind="spot") == []


async def test_errors_map_to_the_typed_exceptions(wsx: BybitConnector, venue: Any) -> None:
    good = await resting(wsx, venue, PERP, "ws-e1")
    inst = await wsx.instrument(PERP)
    quantity = inst.max_quantity or good.quantity * 100_000
    huge = OrderRequest(PERP, Side.BUY, OrderType.LIMIT, quantity, good.price, client_order_id="e2")
    before = len(venue.view.requests)
    with pytest.raises(InsufficientFunds):
        await wsx.place_order(huge)
    assert _sent(venue, before) == [("WS", "order.create")]  # refused, not looked up
    with pytest.raises(OrderNotFound):
        await wsx.cancel_order(PERP, order_id="999999999")
    assert _held(venue) == []


async def test_socket_down_falls_back_to_rest_then_returns_to_ws(
    wsx: BybitConnector, venue: Any
) -> None:
    assert wsx._trade_ws is not None
    request = await resting(wsx, venue, PERP, "ws-f1")
    await wsx._trade_ws.drop()  # reconnects in the background
    before = len(venue.view.requests)
    placed = await wsx.place_order(request)
    assert _sent(venue, before) == [("POST", "/v5/order/create")]
    assert [o.client_id for o in _held(venue)] == ["ws-f1"] and placed.client_order_id == "ws-f1"
    await wsx._trade_ws.start()  # wait until it is back
    before = len(venue.view.requests)
    await wsx.cancel_order(PERP, order_id=placed.order_id)
    assert _sent(venue, before) == [("WS", "order.cancel")]


async def test_a_socket_that_never_connects_leaves_orders_on_rest(venue: Any) -> None:
    urls = {**venue.urls, "ws_trade": "ws://127.0.0.1:9/v5/trade"}
    async with BybitConnector(
        api_key=venue.api_key, secret=venue.secret, urls=urls, timeout=1.0, order_transport="ws"
    ) as connector:
        before = len(venue.view.requests)
        placed = await connector.place_order(await resting(connector, venue, SPOT, "ws-n1"))
        assert _sent(venue, before)[-1:] == [("POST", "/v5/order/create")]
        assert not any(m == "WS" for m, _ in _sent(venue, before))
        assert placed.client_order_id == "ws-n1"


async def test_lost_reply_is_resolved_by_order_link_id_not_resent(venue: Any) -> None:
    async with BybitConnector(
        api_key=venue.api_key,
        secret=venue.secret,
        urls=venue.urls,
        timeout=0.5,
        order_transport="ws",
    ) as connector:
        request = await resting(connector, venue, PERP, "ws-lost")
        venue.faults.fail_after_accept(1, mode="timeout")
        before = len(venue.view.requests)
        order = await connector.place_order(request)
        sent = _sent(venue, before)
    assert sent.count(("WS", "order.create")) == 1
    assert ("POST", "/v5/order/create") not in sent
    assert order.client_order_id == "ws-lost" and order.status is OrderStatus.NEW
    assert [o.client_id for o in _held(venue)] == ["ws-lost"]


async def test_reply_headers_correct_the_shared_rest_quota(wsx: BybitConnector, venue: Any) -> None:
    limiter = wsx.rest.limiter
    name = "order.create:linear"
    request = await resting(wsx, venue, PERP, "ws-q1")
    limiter.set_quota(Quota(name, 99, 1000, WindowKind.ROLLING))
    ip_before = limiter.used("ip_5s")
    await wsx.place_order(request)
    quota = next(q for q in limiter.quotas if q.name == name)
    assert quota.limit == 10  # the simulated venue's X-Bapi-Limit for linear creates
    assert limiter.used(name) == 1  # booked once: the UID quota REST creates draw on
    assert limiter.used("ip_5s") == ip_before  # the HTTP IP quota is not the socket's

"""End to end against the simulated OKX venue: REST capabilities the kit cannot reach."""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from lotusx.connectors.okx import OkxConnector
from lotusx.core.errors import (
    InvalidOrderError,
    NotSupportedError,
    OrderNotFound,
    PostOnlyWouldTake,
)
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

SPOT = Symbol.parse("BTC/USDT")
PERP = Symbol.parse("BTC/USDT:USDT")
NATIVE = {SPOT: "BTC-USDT", PERP: "BTC-USDT-SWAP"}


async def _resting(ex: OkxConnector, venue: Any, sym: Symbol, cid: str, n: int = 0) -> OrderRequest:
    inst = await ex.instrument(sym)
    book = await ex.get_orderbook(sym, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY) - n * inst.tick_size
    quantity = inst.min_quantity * 10
    return OrderRequest(sym, Side.BUY, OrderType.LIMIT, quantity, price, client_order_id=cid)


T = TypeVar("T")


async def _sent(venue: Any, action: Awaitable[T]) -> tuple[T, list[tuple[str, str, int]]]:
    """Run an order action; also return the REST requests the venue saw for it."""
    before = len(venue.view.requests)
    result = await action
    return result, [(r.method, r.path, r.time_ms) for r in venue.view.requests[before:]]


def _paths(sent: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in sent]


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_order_lifecycle_in_base_units(ex: OkxConnector, venue: Any, sym: Symbol) -> None:
    """One request per action; the orders are built from OKX's acknowledgements (ACCEPTED, the
    request's base-unit quantity, the ack's ``ts``), and agree with the venue's own read."""
    request = await _resting(ex, venue, sym, "life1")
    placed, sent = await _sent(venue, ex.place_order(request))
    assert _paths(sent) == [("POST", "/api/v5/trade/order")]
    assert placed.status is OrderStatus.ACCEPTED and placed.client_order_id == "life1"
    assert (placed.quantity, placed.price) == (request.quantity, request.price)
    assert placed.created_at == placed.updated_at == sent[0][2]  # the ack's ts
    fetched = await ex.get_order(sym, client_order_id="life1")  # the read-back path
    assert fetched.status is OrderStatus.NEW
    assert (fetched.order_id, fetched.quantity, fetched.price) == (
        placed.order_id,
        placed.quantity,
        placed.price,
    )
    assert [o.order_id for o in await ex.get_open_orders(sym)] == [placed.order_id]
    inst = await ex.instrument(sym)
    assert request.price is not None
    amend = AmendRequest(
        sym,
        client_order_id="life1",
        price=request.price - inst.tick_size,
        quantity=request.quantity * 2,
    )
    amended, sent = await _sent(venue, ex.amend_order(amend))
    assert _paths(sent) == [("POST", "/api/v5/trade/amend-order")]
    assert (amended.order_id, amended.client_order_id) == (placed.order_id, "life1")
    assert (amended.price, amended.quantity) == (amend.price, amend.quantity)
    assert amended.updated_at == sent[0][2]
    held = await ex.get_order(sym, order_id=placed.order_id)
    assert (held.price, held.quantity) == (amend.price, amend.quantity)
    canceled, sent = await _sent(venue, ex.cancel_order(sym, order_id=placed.order_id))
    assert _paths(sent) == [("POST", "/api/v5/trade/cancel-order")]
    assert canceled.status is OrderStatus.CANCELED
    assert (canceled.client_order_id, canceled.quantity) == ("life1", amend.quantity)
    assert canceled.updated_at == sent[0][2]
    assert await ex.get_open_orders(sym) == []
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(sym, order_id="987654321")
    with pytest.raises(OrderNotFound):
        await ex.get_order(sym, client_order_id="nosuchorder")


async def test_an_order_this_connector_never_saw_is_read_after_the_cancel(
    ex: OkxConnector, venue: Any
) -> None:
    async with OkxConnector(
        api_key=venue.api_key, secret=venue.secret, passphrase=venue.passphrase, urls=venue.urls
    ) as other:
        placed = await other.place_order(await _resting(ex, venue, PERP, "elsewhere"))
    canceled, sent = await _sent(venue, ex.cancel_order(PERP, client_order_id="elsewhere"))
    assert _paths(sent) == [
        ("POST", "/api/v5/trade/cancel-order"),
        ("GET", "/api/v5/trade/order"),
    ]
    assert canceled.status is OrderStatus.CANCELED
    assert (canceled.order_id, canceled.quantity, canceled.price) == (
        placed.order_id,
        placed.quantity,
        placed.price,
    )
    # An id the venue does not know fails on the action itself, with nothing read.
    before = len(venue.view.requests)
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(PERP, order_id="987654321")
    with pytest.raises(OrderNotFound):
        await ex.amend_order(AmendRequest(PERP, order_id="987654321", price=Decimal(1)))
    assert [r.path for r in venue.view.requests[before:]] == [
        "/api/v5/trade/cancel-order",
        "/api/v5/trade/amend-order",
    ]


async def test_batches_of_five_are_one_request_each(ex: OkxConnector, venue: Any) -> None:
    requests = [
        await _resting(ex, venue, sym, f"five{i}", i)
        for i, sym in enumerate([SPOT, PERP] * 2 + [PERP])
    ]
    placed, sent = await _sent(venue, ex.place_batch_orders(requests))
    assert _paths(sent) == [("POST", "/api/v5/trade/batch-orders")]
    assert all(isinstance(o, Order) and o.status is OrderStatus.ACCEPTED for o in placed)
    orders = [o for o in placed if isinstance(o, Order)]
    assert [(o.symbol, o.client_order_id, o.quantity, o.price) for o in orders] == [
        (r.symbol, r.client_order_id, r.quantity, r.price) for r in requests
    ]
    assert {o.created_at for o in orders} == {sent[0][2]}
    perps = [o for o in orders if o.symbol == PERP]
    inst = await ex.instrument(PERP)
    amends = [
        AmendRequest(PERP, order_id=o.order_id, quantity=o.quantity + inst.lot_size) for o in perps
    ]
    amended, sent = await _sent(venue, ex.amend_batch_orders(amends))
    assert _paths(sent) == [("POST", "/api/v5/trade/amend-batch-orders")]
    assert [(a.order_id, a.quantity) for a in amended if isinstance(a, Order)] == [
        (a.order_id, a.quantity) for a in amends
    ]
    venue_sizes = {o.order_id: o.quantity for o in await ex.get_open_orders(PERP)}
    assert venue_sizes == {a.order_id: a.quantity for a in amends}
    canceled, sent = await _sent(venue, ex.cancel_batch(PERP, [o.order_id for o in perps]))
    assert _paths(sent) == [("POST", "/api/v5/trade/cancel-batch-orders")]
    assert [(c.order_id, c.status, c.quantity) for c in canceled if isinstance(c, Order)] == [
        (a.order_id, OrderStatus.CANCELED, a.quantity) for a in amends
    ]
    assert await ex.get_open_orders(PERP) == []


async def test_read_back_returns_the_venue_state(ex: OkxConnector, venue: Any) -> None:
    inst = await ex.instrument(SPOT)
    ex.read_back = True
    order, sent = await _sent(
        venue,
        ex.place_order(OrderRequest(SPOT, Side.BUY, OrderType.MARKET, inst.min_quantity * 10)),
    )
    assert _paths(sent) == [("POST", "/api/v5/trade/order"), ("GET", "/api/v5/trade/order")]
    assert order.status is OrderStatus.FILLED and order.filled_quantity == inst.min_quantity * 10


async def test_a_fraction_of_a_contract_is_refused_locally(ex: OkxConnector) -> None:
    inst = await ex.instrument(PERP)
    assert inst.contract_size != 1
    bad = OrderRequest(PERP, Side.BUY, OrderType.MARKET, inst.lot_size * Decimal("1.5"))
    with pytest.raises(InvalidOrderError):
        await ex.place_order(bad)
    with pytest.raises(InvalidOrderError, match="client_order_id"):
        await ex.place_order(
            OrderRequest(PERP, Side.BUY, OrderType.MARKET, inst.lot_size, client_order_id="a-b")
        )


async def test_batch_items_carry_their_own_errors(ex: OkxConnector, venue: Any) -> None:
    good = [await _resting(ex, venue, PERP, f"bat{i}", i) for i in range(2)]
    book = await ex.get_orderbook(PERP, 1)
    inst = await ex.instrument(PERP)
    crossing = OrderRequest(
        PERP,
        Side.BUY,
        OrderType.LIMIT,
        inst.min_quantity,
        book.asks[0].price,
        TimeInForce.POST_ONLY,
        "batpo",
    )
    results = await ex.place_batch_orders([good[0], crossing, good[1]])
    assert isinstance(results[0], Order) and isinstance(results[2], Order)
    assert isinstance(results[1], PostOnlyWouldTake)
    assert [r.client_order_id for r in results if isinstance(r, Order)] == ["bat0", "bat2"] or [
        r.client_order_id for r in results if isinstance(r, Order)
    ] == ["bat0", "bat1"]
    assert results[1].exchange == "okx"
    ids = [r.order_id for r in results if isinstance(r, Order)]
    amended = await ex.amend_batch_orders(
        [
            AmendRequest(PERP, order_id=ids[0], quantity=inst.min_quantity * 20),
            AmendRequest(PERP, order_id="123", quantity=inst.min_quantity * 20),
        ]
    )
    assert isinstance(amended[0], Order) and amended[0].quantity == inst.min_quantity * 20
    assert isinstance(amended[1], OrderNotFound)
    canceled = await ex.cancel_batch(PERP, [*ids, "555"])
    assert [type(c) for c in canceled[:2]] == [Order, Order]
    assert all(isinstance(c, Order) and c.status is OrderStatus.CANCELED for c in canceled[:2])
    assert isinstance(canceled[2], OrderNotFound)


async def test_cancel_all_pages_in_batches_of_twenty(ex: OkxConnector, venue: Any) -> None:
    requests = [await _resting(ex, venue, SPOT, f"all{i}", i % 5) for i in range(23)]
    results = await ex.place_batch_orders(requests)
    assert all(isinstance(r, Order) for r in results)
    assert len(await ex.get_open_orders(SPOT)) == 23
    await ex.cancel_all(SPOT)
    assert await ex.get_open_orders(SPOT) == []
    await ex.cancel_all(SPOT)  # nothing open: fine


async def test_fills_balances_positions_and_liquidation(ex: OkxConnector, venue: Any) -> None:
    inst = await ex.instrument(SPOT)
    placed = await ex.place_order(
        OrderRequest(
            SPOT, Side.BUY, OrderType.MARKET, inst.min_quantity * 100, client_order_id="f1"
        )
    )
    assert placed.status is OrderStatus.ACCEPTED  # the ack reports no fills
    buy = await ex.get_order(SPOT, order_id=placed.order_id)
    assert buy.status is OrderStatus.FILLED and buy.filled_quantity == inst.min_quantity * 100
    fills = await ex.get_fills(SPOT)
    assert sum(f.quantity for f in fills) == buy.filled_quantity
    assert all(f.client_order_id == "f1" and f.fee >= 0 for f in fills)
    balances = {b.asset: b for b in await ex.get_balances()}
    truth = venue.view.balances("spot")
    assert {b.wallet for b in balances.values()} == {"trading"}
    for asset in ("BTC", "USDT"):
        assert (balances[asset].free, balances[asset].locked) == (
            truth[asset].free,
            truth[asset].locked,
        )
    assert await ex.set_leverage(PERP, 5) == 5
    perp = await ex.instrument(PERP)
    await ex.place_order(
        OrderRequest(PERP, Side.SELL, OrderType.MARKET, perp.lot_size * 3, client_order_id="p1")
    )
    (position,) = await ex.get_positions(PERP)
    assert position.side is PositionSide.SHORT and position.quantity == perp.lot_size * 3
    assert position.leverage == 5
    liq = await ex.get_liquidation_price(PERP)
    assert liq == position.liquidation_price
    assert position.entry_price is not None
    estimate = await ex.get_liquidation_price(
        PERP, side=Side.SELL, quantity=position.quantity, entry_price=position.entry_price
    )
    assert estimate is not None and estimate > position.entry_price
    brackets = await ex.get_leverage_brackets(PERP)
    assert brackets and brackets[0].tier == 1
    fee = await ex.get_fee_rates(PERP)
    assert fee.maker >= 0 and fee.taker >= 0
    with pytest.raises(NotSupportedError):
        await ex.get_positions(SPOT)


async def test_funding_transfers_and_withdrawals(ex: OkxConnector, venue: Any) -> None:
    before = venue.view.balances("funding")["USDT"].free
    transfer = await ex.internal_transfer("USDT", Decimal("12.5"), "funding", "trading")
    assert transfer.transfer_id
    assert venue.view.balances("funding")["USDT"].free == before - Decimal("12.5")
    withdrawal = await ex.withdraw(
        "USDT", Decimal(20), "TXbXexampleAddress000000000000000", network="TRC20"
    )
    history = await ex.get_withdrawal_history("USDT")
    assert withdrawal.withdrawal_id in {w.withdrawal_id for w in history}
    assert len(await ex.get_deposit_history()) == len(venue.view.deposits())
    subs = await ex.get_subaccounts()
    assert subs and all(s.account_id for s in subs)


async def test_market_data(ex: OkxConnector, venue: Any) -> None:
    mark = await ex.get_mark_price(PERP)
    assert mark.mark_price == venue.view.mark_price("BTC-USDT-SWAP")
    assert (await ex.get_index_price(SPOT)).price > 0
    rate = await ex.get_funding_rate(PERP)
    assert rate.rate.is_finite()
    assert isinstance(await ex.get_funding_history(PERP), list)
    candles = await ex.get_candles(SPOT, "1m", limit=3)
    assert all(c.low <= c.high for c in candles)
    status = await ex.get_system_status()
    assert status.operational
    limits = await ex.get_rate_limits()
    assert {r.kind for r in limits} >= {"trade.order", "orders_2s", "market.books"}
    venue.faults.set_maintenance(True)
    assert not (await ex.get_system_status()).operational

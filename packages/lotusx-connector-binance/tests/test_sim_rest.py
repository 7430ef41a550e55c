"""End to end against the simulated Binance venue: every REST capability, checked against the
venue's own state (``v.view``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from lotusx.connectors.binance import BinanceConnector
from lotusx.core.capabilities import Capability
from lotusx.core.errors import (
    BadSymbol,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFound,
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
    TimestampError,
)
from lotusx.core.retry import RetryPolicy
from lotusx.core.types import (
    AmendRequest,
    MarketKind,
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
SPOT = Symbol.parse("BTC/USDT")
PERP = Symbol.parse("BTC/USDT:USDT")
MARKET = {SPOT: "spot", PERP: "futures"}


async def _passive_price(ex: BinanceConnector, sym: Symbol, side: Side, away: int = 200) -> Decimal:
    book = await ex.get_orderbook(sym, 5)
    inst = await ex.instrument(sym)
    if side is Side.BUY:
        return inst.round_price(book.bids[0].price - away * inst.tick_size * 10, side)
    return inst.round_price(book.asks[0].price + away * inst.tick_size * 10, side)


async def test_instruments_map_both_markets(ex: BinanceConnector, venue: Any) -> None:
    instruments = await ex.load_instruments()
    for spec in venue.view.instruments():
        kind = MarketKind.SPOT if spec.market == "spot" else MarketKind.LINEAR
        inst = ex.instrument_by_native(kind, spec.symbol)
        assert inst.symbol.kind is kind
        assert (inst.tick_size, inst.lot_size, inst.min_quantity) == (
            spec.tick,
            spec.lot,
            spec.min_qty,
        )
        assert instruments[inst.symbol] is inst
    assert (await ex.instrument(SPOT)).native_id == (await ex.instrument(PERP)).native_id
    assert (await ex.get_instruments(MarketKind.LINEAR))[0].symbol.kind is MarketKind.LINEAR
    with pytest.raises(BadSymbol):
        await ex.instrument("DOGE/USDT")


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_rest_orderbook_equals_venue_book(
    ex: BinanceConnector, venue: Any, sym: Symbol
) -> None:
    await venue.core.stop()  # freeze the market maker
    book = await ex.get_orderbook(sym, 10)
    truth = venue.view.book("BTCUSDT", MARKET[sym], 10)
    assert [(lv.price, lv.quantity) for lv in book.bids] == truth.bids
    assert [(lv.price, lv.quantity) for lv in book.asks] == truth.asks
    assert book.sequence == truth.update_id
    assert len(book.bids) == 10


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_trades_candles_ticker_after_a_fill(
    ex: BinanceConnector, venue: Any, sym: Symbol
) -> None:
    inst = await ex.instrument(sym)
    order = await ex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.MARKET, inst.min_quantity * 100)
    )
    assert order.status is OrderStatus.FILLED
    trades = await ex.get_trades(sym, 50)
    truth = venue.view.trades("BTCUSDT", MARKET[sym])
    assert [t.price for t in trades][-1] == truth[-1].price
    assert trades[-1].side is Side.BUY
    candles = await ex.get_candles(sym, "1m", limit=5)
    assert candles and candles[-1].high >= trades[-1].price >= candles[-1].low
    ticker = await ex.get_ticker(sym)
    assert ticker.last == truth[-1].price
    assert ticker.bid is not None and ticker.ask is not None and ticker.bid < ticker.ask


async def test_mark_index_funding(ex: BinanceConnector, venue: Any) -> None:
    await venue.core.stop()
    mark = await ex.get_mark_price(PERP)
    assert mark.mark_price == venue.view.mark_price("BTCUSDT")
    index = await ex.get_index_price(PERP)
    assert index.price == mark.index_price
    rate = await ex.get_funding_rate(PERP)
    assert rate.next_funding_time is not None and rate.next_funding_time > mark.timestamp
    venue.core.settle_funding(1_700_000_000_000)
    history = await ex.get_funding_history(PERP)
    truth = venue.view.funding_history("BTCUSDT")
    assert [(h.rate, h.funding_time) for h in history] == [(r.rate, r.time_ms) for r in truth]
    for call in (ex.get_mark_price, ex.get_index_price, ex.get_funding_rate):
        with pytest.raises(NotSupportedError, match="spot"):
            await call(SPOT)


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_place_query_amend_cancel(ex: BinanceConnector, venue: Any, sym: Symbol) -> None:
    market = MARKET[sym]
    inst = await ex.instrument(sym)
    price = await _passive_price(ex, sym, Side.BUY)
    qty = inst.min_quantity * 200
    placed = await ex.place_order(OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price))
    cid = placed.client_order_id
    assert cid is not None and cid.startswith("lx")
    truth = venue.view.order(client_id=cid, market=market)
    assert truth is not None and truth.status == "NEW" and truth.price == price
    assert (await ex.get_order(sym, order_id=placed.order_id)).client_order_id == cid
    assert (await ex.get_order(sym, client_order_id=cid)).order_id == placed.order_id

    smaller = await ex.amend_order(AmendRequest(sym, order_id=placed.order_id, quantity=qty / 2))
    assert smaller.quantity == qty / 2 and smaller.price == price
    assert smaller.order_id == placed.order_id  # queue priority kept: same order
    assert smaller.client_order_id == cid
    assert venue.view.order(client_id=cid, market=market).orig_qty == qty / 2

    new_price = price - inst.tick_size * 5
    moved = await ex.amend_order(AmendRequest(sym, client_order_id=cid, price=new_price))
    assert (moved.price, moved.quantity, moved.client_order_id) == (new_price, qty / 2, cid)
    [open_order] = await ex.get_open_orders(sym)
    assert (open_order.order_id, open_order.price) == (moved.order_id, new_price)
    assert [o.price for o in venue.view.open_orders(market)] == [new_price]

    canceled = await ex.cancel_order(sym, client_order_id=cid)
    assert canceled.status is OrderStatus.CANCELED and canceled.client_order_id == cid
    assert venue.view.open_orders(market) == []
    assert await ex.get_open_orders() == []
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(sym, order_id=moved.order_id)


async def _sent(venue: Any, action: Awaitable[T]) -> tuple[T, list[str]]:
    """Run an order action; the REST requests it cost the venue, as ``METHOD path``."""
    before = len(venue.view.requests)
    result = await action
    return result, [f"{r.method} {r.path}" for r in venue.view.requests[before:]]


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_every_order_action_is_one_request(
    ex: BinanceConnector, venue: Any, sym: Symbol
) -> None:
    inst = await ex.instrument(sym)
    price = await _passive_price(ex, sym, Side.BUY)
    qty = inst.min_quantity * 200
    api = "/api/v3" if sym is SPOT else "/fapi/v1"
    placed, sent = await _sent(
        venue, ex.place_order(OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price))
    )
    assert sent == [f"POST {api}/order"]
    assert placed.status is OrderStatus.NEW and ex.orders.find(sym, placed.order_id) == placed
    smaller, sent = await _sent(
        venue, ex.amend_order(AmendRequest(sym, order_id=placed.order_id, quantity=qty / 2))
    )
    assert sent == [f"PUT {api}/order" + ("/amend/keepPriority" if sym is SPOT else "")]
    assert (smaller.quantity, smaller.price, smaller.created_at) == (
        qty / 2,
        price,
        placed.created_at,
    )
    new_price = price - inst.tick_size * 5
    moved, sent = await _sent(
        venue,
        ex.amend_order(AmendRequest(sym, client_order_id=placed.client_order_id, price=new_price)),
    )
    assert sent == (["POST /api/v3/order/cancelReplace"] if sym is SPOT else ["PUT /fapi/v1/order"])
    assert (moved.price, moved.quantity, moved.client_order_id) == (
        new_price,
        qty / 2,
        placed.client_order_id,
    )
    if sym is SPOT:  # a new order id; the ledger knows the old one was canceled
        assert moved.order_id != placed.order_id
        old = ex.orders.find(sym, placed.order_id)
        assert old is not None and old.status is OrderStatus.CANCELED
    canceled, sent = await _sent(
        venue, ex.cancel_order(sym, client_order_id=placed.client_order_id)
    )
    assert sent == [f"DELETE {api}/order"]
    assert (canceled.order_id, canceled.status) == (moved.order_id, OrderStatus.CANCELED)
    assert canceled.created_at == moved.created_at  # the cancel ack has no creation time
    assert ex.orders.find(sym, moved.order_id) == canceled

    requests = [
        OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price - i * inst.tick_size)
        for i in range(5)
    ]
    batch, sent = await _sent(venue, ex.place_batch_orders(requests))
    orders = [o for o in batch if isinstance(o, Order)]
    assert len(orders) == 5
    assert all(ex.orders.find(sym, o.order_id) == o for o in orders)
    cancels, cancel_sent = await _sent(venue, ex.cancel_batch(sym, [o.order_id for o in orders]))
    assert all(isinstance(c, Order) and c.status is OrderStatus.CANCELED for c in cancels)
    assert all(ex.orders.find(sym, c.order_id) == c for c in cancels if isinstance(c, Order))
    if sym is SPOT:  # no batch endpoint: declared emulated, one request per order
        assert sent == ["POST /api/v3/order"] * 5
        assert cancel_sent == ["DELETE /api/v3/order"] * 5
        assert {Capability.PLACE_BATCH_ORDERS, Capability.CANCEL_BATCH} <= set(ex.emulated)
    else:
        assert (sent, cancel_sent) == (
            ["POST /fapi/v1/batchOrders"],
            ["DELETE /fapi/v1/batchOrders"],
        )


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_amending_an_order_never_seen_reads_it_first(
    ex: BinanceConnector, venue: Any, sym: Symbol
) -> None:
    inst = await ex.instrument(sym)
    price = await _passive_price(ex, sym, Side.BUY)
    qty = inst.min_quantity * 200
    placed = await ex.place_order(OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price))
    async with BinanceConnector(
        api_key=venue.api_key, secret=venue.secret, urls=venue.urls
    ) as other:
        await other.load_instruments()
        new_price = price - inst.tick_size
        amended, sent = await _sent(
            venue, other.amend_order(AmendRequest(sym, order_id=placed.order_id, price=new_price))
        )
    api = "/api/v3" if sym is SPOT else "/fapi/v1"
    assert sent[0] == f"GET {api}/order" and len(sent) == 2
    assert (amended.price, amended.quantity, amended.side) == (new_price, qty, Side.BUY)


@pytest.fixture
async def quiet() -> AsyncIterator[Any]:
    """A venue whose market makers never re-quote (a resting order stays where it is)."""
    sim = pytest.importorskip("lotusx.sim")
    async with sim.Venue.start("binance", seed=7, tick_interval=3600) as v:
        yield v


async def test_spot_replacement_is_sized_from_the_fills_even_when_the_ledger_is_stale(
    quiet: Any,
) -> None:
    from lotusx.sim.engine import OrderRequest as SimOrder
    from lotusx.sim.model import OrderType as SimType
    from lotusx.sim.model import Side as SimSide
    from lotusx.sim.model import TimeInForce as SimTif

    async with BinanceConnector(api_key=quiet.api_key, secret=quiet.secret, urls=quiet.urls) as ex:
        inst = await ex.instrument(SPOT)
        book = await ex.get_orderbook(SPOT, 1)
        price = book.bids[0].price + inst.tick_size  # alone at the top of the book
        assert price < book.asks[0].price
        qty = inst.min_quantity * 200
        placed = await ex.place_order(OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, price))
        # Another account sells into it: the ledger still says nothing filled.
        quiet.core.engines["spot"].place(
            SimOrder("taker", "BTCUSDT", SimSide.SELL, SimType.LIMIT, qty / 4, price, SimTif.IOC)
        )
        assert quiet.view.order(client_id=placed.client_order_id).executed_qty == qty / 4
        new_price = price - inst.tick_size
        moved, sent = await _sent(
            quiet, ex.amend_order(AmendRequest(SPOT, order_id=placed.order_id, price=new_price))
        )
        # ONLY_NEW refused the cancel (nothing replaced), the read found the fill, then the
        # replacement went out sized from it.
        assert sent == [
            "POST /api/v3/order/cancelReplace",
            "GET /api/v3/order",
            "POST /api/v3/order/cancelReplace",
        ]
        assert (moved.price, moved.quantity) == (new_price, qty - qty / 4)
        [live] = quiet.view.open_orders("spot")
        assert (live.price, live.orig_qty) == (new_price, qty - qty / 4)


async def test_spot_replacement_of_a_known_partly_filled_order_reads_its_fills_first(
    quiet: Any,
) -> None:
    async with BinanceConnector(api_key=quiet.api_key, secret=quiet.secret, urls=quiet.urls) as ex:
        inst = await ex.instrument(SPOT)
        ask = (await ex.get_orderbook(SPOT, 1)).asks[0]
        qty = ask.quantity + inst.min_quantity * 200  # takes the level, rests the rest
        placed = await ex.place_order(OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, ask.price))
        assert (placed.status, placed.filled_quantity) == (
            OrderStatus.PARTIALLY_FILLED,
            ask.quantity,
        )
        new_price = ask.price - inst.tick_size
        moved, sent = await _sent(
            quiet, ex.amend_order(AmendRequest(SPOT, order_id=placed.order_id, price=new_price))
        )
        assert sent == ["GET /api/v3/order", "POST /api/v3/order/cancelReplace"]
        assert (moved.price, moved.quantity) == (new_price, qty - ask.quantity)
        [live] = quiet.view.open_orders("spot")
        assert (live.price, live.orig_qty) == (new_price, qty - ask.quantity)


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_post_only_ioc_and_local_validation(
    ex: BinanceConnector, venue: Any, sym: Symbol
) -> None:
    inst = await ex.instrument(sym)
    book = await ex.get_orderbook(sym, 5)
    qty = inst.min_quantity * 100
    crossing = book.asks[0].price + inst.tick_size * 10
    with pytest.raises(PostOnlyWouldTake):
        await ex.place_order(
            OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, crossing, TimeInForce.POST_ONLY)
        )
    far = await _passive_price(ex, sym, Side.BUY)
    maker = await ex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, far, TimeInForce.POST_ONLY)
    )
    assert maker.time_in_force is TimeInForce.POST_ONLY and maker.status is OrderStatus.NEW
    ioc = await ex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, far, TimeInForce.IOC)
    )
    assert ioc.status is OrderStatus.EXPIRED and ioc.filled_quantity == 0
    with pytest.raises(InvalidOrderError, match="lot_size"):
        await ex.place_order(
            OrderRequest(sym, Side.BUY, OrderType.LIMIT, inst.lot_size / 2 + qty, far)
        )
    assert len(venue.view.open_orders(MARKET[sym])) == 1


async def test_reduce_only_without_position_is_rejected(ex: BinanceConnector) -> None:
    inst = await ex.instrument(PERP)
    with pytest.raises(ReduceOnlyRejected):
        await ex.place_order(
            OrderRequest(
                PERP, Side.SELL, OrderType.MARKET, inst.min_quantity * 10, reduce_only=True
            )
        )


@pytest.mark.parametrize("sym", [SPOT, PERP])
async def test_batch_place_cancel_batch_cancel_all(
    ex: BinanceConnector, venue: Any, sym: Symbol
) -> None:
    market = MARKET[sym]
    inst = await ex.instrument(sym)
    price = await _passive_price(ex, sym, Side.BUY)
    book = await ex.get_orderbook(sym, 5)
    qty = inst.min_quantity * 100
    requests = [
        OrderRequest(sym, Side.BUY, OrderType.LIMIT, qty, price - i * inst.tick_size)
        for i in range(7)
    ]
    bad = OrderRequest(
        sym,
        Side.BUY,
        OrderType.LIMIT,
        qty,
        book.asks[0].price + inst.tick_size * 10,
        TimeInForce.POST_ONLY,
    )
    before = len(venue.view.requests)
    results = await ex.place_batch_orders([*requests, bad])
    assert [type(r).__name__ for r in results] == ["Order"] * 7 + ["PostOnlyWouldTake"]
    sent = [r.path for r in venue.view.requests[before:]]
    if sym is PERP:
        assert sent.count("/fapi/v1/batchOrders") == 2  # 5 + 3
    else:
        assert sent.count("/api/v3/order") == 8
    assert len(venue.view.open_orders(market)) == 7
    ids = [r.order_id for r in results[:3] if not isinstance(r, Exception)]
    canceled = await ex.cancel_batch(sym, [*ids, "999999999"])
    assert [getattr(c, "status", None) for c in canceled[:3]] == [OrderStatus.CANCELED] * 3
    assert isinstance(canceled[3], OrderNotFound)
    assert len(venue.view.open_orders(market)) == 4
    await ex.cancel_all(sym)
    assert venue.view.open_orders(market) == []
    await ex.cancel_all(sym)  # nothing left: not an error


async def test_balances_after_a_spot_fill(ex: BinanceConnector, venue: Any) -> None:
    inst = await ex.instrument(SPOT)
    await ex.place_order(OrderRequest(SPOT, Side.BUY, OrderType.MARKET, inst.min_quantity * 1000))
    balances = {(b.wallet, b.asset): b for b in await ex.get_balances()}
    for asset, truth in venue.view.balances("spot").items():
        if truth.total:
            got = balances[("spot", asset)]
            assert (got.free, got.locked) == (truth.free, truth.locked)
    fills = await ex.get_fills(SPOT)
    truth_fills = venue.view.fills("spot", "BTCUSDT")
    assert sum(f.quantity for f in fills) == sum(f.qty for f in truth_fills)
    assert {b.wallet for b in await ex.get_balances("futures")} == {"futures"}


async def test_positions_after_a_perp_fill(ex: BinanceConnector, venue: Any) -> None:
    inst = await ex.instrument(PERP)
    assert await ex.set_leverage(PERP, 7) == 7
    assert venue.view.leverage("BTCUSDT") == 7
    qty = inst.min_quantity * 20
    await ex.place_order(OrderRequest(PERP, Side.SELL, OrderType.MARKET, qty))
    [position] = await ex.get_positions()
    [truth] = venue.view.positions()
    assert (position.side, position.quantity, position.entry_price) == (
        PositionSide.SHORT,
        qty,
        truth.entry_price,
    )
    assert position.leverage == 7
    closing = await ex.place_order(
        OrderRequest(PERP, Side.BUY, OrderType.MARKET, qty, reduce_only=True)
    )
    assert closing.reduce_only and closing.status is OrderStatus.FILLED
    assert await ex.get_positions(PERP) == []


async def test_fees_brackets_and_liquidation_estimate(ex: BinanceConnector, venue: Any) -> None:
    spec = next(s for s in venue.view.instruments("futures") if s.symbol == "BTCUSDT")
    fees = await ex.get_fee_rates(PERP)
    assert (fees.maker, fees.taker) == (spec.maker_fee, spec.taker_fee)
    brackets = await ex.get_leverage_brackets(PERP)
    assert [b.maintenance_margin_rate for b in brackets] == [
        b.maint_margin_ratio for b in spec.brackets
    ]
    price = await ex.get_liquidation_price(
        PERP, side=Side.BUY, quantity=Decimal(1), entry_price=Decimal(30000), leverage=Decimal(10)
    )
    # bracket 1 of BTCUSDT: LP = (3000 + cum - 30000) / (MMR - 1)
    first = brackets[0]
    expected = (Decimal(3000) + first.maintenance_amount - Decimal(30000)) / (
        first.maintenance_margin_rate - 1
    )
    inst = await ex.instrument(PERP)
    assert price == inst.round_price(expected, Side.SELL)
    spot_fees = await ex.get_fee_rates(SPOT)
    assert spot_fees.symbol == SPOT
    with pytest.raises(NotSupportedError):
        await ex.set_leverage(SPOT, 3)


async def test_transfers_withdraw_and_history(ex: BinanceConnector, venue: Any) -> None:
    spot_before = venue.view.balances("spot")["USDT"].free
    fut_before = venue.view.balances("futures")["USDT"].free
    out = await ex.internal_transfer("USDT", Decimal(250), "spot", "futures")
    assert out.from_account == "spot"
    assert venue.view.balances("spot")["USDT"].free == spot_before - 250
    assert venue.view.balances("futures")["USDT"].free == fut_before + 250
    await ex.internal_transfer("USDT", Decimal(50), "futures", "spot")
    assert venue.view.balances("futures")["USDT"].free == fut_before + 200
    subs = await ex.get_subaccounts()
    assert [s.name for s in subs] == ["sub1@lotusx.sim", "sub2@lotusx.sim"]

    def sub_usdt(wallet: str) -> Decimal:
        held = venue.view.balances(wallet, account="sub1").get("USDT")
        return held.total if held is not None else Decimal(0)

    spot0, fut0 = sub_usdt("spot"), sub_usdt("futures")
    await ex.internal_transfer("USDT", Decimal(10), "spot", "sub:sub1@lotusx.sim")
    assert sub_usdt("spot") == spot0 + 10
    await ex.internal_transfer(
        "USDT", Decimal(4), "sub:sub1@lotusx.sim", "sub:sub1@lotusx.sim:futures"
    )
    assert (sub_usdt("spot"), sub_usdt("futures")) == (spot0 + 6, fut0 + 4)

    withdrawal = await ex.withdraw("USDT", Decimal(20), "0xabc", network="ETH")
    [truth] = venue.view.withdrawals()
    assert withdrawal.withdrawal_id == truth.id and truth.amount == Decimal(20)
    history = await ex.get_withdrawal_history("USDT")
    assert [w.withdrawal_id for w in history] == [truth.id]
    deposits = await ex.get_deposit_history()
    assert sorted(d.tx_id or "" for d in deposits) == sorted(d.tx_id for d in venue.view.deposits())


async def test_time_sync_corrects_a_skewed_venue_clock(ex: BinanceConnector, venue: Any) -> None:
    venue.faults.skew_clock(30_000)
    with pytest.raises(TimestampError):
        await ex.get_balances("spot")
    synced = await ex.sync_time()
    assert 29_000 < synced.offset_ms < 31_000
    assert ex.clock.offset_ms == synced.offset_ms
    assert await ex.get_balances("spot")


async def test_system_status_and_rate_limits(ex: BinanceConnector, venue: Any) -> None:
    assert (await ex.get_system_status()).operational
    rules = {(r.kind, r.window_ms): r for r in await ex.get_rate_limits()}
    weight = rules[("spot:request_weight", 60_000)]
    assert weight.limit == 6000 and weight.used and weight.used > 0
    assert ("futures:request_weight", 60_000) in rules
    venue.faults.set_maintenance(True)
    status = await ex.get_system_status()
    assert not status.operational


async def test_placement_outcome_resolved_by_client_order_id(
    ex: BinanceConnector, venue: Any
) -> None:
    price = await _passive_price(ex, PERP, Side.BUY)
    inst = await ex.instrument(PERP)
    venue.faults.fail_after_accept(1, "5xx")
    order = await ex.place_order(
        OrderRequest(PERP, Side.BUY, OrderType.LIMIT, inst.min_quantity * 100, price)
    )
    assert venue.faults.injected["fail_after_accept"] == 1
    assert [o.client_id for o in venue.view.open_orders("futures")] == [order.client_order_id]


async def test_retries_idempotent_calls_after_5xx(ex: BinanceConnector, venue: Any) -> None:
    venue.faults.rest_5xx(2)
    assert (await ex.get_orderbook(SPOT, 5)).bids
    assert venue.faults.injected["rest_5xx"] == 2


async def test_429_is_typed_with_retry_after(ex: BinanceConnector, venue: Any) -> None:
    ex.rest.retry = RetryPolicy(max_tries=1)  # see the error instead of waiting out the window
    venue.faults.rest_429(1)
    with pytest.raises(RateLimitExceeded) as caught:
        await ex.get_orderbook(SPOT, 5)
    assert caught.value.retry_after is not None and caught.value.retry_after >= 1
    assert caught.value.code == "-1003"

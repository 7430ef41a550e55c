"""`ConformanceSuite`: capability checks against the venue's own state."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import pytest

from lotusx.core.capabilities import Capability
from lotusx.core.connector import Connector
from lotusx.core.errors import NotSupportedError, OrderNotFound, PostOnlyWouldTake
from lotusx.core.registry import connect
from lotusx.core.types import (
    AmendRequest,
    Instrument,
    MarketKind,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

if TYPE_CHECKING:
    from lotusx.sim import Venue
    from lotusx.sim.market import MarketSpec

__all__ = ["ConformanceSuite", "Target"]

T = TypeVar("T")
STREAM_TIMEOUT = 10.0
_FULL_DEPTH = 5000  # deep enough that a resting order far from the touch is in view


@dataclass
class Target:
    """A connector wired to its simulated venue, and the symbols the suite trades."""

    connector: Connector
    venue: Venue
    spot: Symbol
    perp: Symbol | None

    async def spec(self, symbol: Symbol) -> MarketSpec:
        """The venue's specification of the instrument the connector maps ``symbol`` to."""
        instrument = await self.connector.instrument(symbol)
        kind = "spot" if symbol.kind is MarketKind.SPOT else "linear_perp"
        for spec in self.venue.view.instruments():
            if spec.symbol == instrument.native_id and spec.kind.value == kind:
                return spec
        raise AssertionError(f"venue lists no {kind} {instrument.native_id}")

    async def resting_buy(self, symbol: Symbol, client_order_id: str) -> OrderRequest:
        """A limit buy far enough below the market to rest, large enough to pass filters."""
        instrument = await self.connector.instrument(symbol)
        spec = await self.spec(symbol)
        best_bid = self.venue.view.book(spec.symbol, spec.market, 1).bids[0][0]
        price = instrument.round_price(best_bid * Decimal("0.9"), Side.BUY)
        return OrderRequest(
            symbol,
            Side.BUY,
            OrderType.LIMIT,
            _quantity(instrument, price),
            price,
            client_order_id=client_order_id,
        )

    async def crossing(self, symbol: Symbol, side: Side, client_order_id: str) -> OrderRequest:
        """A market order that fills against the venue's book."""
        instrument = await self.connector.instrument(symbol)
        spec = await self.spec(symbol)
        book = self.venue.view.book(spec.symbol, spec.market, 1)
        price = book.asks[0][0] if side is Side.BUY else book.bids[0][0]
        return OrderRequest(
            symbol,
            side,
            OrderType.MARKET,
            _quantity(instrument, price),
            client_order_id=client_order_id,
        )


def _quantity(instrument: Instrument, price: Decimal) -> Decimal:
    wanted = max(instrument.min_quantity, (instrument.min_notional or Decimal(0)) / price * 2)
    steps = (wanted / instrument.lot_size).to_integral_value(rounding=ROUND_UP)
    return steps * instrument.lot_size


async def _first(iterator: AsyncIterator[T], accept: Callable[[T], bool]) -> T:
    async def scan() -> T:
        async for item in iterator:
            if accept(item):
                return item
        raise AssertionError("stream ended")

    try:
        return await asyncio.wait_for(scan(), STREAM_TIMEOUT)
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()


async def _during(
    stream: AsyncIterator[T],
    action: Awaitable[Any],
    accept: Callable[[T], bool],
    *,
    primed: bool = False,
) -> T:
    """Start consuming ``stream``, run ``action``, return the first item ``accept`` takes.

    ``primed``: the stream yields an initial state (a book) once it is live; act only after it.
    """
    if primed:
        await asyncio.wait_for(anext(stream), STREAM_TIMEOUT)
        await action
        return await _first(stream, accept)
    waiter = asyncio.create_task(_first(stream, accept))
    await asyncio.sleep(0.5)  # no initial item to wait for: let the subscription settle
    await action
    return await waiter


async def _after(
    stream: AsyncIterator[T], action: Awaitable[Any], expect: Callable[[], Callable[[T], bool]]
) -> T:
    """Consume ``stream`` while ``action`` runs; then return the first item, received before
    or after the action finished, that the check ``expect()`` (built after it) accepts."""
    seen: list[T] = []
    arrived = asyncio.Event()

    async def pump() -> None:
        async for item in stream:
            seen.append(item)
            arrived.set()

    task = asyncio.create_task(pump())
    try:
        await asyncio.sleep(0.5)
        await action
        accept = expect()
        checked = 0
        async with asyncio.timeout(STREAM_TIMEOUT):
            while True:
                for item in seen[checked:]:
                    if accept(item):
                        return item
                checked = len(seen)
                arrived.clear()
                await arrived.wait()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _one_request(target: Target, action: Awaitable[T], *, emulated: bool = False) -> T:
    """Run an order action; check it cost the venue exactly one REST request (any number
    where the connector declares the action emulated)."""
    before = len(target.venue.view.requests)
    result = await action
    sent = [(r.method, r.path) for r in target.venue.view.requests[before:]]
    assert emulated or len(sent) == 1, f"one order action, {len(sent)} requests: {sent}"
    return result


async def _settled(connector: Connector, order: Order) -> Order:
    """The venue's own state of ``order`` where its acknowledgement told no more (ACCEPTED)."""
    if order.status is not OrderStatus.ACCEPTED:
        return order
    return await connector.get_order(order.symbol, order_id=order.order_id)


async def _call(call: Callable[[], Any]) -> None:
    """Call a capability; await it when it is a coroutine (streams refuse on the call)."""
    result = call()
    if asyncio.iscoroutine(result):
        await result


class ConformanceSuite:
    """Subclass with ``exchange = "<name>"`` to run every check on that connector."""

    exchange: ClassVar[str] = ""
    seed: ClassVar[int] = 11
    #: Whether the exchange's REST book carries the update id its streams use (OKX's does not).
    rest_book_sequence: ClassVar[bool] = True
    #: Whether a streamed book's ``sequence`` is the venue's book update id (Coinbase's
    #: ``sequence_num`` numbers a connection's messages instead).
    stream_book_sequence: ClassVar[bool] = True
    #: The connector's name for the wallet spot trades settle in (the venue's "spot" wallet).
    trading_wallet: ClassVar[str] = "spot"
    #: A transfer that moves funds out of that wallet, as (from_account, to_account).
    transfer_out: ClassVar[tuple[str, str]] = ("spot", "futures")
    #: Whether the last leverage bracket has no upper bound: the connector reports its
    #: ``notional_cap`` as ``Decimal("Infinity")`` where the venue's table ends at a number
    #: (Kraken's last margin level starts at a notional and applies to everything above it).
    last_bracket_unbounded: ClassVar[bool] = False
    #: Where the withdrawal check sends the quote asset: an address the venue accepts and its
    #: network (None: the venue's default for the address). Exchanges that withdraw only to
    #: addresses registered on the account (Kraken) name one the simulated account registered.
    withdrawal_address: ClassVar[str] = "TXbXexampleAddress000000000000000"
    withdrawal_network: ClassVar[str | None] = "TRX"

    @pytest.fixture
    async def target(self) -> AsyncIterator[Target]:
        from lotusx.sim import Venue

        async with Venue.start(self.exchange, seed=self.seed, tick_interval=3600) as venue:
            connector = connect(
                self.exchange,
                api_key=venue.api_key,
                secret=venue.secret,
                passphrase=venue.passphrase,
                urls=venue.urls,
            )
            async with connector:
                specs = venue.view.instruments()
                spot = next(s for s in specs if s.kind.value == "spot")
                perp = next((s for s in specs if s.kind.value == "linear_perp"), None)
                yield Target(
                    connector,
                    venue,
                    Symbol(spot.base, spot.quote),
                    Symbol(perp.base, perp.quote, perp.quote) if perp else None,
                )

    @staticmethod
    def need(target: Target, *capabilities: Capability) -> None:
        missing = [c.value for c in capabilities if not target.connector.supports(c)]
        if missing:
            pytest.skip(f"{target.connector.name} does not declare {', '.join(missing)}")

    @staticmethod
    def perp_of(target: Target) -> Symbol:
        if target.perp is None:
            pytest.skip("the venue lists no linear perpetual")
        return target.perp

    # ------------------------------------------------------------------ declaration

    async def test_undeclared_capabilities_refuse(self, target: Target) -> None:
        c, sym = target.connector, target.spot
        calls: dict[Capability, Callable[[], Any]] = {
            Capability.WITHDRAW: lambda: c.withdraw("USDT", Decimal(1), "addr"),
            Capability.GET_SUBACCOUNTS: c.get_subaccounts,
            Capability.GET_TICKER: lambda: c.get_ticker(sym),
            Capability.STREAM_TRADES: lambda: c.stream_trades(sym),
            Capability.STREAM_POSITIONS: c.stream_positions,
            Capability.GET_INDEX_PRICE: lambda: c.get_index_price(sym),
        }
        for capability, call in calls.items():
            if c.supports(capability):
                continue
            with pytest.raises(NotSupportedError) as info:
                await _call(call)
            assert info.value.exchange == c.name
            assert info.value.capability == capability.value

    # ------------------------------------------------------------------ market data

    async def test_instruments_match_venue(self, target: Target) -> None:
        self.need(target, Capability.GET_INSTRUMENTS)
        instruments = await target.connector.get_instruments()
        by_native = {(i.kind.value, i.native_id): i for i in instruments}
        for spec in target.venue.view.instruments():
            kind = "spot" if spec.kind.value == "spot" else "linear"
            found = by_native.get((kind, spec.symbol))
            assert found is not None, f"{spec.symbol} ({kind}) missing"
            assert found.tick_size == spec.tick
            assert found.lot_size == spec.lot
            assert found.min_quantity == spec.min_qty

    async def test_orderbook_matches_venue(self, target: Target) -> None:
        self.need(target, Capability.GET_ORDERBOOK)
        for symbol in filter(None, (target.spot, target.perp)):
            spec = await target.spec(symbol)
            book = await target.connector.get_orderbook(symbol, depth=20)
            truth = target.venue.view.book(spec.symbol, spec.market, 20)
            assert [(lv.price, lv.quantity) for lv in book.bids] == truth.bids
            assert [(lv.price, lv.quantity) for lv in book.asks] == truth.asks
            if self.rest_book_sequence:
                assert book.sequence == truth.update_id

    async def test_trades_and_candles(self, target: Target) -> None:
        self.need(target, Capability.GET_TRADES)
        await target.connector.place_order(await target.crossing(target.spot, Side.BUY, "cfxt1"))
        spec = await target.spec(target.spot)
        trades = await target.connector.get_trades(target.spot, limit=50)
        truth = target.venue.view.trades(spec.symbol, spec.market)[-50:]
        assert [t.trade_id for t in trades] == [str(t.trade_id) for t in truth]
        assert [t.price for t in trades] == [t.price for t in truth]
        if target.connector.supports(Capability.GET_CANDLES):
            candles = await target.connector.get_candles(target.spot, "1m", limit=5)
            assert candles, "a trade happened, so the current minute has a candle"
            assert all(c.low <= c.open <= c.high and c.low <= c.close <= c.high for c in candles)
            assert candles[-1].high >= trades[-1].price >= candles[-1].low

    async def test_ticker_matches_top_of_book(self, target: Target) -> None:
        self.need(target, Capability.GET_TICKER)
        for symbol in filter(None, (target.spot, target.perp)):
            spec = await target.spec(symbol)
            ticker = await target.connector.get_ticker(symbol)
            truth = target.venue.view.book(spec.symbol, spec.market, 1)
            assert ticker.symbol == symbol
            assert ticker.bid == truth.bids[0][0]
            assert ticker.ask == truth.asks[0][0]

    async def test_mark_index_funding(self, target: Target) -> None:
        self.need(target, Capability.GET_MARK_PRICE, Capability.GET_FUNDING_RATE)
        perp = self.perp_of(target)
        spec = await target.spec(perp)
        mark = await target.connector.get_mark_price(perp)
        assert mark.mark_price == target.venue.view.mark_price(spec.symbol)
        funding = await target.connector.get_funding_rate(perp)
        assert funding.rate.is_finite()
        assert funding.next_funding_time is None or funding.next_funding_time > 0
        if target.connector.supports(Capability.GET_INDEX_PRICE):
            index = await target.connector.get_index_price(perp)
            assert index.price > 0

    # ------------------------------------------------------------------ trading

    async def test_order_lifecycle(self, target: Target) -> None:
        self.need(target, Capability.PLACE_ORDER, Capability.GET_ORDER, Capability.CANCEL_ORDER)
        c = target.connector
        for n, symbol in enumerate(filter(None, (target.spot, target.perp))):
            spec = await target.spec(symbol)
            request = await target.resting_buy(symbol, f"cfxlife{n}")
            placed = await _one_request(target, c.place_order(request))
            held = target.venue.view.order(client_id=request.client_order_id, market=spec.market)
            assert held is not None, "the venue holds the order"
            assert target.venue.wire_order_id(held) == placed.order_id
            assert held.price == request.price
            assert held.orig_qty == request.quantity
            assert held.side.value.lower() == request.side.value
            assert placed.status in (OrderStatus.NEW, OrderStatus.ACCEPTED)
            assert (placed.price, placed.quantity) == (request.price, request.quantity)
            fetched = await c.get_order(symbol, client_order_id=request.client_order_id)
            assert fetched.order_id == placed.order_id
            assert fetched.price == request.price
            if c.supports(Capability.AMEND_ORDER):
                assert request.price is not None
                new_price = request.price - (await c.instrument(symbol)).tick_size
                amended = await _one_request(
                    target,
                    c.amend_order(
                        AmendRequest(
                            symbol, client_order_id=request.client_order_id, price=new_price
                        )
                    ),
                )
                assert amended.price == new_price
                live = target.venue.view.open_orders(spec.market, spec.symbol)
                assert [o.price for o in live] == [new_price]
            canceled = await _one_request(
                target, c.cancel_order(symbol, client_order_id=request.client_order_id)
            )
            assert canceled.status is OrderStatus.CANCELED
            assert canceled.client_order_id == request.client_order_id
            assert target.venue.view.open_orders(spec.market, spec.symbol) == []
            with pytest.raises(OrderNotFound):
                await c.cancel_order(symbol, order_id="987654321")

    async def test_time_in_force_and_post_only(self, target: Target) -> None:
        self.need(target, Capability.PLACE_ORDER)
        c = target.connector
        symbol = target.spot
        spec = await target.spec(symbol)
        book = target.venue.view.book(spec.symbol, spec.market, 1)
        instrument = await c.instrument(symbol)
        ask = book.asks[0][0]
        qty = _quantity(instrument, ask)
        post_only = OrderRequest(
            symbol, Side.BUY, OrderType.LIMIT, qty, ask, TimeInForce.POST_ONLY, "cfxpo"
        )
        try:
            taken = await c.place_order(post_only)
        except PostOnlyWouldTake:
            pass  # refused in the acknowledgement
        else:  # accepted, then canceled by the venue: the order's own state says so
            assert taken.status is OrderStatus.ACCEPTED, taken
            final = await _settled(c, taken)
            assert final.status in (OrderStatus.REJECTED, OrderStatus.CANCELED), final
            assert final.filled_quantity == 0
        below = instrument.round_price(book.bids[0][0] * Decimal("0.95"), Side.BUY)
        ioc = await _settled(
            c,
            await c.place_order(
                OrderRequest(
                    symbol, Side.BUY, OrderType.LIMIT, qty, below, TimeInForce.IOC, "cfxioc"
                )
            ),
        )
        assert ioc.status is OrderStatus.EXPIRED or ioc.status is OrderStatus.CANCELED
        assert target.venue.view.open_orders(spec.market, spec.symbol) == []

    async def test_batch_place_and_cancel(self, target: Target) -> None:
        self.need(target, Capability.PLACE_BATCH_ORDERS, Capability.CANCEL_BATCH)
        c = target.connector
        symbol = target.perp or target.spot
        spec = await target.spec(symbol)
        requests = [await target.resting_buy(symbol, f"cfxb{i}") for i in range(3)]
        emulated = Capability.PLACE_BATCH_ORDERS in type(c).emulated
        results = await _one_request(target, c.place_batch_orders(requests), emulated=emulated)
        orders = [r for r in results if isinstance(r, Order)]
        assert len(orders) == 3, results
        assert [o.client_order_id for o in orders] == ["cfxb0", "cfxb1", "cfxb2"]
        held = target.venue.view.open_orders(spec.market, spec.symbol)
        assert sorted(o.client_id for o in held) == ["cfxb0", "cfxb1", "cfxb2"]
        canceled = await _one_request(
            target,
            c.cancel_batch(symbol, [o.order_id for o in orders[:2]]),
            emulated=Capability.CANCEL_BATCH in type(c).emulated,
        )
        assert [r.order_id for r in canceled if isinstance(r, Order)] == [
            o.order_id for o in orders[:2]
        ]
        assert all(isinstance(r, Order) and r.status is OrderStatus.CANCELED for r in canceled)
        assert [o.client_id for o in target.venue.view.open_orders(spec.market, spec.symbol)] == [
            "cfxb2"
        ]
        open_now = await c.get_open_orders(symbol)
        assert [o.client_order_id for o in open_now] == ["cfxb2"]
        if c.supports(Capability.CANCEL_ALL):
            await c.cancel_all(symbol)
            assert target.venue.view.open_orders(spec.market, spec.symbol) == []

    async def test_fills_and_balances_follow_a_trade(self, target: Target) -> None:
        self.need(target, Capability.PLACE_ORDER, Capability.GET_FILLS, Capability.GET_BALANCES)
        c = target.connector
        spec = await target.spec(target.spot)
        request = await target.crossing(target.spot, Side.BUY, "cfxfill")
        order = await _settled(c, await c.place_order(request))
        assert order.status is OrderStatus.FILLED
        assert order.filled_quantity == request.quantity
        fills = await c.get_fills(target.spot)
        truth = target.venue.view.fills(spec.market, spec.symbol)
        assert sum(f.quantity for f in fills) == sum(f.qty for f in truth) == request.quantity
        assert {f.trade_id for f in fills} == {target.venue.wire_trade_id(f) for f in truth}
        wallet = self.trading_wallet
        balances = {b.asset: b for b in await c.get_balances(wallet) if b.wallet == wallet}
        venue_balances = target.venue.view.balances("spot")
        for asset in (spec.base, spec.quote):
            assert balances[asset].free == venue_balances[asset].free
            assert balances[asset].locked == venue_balances[asset].locked

    async def test_read_back_is_an_opt_in(self, target: Target) -> None:
        self.need(target, Capability.PLACE_ORDER, Capability.GET_ORDER)
        c = target.connector
        request = await target.crossing(target.spot, Side.BUY, "cfxread")
        before = len(target.venue.view.requests)
        c.read_back = True
        try:
            order = await c.place_order(request)
        finally:
            c.read_back = False
        assert len(target.venue.view.requests) - before >= 2, "the read is one more request"
        assert order.status is OrderStatus.FILLED, order
        assert order.filled_quantity == request.quantity

    # ------------------------------------------------------------------ account

    async def test_positions_leverage_and_liquidation(self, target: Target) -> None:
        self.need(target, Capability.GET_POSITIONS, Capability.SET_LEVERAGE)
        c = target.connector
        perp = self.perp_of(target)
        spec = await target.spec(perp)
        assert await c.set_leverage(perp, 10) == 10
        assert target.venue.view.leverage(spec.symbol) == 10
        await c.place_order(await target.crossing(perp, Side.BUY, "cfxpos"))
        positions = [p for p in await c.get_positions(perp) if p.quantity]
        truth = [p for p in target.venue.view.positions() if p.symbol == spec.symbol]
        assert len(positions) == len(truth) == 1
        assert positions[0].quantity == abs(truth[0].qty)
        assert positions[0].leverage == 10
        if c.supports(Capability.GET_LIQUIDATION_PRICE):
            liq = await c.get_liquidation_price(perp)
            assert positions[0].entry_price is not None
            # A small long in a large cross-margin wallet may never be liquidated (None).
            assert liq is None or 0 < liq < positions[0].entry_price
            assert positions[0].liquidation_price == liq
            estimate = await c.get_liquidation_price(
                perp,
                side=Side.BUY,
                quantity=positions[0].quantity,
                entry_price=positions[0].entry_price,
                leverage=Decimal(10),
            )
            assert estimate is not None
            assert 0 < estimate < positions[0].entry_price

    async def test_fees_and_brackets(self, target: Target) -> None:
        self.need(target, Capability.GET_FEE_RATES)
        c = target.connector
        spec = await target.spec(target.spot)
        fee = await c.get_fee_rates(target.spot)
        assert (fee.maker, fee.taker) == (spec.maker_fee, spec.taker_fee)
        if c.supports(Capability.GET_LEVERAGE_BRACKETS) and target.perp is not None:
            perp_spec = await target.spec(target.perp)
            brackets = await c.get_leverage_brackets(target.perp)
            assert [b.maintenance_margin_rate for b in brackets] == [
                b.maint_margin_ratio for b in perp_spec.brackets
            ]
            caps = [b.notional_cap for b in brackets]
            venue_caps = [b.notional_cap for b in perp_spec.brackets]
            if self.last_bracket_unbounded:
                assert caps[-1] == Decimal("Infinity")
                caps, venue_caps = caps[:-1], venue_caps[:-1]
            assert caps == venue_caps

    async def test_subaccounts(self, target: Target) -> None:
        self.need(target, Capability.GET_SUBACCOUNTS)
        subs = await target.connector.get_subaccounts()
        assert subs
        assert len({s.account_id for s in subs}) == len(subs)

    # ------------------------------------------------------------------ funds

    async def test_internal_transfer_moves_funds(self, target: Target) -> None:
        self.need(target, Capability.INTERNAL_TRANSFER)
        quote = target.spot.quote
        before = target.venue.view.balances("spot")[quote].free
        source, destination = self.transfer_out
        transfer = await target.connector.internal_transfer(
            quote, Decimal("12.5"), source, destination
        )
        assert transfer.amount == Decimal("12.5")
        assert target.venue.view.balances("spot")[quote].free == before - Decimal("12.5")
        assert any(t.amount == Decimal("12.5") for t in target.venue.view.transfers())

    async def test_withdraw_and_histories(self, target: Target) -> None:
        self.need(target, Capability.WITHDRAW, Capability.GET_WITHDRAWAL_HISTORY)
        c = target.connector
        asset = target.spot.quote
        withdrawal = await c.withdraw(
            asset, Decimal("20"), self.withdrawal_address, network=self.withdrawal_network
        )
        assert withdrawal.amount == Decimal("20")
        assert any(w.amount == Decimal("20") for w in target.venue.view.withdrawals())
        history = await c.get_withdrawal_history(asset)
        assert withdrawal.withdrawal_id in {w.withdrawal_id for w in history}
        if c.supports(Capability.GET_DEPOSIT_HISTORY):
            deposits = await c.get_deposit_history()
            assert len(deposits) == len(target.venue.view.deposits())

    # ------------------------------------------------------------------ system

    async def test_time_sync_follows_venue_clock(self, target: Target) -> None:
        self.need(target, Capability.SYNC_TIME)
        target.venue.faults.skew_clock(2000)
        synced = await target.connector.sync_time()
        assert 1900 <= synced.offset_ms <= 2100
        assert abs(target.connector.clock.now_ms() - target.venue.now_ms()) < 100
        if target.connector.supports(Capability.GET_BALANCES):
            await target.connector.get_balances()  # signed calls pass with the skew

    async def test_status_and_rate_limits(self, target: Target) -> None:
        self.need(target, Capability.GET_SYSTEM_STATUS, Capability.GET_RATE_LIMITS)
        assert (await target.connector.get_system_status()).operational
        limits = await target.connector.get_rate_limits()
        assert limits
        assert all(rule.limit > 0 and rule.window_ms > 0 for rule in limits)
        target.venue.faults.set_maintenance(True)
        assert not (await target.connector.get_system_status()).operational

    # ------------------------------------------------------------------ streams

    async def test_stream_orderbook_tracks_venue(self, target: Target) -> None:
        self.need(target, Capability.STREAM_ORDERBOOK, Capability.PLACE_ORDER)
        c = target.connector
        spec = await target.spec(target.spot)
        request = await target.resting_buy(target.spot, "cfxsb")
        truth_after: list[Any] = []

        async def place() -> None:
            await c.place_order(request)
            truth_after.append(target.venue.view.book(spec.symbol, spec.market, _FULL_DEPTH))

        def shows_order(book: Any) -> bool:
            return any(lv.price == request.price for lv in book.bids)

        book = await _during(
            c.stream_orderbook(target.spot, depth=_FULL_DEPTH), place(), shows_order, primed=True
        )
        truth = truth_after[0]  # the market is frozen: only our order changed the book
        if self.stream_book_sequence:
            assert book.sequence == truth.update_id
        assert [(lv.price, lv.quantity) for lv in book.bids] == truth.bids
        assert [(lv.price, lv.quantity) for lv in book.asks] == truth.asks

    async def test_stream_trades_and_private_streams(self, target: Target) -> None:
        self.need(target, Capability.STREAM_ORDERS, Capability.PLACE_ORDER)
        c = target.connector
        request = await target.crossing(target.spot, Side.BUY, "cfxstream")
        order = await _during(
            c.stream_orders(),
            c.place_order(request),
            lambda o: o.client_order_id == "cfxstream" and o.status is OrderStatus.FILLED,
        )
        assert order.filled_quantity == request.quantity
        if c.supports(Capability.STREAM_FILLS):
            fill = await _during(
                c.stream_fills(),
                c.place_order(await target.crossing(target.spot, Side.SELL, "cfxstream2")),
                lambda f: f.client_order_id == "cfxstream2",
            )
            assert fill.quantity > 0
        if c.supports(Capability.STREAM_TRADES):
            trade = await _during(
                c.stream_trades(target.spot),
                c.place_order(await target.crossing(target.spot, Side.BUY, "cfxstream3")),
                lambda t: True,
            )
            assert trade.price > 0
        if c.supports(Capability.STREAM_BALANCES):
            quote = target.spot.quote
            request = await target.crossing(target.spot, Side.BUY, "cfxstream4")

            def after_trade() -> Callable[[Any], bool]:
                truth = target.venue.view.balances("spot")[quote]
                return lambda b: (
                    b.asset == quote
                    and (b.free, b.locked)
                    == (
                        truth.free,
                        truth.locked,
                    )
                )

            # Some exchanges push a snapshot on subscribe: the stream must also bring the
            # balance as it stands after the trade.
            await _after(c.stream_balances(), c.place_order(request), after_trade)

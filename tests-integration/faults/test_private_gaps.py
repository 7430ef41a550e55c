"""Private streams across a dropped connection: what happened in the gap is not lost.

While every WebSocket of the venue is down, the venue cancels one of our resting orders and a
taker fills the other. Nothing is pushed to us then; once the private streams are back, the
connector must report both orders in their final state, the fill, and the balances they moved
(`lotusx.core.recovery`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from faultkit import Env, environment

from lotusx.core.capabilities import Capability
from lotusx.core.testing import Target
from lotusx.core.transport.ws import SUBSCRIBE_ACK_TIMEOUT, WsSession
from lotusx.core.types import Balance, Fill, MarketKind, Order, OrderStatus
from lotusx.sim.engine import OrderRequest as VenueOrder
from lotusx.sim.model import OrderType, Side, TimeInForce

T = TypeVar("T")


async def _collect(stream: AsyncIterator[T], into: list[T]) -> None:
    async for item in stream:
        into.append(item)


async def _until(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def _state(orders: list[Order], client_id: str | None) -> OrderStatus | None:
    mine = [o for o in orders if o.client_order_id == client_id]
    return mine[-1].status if mine else None


async def _inside_spread_buy(env: Env, target: Target, client_id: str) -> Any:
    """A resting buy one tick above the best bid (so a taker reaches it first)."""
    request = await target.resting_buy(env.spot, client_id)
    inst = await env.connector.instrument(env.spot)
    market, native = env.spot_native
    book = env.venue.view.book(native, market, 1)
    bid, ask = book.bids[0][0], book.asks[0][0]
    price = bid + inst.tick_size if bid + inst.tick_size < ask else bid
    return type(request)(
        request.symbol, request.side, request.type, request.quantity, price,
        client_order_id=client_id,
    )  # fmt: skip


def _record_acknowledgements(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each wait for a venue's subscribe acknowledgement saw one (venues that send
    them only): a reply the connector failed to parse shows as False, not as a slower test."""
    seen: list[bool] = []
    wait = WsSession.wait_subscribed

    async def recorded(
        session: WsSession, channel: str, timeout: float = SUBSCRIBE_ACK_TIMEOUT
    ) -> bool:
        acknowledged = await wait(session, channel, timeout)
        if hasattr(session.protocol, "confirmed"):
            seen.append(acknowledged)
        return acknowledged

    monkeypatch.setattr(WsSession, "wait_subscribed", recorded)
    return seen


async def test_orders_fills_and_balances_missed_in_a_gap_are_recovered(
    exchange: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    acknowledgements = _record_acknowledgements(monkeypatch)
    async with environment(exchange, seed=11) as env:
        c = env.connector
        target = Target(c, env.venue, env.spot, env.perp)
        orders: list[Order] = []
        fills: list[Fill] = []
        balances: list[Balance] = []
        # Coinbase pushes no spot balances (its user channel carries orders only): there the
        # gap is checked on orders and fills, and the balance part does not apply.
        streams_balances = c.supports(Capability.STREAM_BALANCES)
        tasks = [
            asyncio.create_task(_collect(c.stream_orders(MarketKind.SPOT), orders)),
            asyncio.create_task(_collect(c.stream_fills(MarketKind.SPOT), fills)),
        ]
        if streams_balances:
            tasks.append(
                asyncio.create_task(_collect(c.stream_balances(MarketKind.SPOT), balances))
            )
        try:
            await asyncio.sleep(0.5)  # the private streams log in and subscribe
            resting = await c.place_order(await target.resting_buy(env.spot, "gapA1"))
            best = await c.place_order(await _inside_spread_buy(env, target, "gapB1"))
            await _until(
                lambda: (
                    _state(orders, "gapA1") is OrderStatus.NEW
                    and _state(orders, "gapB1") is OrderStatus.NEW
                ),
                "both orders on the stream",
            )
            seen_before = (len(orders), len(fills))
            seen_balances = len(balances)
            base = env.spot.base

            # The gap: every socket is closed, then the venue acts before anyone reconnects.
            market, native = env.spot_native
            engine = env.venue.core.engines[market]
            assert env.venue.faults.drop_ws() > 0
            engine.cancel("main", native, client_id="gapA1")
            bids = env.venue.view.book(native, market, 1000).bids
            sweep = sum((q for p, q in bids if p >= best.price), Decimal(0))
            engine.place(
                VenueOrder("taker", native, Side.SELL, OrderType.LIMIT, sweep, best.price,
                           TimeInForce.IOC)
            )  # fmt: skip

            await _until(
                lambda: (
                    _state(orders, "gapA1") is OrderStatus.CANCELED
                    and _state(orders, "gapB1") is OrderStatus.FILLED
                ),
                "both orders' final states after the gap",
            )
            await _until(
                lambda: (
                    sum(f.quantity for f in fills if f.client_order_id == "gapB1") == best.quantity
                    or sum(f.quantity for f in fills if f.order_id == best.order_id)
                    == best.quantity
                ),
                "the gap's fill",
            )
            if streams_balances:
                # A base balance since the gap names the wallet (Kraken's stream may not have
                # yielded anything before it: it reads BalanceEx after each pushed total).
                await _until(
                    lambda: any(b.asset == base for b in balances[seen_balances:]),
                    "a base balance after the gap",
                )
                truth = {b.asset: b for b in await c.get_balances(balances[-1].wallet)}

                def base_now() -> bool:  # the latest base balance yielded since the gap
                    since_gap = [b for b in balances[seen_balances:] if b.asset == base]
                    return bool(since_gap) and since_gap[-1].total == truth[base].total

                await _until(base_now, "the base balance the fill moved")
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    assert resting.client_order_id == "gapA1"
    gap_fills = [f for f in fills if f.order_id == best.order_id]
    assert len({f.trade_id for f in gap_fills}) == len(gap_fills), "a fill was yielded twice"
    assert len(orders) > seen_before[0] and len(fills) > seen_before[1]
    # The catch-up started on the venue's acknowledgement of each resubscription, not on giving
    # up waiting for it (OKX, Bybit, Coinbase acknowledge; Binance's user stream has nothing
    # to confirm).
    assert all(acknowledgements), acknowledgements
    assert acknowledgements or exchange == "binance", exchange


async def test_an_order_push_lost_to_a_broken_frame_is_recovered(exchange: str) -> None:
    async with environment(exchange, seed=12) as env:
        c = env.connector
        target = Target(c, env.venue, env.spot, env.perp)
        orders: list[Order] = []
        task = asyncio.create_task(_collect(c.stream_orders(MarketKind.SPOT), orders))
        try:
            await asyncio.sleep(0.5)  # the private stream logs in and subscribes
            await c.place_order(await target.resting_buy(env.spot, "brkA1"))
            await _until(lambda: _state(orders, "brkA1") is OrderStatus.NEW, "the order pushed")
            # The venue's next frame, the cancel's push, arrives cut in half.
            env.venue.faults.malformed_frames(1)
            market, native = env.spot_native
            env.venue.core.engines[market].cancel("main", native, client_id="brkA1")
            await _until(
                lambda: _state(orders, "brkA1") is OrderStatus.CANCELED, "the cancel, from REST"
            )
            assert env.venue.faults.injected["malformed_frames"] == 1
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

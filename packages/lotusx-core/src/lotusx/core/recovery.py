"""Private streams across connection gaps: what the exchange pushed while the socket was down.

A private WebSocket that reconnects has missed every push sent while it was away, and no
exchange replays them. A connector's raw private stream marks the hole with a `Gap` once the
connection is back (logged in and subscribed again); the functions here fill it from REST
before the live pushes continue:

* `orders_across_gaps`: every order the stream knew as open is read again (``get_order``),
  and every order open now that differs from what the stream last said is yielded: a fill or
  a cancel that happened in the gap is seen, in its final state.
* `fills_across_gaps`: ``get_fills`` since shortly before the gap, on every symbol the
  connector traded or saw private activity on (`Connector.traded_symbols`) or that has an open
  order; fills already yielded are not repeated.
* `balances_across_gaps`, `positions_across_gaps` (`states_across_gaps`): state, so whatever
  the current REST state says differently is yielded, and an asset or position it no longer
  lists is yielded empty (zero balance, flat position).

A state may be yielded twice (by the catch-up and by a push that crossed it); states are
absolute, so consumers apply them idempotently (an order's states never go backwards). Not
recovered: fills of an order another client placed and completed inside the gap on a symbol
this connector never traded or saw; orders placed and completed inside the gap (their fills
are); more than one page (100) of fills per symbol (logged as `gap_fills_page_full`).
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from lotusx.core.errors import LotusXError, OrderNotFound
from lotusx.core.observability import get_logger
from lotusx.core.transport.ws import Reset
from lotusx.core.types import Balance, Fill, MarketKind, Order, Position, PositionSide, Symbol

if TYPE_CHECKING:
    from lotusx.core.connector import Connector
    from lotusx.core.transport.ws import Subscription

__all__ = [
    "Gap",
    "OpenOrders",
    "balances_across_gaps",
    "fills_across_gaps",
    "gap_after",
    "orders_across_gaps",
    "positions_across_gaps",
    "private_pushes",
    "states_across_gaps",
]

T = TypeVar("T")
ZERO = Decimal(0)

_FILLS_PAGE = 100  # what every exchange serves in one page; a full page may be cut short
FILL_LOOKBACK_MS = 5_000
"""How far before the break fills are asked for (clock offset and in-flight pushes)."""


class Gap(msgspec.Struct, frozen=True):
    """The stream broke at ``since`` (ms, local clock) and is connected again now."""

    reason: str
    since: int


async def private_pushes(
    subscription: Subscription, convert: Callable[[bytes], list[T]], log: Any
) -> AsyncGenerator[T | Gap, None]:
    """A private subscription's pushes, converted, with a `Gap` for each hole: a reconnect
    (once the connection is back), or a push that does not decode (lost data, like a drop:
    the channel is resubscribed and the catch-up fetches what it carried). Closes the
    subscription when the stream ends."""
    try:
        async for item in subscription:
            if isinstance(item, Reset):
                log.warning(
                    "private_stream_reset", channel=subscription.channel, reason=item.reason
                )
                gap = await gap_after(subscription, item)
                if gap is not None:
                    yield gap
                continue
            try:
                values = convert(bytes(item))
            except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                log.warning("ws_malformed_push", channel=subscription.channel, error=str(exc))
                since = time.time_ns() // 1_000_000
                await subscription.resubscribe()
                await subscription.session.wait_subscribed(subscription.channel)
                yield Gap("malformed_push", since)
                continue
            for value in values:
                yield value
    finally:
        await subscription.close()


async def gap_after(subscription: Subscription, reset: Reset) -> Gap | None:
    """The `Gap` a `Reset` opened, once the subscription's connection is back; None if the
    subscription ended first (the stream is closing). Resets queued meanwhile (failed
    reconnect attempts) join this gap, which starts when the connection last showed life."""
    later = await subscription.resumed()
    if later is None:
        return None
    known = [r.since for r in (reset, later) if r.since]
    return Gap(reset.reason, min(known) if known else time.time_ns() // 1_000_000)


async def _with_catch_up(
    source: AsyncGenerator[T | Gap, None],
    missed: Callable[[Gap], Awaitable[list[T]]],
    keep: Callable[[T], bool],
) -> AsyncGenerator[T, None]:
    """``source``'s items, and after each `Gap` what ``missed`` finds; only those ``keep``
    accepts (it also records them). Closing this stream closes ``source`` (its subscription)."""
    async with contextlib.aclosing(source):
        async for item in source:
            if isinstance(item, Gap):
                for value in await missed(item):
                    if keep(value):
                        yield value
            elif keep(item):
                yield item


def _wanted(symbol: Symbol, kind: MarketKind | None) -> bool:
    return kind is None or symbol.kind is kind


OpenOrders = Callable[[], Awaitable[list[Order]]]
"""Reads the open orders a stream covers (default: ``connector.get_open_orders()``)."""


def orders_across_gaps(
    connector: Connector,
    source: AsyncGenerator[Order | Gap, None],
    kind: MarketKind | None = None,
    *,
    open_orders: OpenOrders | None = None,
    memory: int = 10_000,
) -> AsyncGenerator[Order, None]:
    """``source``'s orders, plus after each `Gap` the orders whose state changed in it.

    A push older than a state already yielded (queued before a catch-up that read a newer
    one) is dropped, so an order's states never go backwards."""
    read_open = open_orders or connector.get_open_orders
    known_open: dict[tuple[Symbol, str], Order] = {}
    latest: dict[tuple[Symbol, str], Order] = {}  # the last `memory` orders' yielded states

    def newer(order: Order) -> bool:
        key = (order.symbol, order.order_id)
        before = latest.get(key)
        if before is not None and (
            order.updated_at < before.updated_at or order.filled_quantity < before.filled_quantity
        ):
            return False
        latest.pop(key, None)
        latest[key] = order
        if len(latest) > memory:
            del latest[next(iter(latest))]
        connector.traded_symbols.add(order.symbol)
        if order.status.is_open:
            known_open[key] = order
        else:
            known_open.pop(key, None)
        return True

    async def missed(gap: Gap) -> list[Order]:
        return await _orders_missed(connector, read_open, known_open, kind, gap)

    return _with_catch_up(source, missed, newer)


async def _orders_missed(
    connector: Connector,
    read_open: OpenOrders,
    known: dict[tuple[Symbol, str], Order],
    kind: MarketKind | None,
    gap: Gap,
) -> list[Order]:
    log = get_logger(connector.name)
    try:
        now_open = [o for o in await read_open() if _wanted(o.symbol, kind)]
    except LotusXError as exc:
        log.warning("gap_not_recovered", stream="orders", reason=gap.reason, error=str(exc))
        return []
    missed = [o for o in now_open if known.get((o.symbol, o.order_id)) != o]
    still_open = {(o.symbol, o.order_id) for o in now_open}
    for (symbol, order_id), before in list(known.items()):
        if (symbol, order_id) in still_open:
            continue
        try:
            missed.append(await connector.get_order(symbol, order_id=order_id))
        except OrderNotFound:
            log.warning("gap_order_vanished", order_id=order_id, symbol=str(symbol))
        except LotusXError as exc:
            log.warning("gap_not_recovered", stream="orders", order_id=order_id, error=str(exc))
            missed.append(before)  # nothing newer is known; keep tracking it
    log.info("gap_recovered", stream="orders", reason=gap.reason, changed=len(missed))
    return missed


def fills_across_gaps(
    connector: Connector,
    source: AsyncGenerator[Fill | Gap, None],
    kind: MarketKind | None = None,
    *,
    open_orders: OpenOrders | None = None,
    memory: int = 10_000,
) -> AsyncGenerator[Fill, None]:
    """``source``'s fills, plus after each `Gap` the fills made in it (each fill once)."""
    read_open = open_orders or connector.get_open_orders
    seen: set[tuple[Symbol, str]] = set()
    order: deque[tuple[Symbol, str]] = deque()
    started = time.time_ns() // 1_000_000

    def first_time(fill: Fill) -> bool:
        key = (fill.symbol, fill.trade_id)
        if key in seen:
            return False
        seen.add(key)
        order.append(key)
        if len(order) > memory:
            seen.discard(order.popleft())
        connector.traded_symbols.add(fill.symbol)
        return True

    async def missed(gap: Gap) -> list[Fill]:
        since = max(started, gap.since - FILL_LOOKBACK_MS)
        return await _fills_missed(connector, read_open, kind, since, gap)

    return _with_catch_up(source, missed, first_time)


async def _fills_missed(
    connector: Connector, read_open: OpenOrders, kind: MarketKind | None, since: int, gap: Gap
) -> list[Fill]:
    log = get_logger(connector.name)
    wanted = set(connector.traded_symbols)
    try:
        wanted.update(o.symbol for o in await read_open())
        fills: list[Fill] = []
        for symbol in sorted(s for s in wanted if _wanted(s, kind)):
            page = await connector.get_fills(symbol, start=since, limit=_FILLS_PAGE)
            if len(page) >= _FILLS_PAGE:
                log.warning("gap_fills_page_full", symbol=str(symbol), limit=_FILLS_PAGE)
            fills.extend(page)
    except LotusXError as exc:
        log.warning("gap_not_recovered", stream="fills", reason=gap.reason, error=str(exc))
        return []
    fills.sort(key=lambda f: f.timestamp)
    log.info("gap_recovered", stream="fills", reason=gap.reason, found=len(fills))
    return fills


async def states_across_gaps(
    connector: Connector,
    source: AsyncGenerator[T | Gap, None],
    current: Callable[[], Awaitable[list[T]]],
    *,
    key: Callable[[T], Hashable],
    cleared: Callable[[T], T],
) -> AsyncGenerator[T, None]:
    """``source``'s states (balances, positions), and after a `Gap` every state that changed in
    it: those ``current()`` reports differently, and ``cleared`` ones (zero balance, flat
    position) for those it no longer reports (exchanges leave empty states out). A cleared
    state stays under the key it had (a flat position keeps its side's place)."""
    known: dict[Hashable, T] = {}
    async with contextlib.aclosing(source):
        async for item in source:
            if not isinstance(item, Gap):
                known[key(item)] = item
                yield item
                continue
            try:
                states = await current()
            except LotusXError as exc:
                get_logger(connector.name).warning(
                    "gap_not_recovered", stream="state", reason=item.reason, error=str(exc)
                )
                continue
            fresh = {key(state): state for state in states}
            for k, before in list(known.items()):
                if k not in fresh and cleared(before) != before:
                    known[k] = cleared(before)
                    yield known[k]
            for k, state in fresh.items():
                if known.get(k) != state:
                    known[k] = state
                    yield state


def balances_across_gaps(
    connector: Connector, source: AsyncGenerator[Balance | Gap, None], wallet: str | None
) -> AsyncGenerator[Balance, None]:
    """`states_across_gaps` for the balances of ``wallet`` (``get_balances(wallet)``)."""

    async def current() -> list[Balance]:
        return await connector.get_balances(wallet)

    return states_across_gaps(
        connector, source, current, key=lambda b: (b.wallet, b.asset), cleared=_zero_balance
    )


def positions_across_gaps(
    connector: Connector, source: AsyncGenerator[Position | Gap, None]
) -> AsyncGenerator[Position, None]:
    """`states_across_gaps` for positions (a side no longer listed is yielded flat)."""
    return states_across_gaps(
        connector,
        source,
        connector.get_positions,
        key=lambda p: (p.symbol, p.side is PositionSide.SHORT),
        cleared=_flat_position,
    )


def _zero_balance(balance: Balance) -> Balance:
    return msgspec.structs.replace(balance, free=ZERO, locked=ZERO)


def _flat_position(position: Position) -> Position:
    return msgspec.structs.replace(
        position,
        side=PositionSide.FLAT,
        quantity=ZERO,
        entry_price=None,
        unrealized_pnl=ZERO,
        margin=None,
        liquidation_price=None,
    )

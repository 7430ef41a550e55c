"""`lotusx.core.recovery` against a scripted connector: what a gap hides, and what it yields."""

import time
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from lotusx.core.errors import ExchangeUnavailable, OrderNotFound
from lotusx.core.observability import get_logger
from lotusx.core.recovery import (
    FILL_LOOKBACK_MS,
    Gap,
    balances_across_gaps,
    fills_across_gaps,
    orders_across_gaps,
    positions_across_gaps,
    private_pushes,
)
from lotusx.core.transport.ws import Reset
from lotusx.core.types import (
    Balance,
    Fill,
    MarginMode,
    MarketKind,
    Order,
    OrderStatus,
    OrderType,
    Position,
    PositionSide,
    Side,
    Symbol,
    TimeInForce,
)

T = TypeVar("T")
BTC = Symbol.parse("BTC/USDT")
ETH = Symbol.parse("ETH/USDT")


def order(oid: str, status: OrderStatus, filled: str = "0", symbol: Symbol = BTC) -> Order:
    return Order(
        symbol, oid, None, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, Decimal(1),
        Decimal(100), Decimal(filled), None, status, False, 1, 2,
    )  # fmt: skip


def fill(trade: str, symbol: Symbol = BTC, at: int = 10) -> Fill:
    return Fill(
        symbol, "o1", None, trade, Side.BUY, Decimal(100), Decimal(1), Decimal(0), "USDT", True,
        at,
    )  # fmt: skip


class Scripted:
    """The REST side of a connector, as the recovery functions use it."""

    name = "scripted"

    def __init__(self) -> None:
        self.traded_symbols: set[Symbol] = set()
        self.open: list[Order] = []
        self.orders: dict[str, Order] = {}
        self.fills: dict[Symbol, list[Fill]] = {}
        self.fill_queries: list[tuple[Symbol, int | None]] = []
        self.down = False
        self.balances: list[Balance] = []
        self.wallets: list[str | None] = []

    async def get_open_orders(self, symbol: Any = None) -> list[Order]:
        if self.down:
            raise ExchangeUnavailable("down", exchange=self.name, endpoint="openOrders")
        return list(self.open)

    async def get_order(self, symbol: Any, *, order_id: str | None = None) -> Order:
        if order_id not in self.orders:
            raise OrderNotFound("no", exchange=self.name, endpoint="order")
        return self.orders[order_id]

    async def get_balances(self, wallet: str | None = None) -> list[Balance]:
        self.wallets.append(wallet)
        return self.balances

    async def get_positions(self, symbol: Any = None) -> list[Position]:
        return []

    async def get_fills(
        self, symbol: Symbol, *, start: int | None = None, limit: int = 100
    ) -> list[Fill]:
        self.fill_queries.append((symbol, start))
        return self.fills.get(symbol, [])


async def script(items: Sequence[T | Gap]) -> AsyncIterator[T | Gap]:
    for item in items:
        yield item


async def drain(stream: AsyncIterator[T]) -> list[T]:
    return [item async for item in stream]


async def test_orders_that_changed_in_a_gap_are_yielded_once_in_their_final_state() -> None:
    rest = Scripted()
    live = [order("a", OrderStatus.NEW), order("b", OrderStatus.NEW), order("c", OrderStatus.NEW)]
    # In the gap: a filled, b is unchanged, c was canceled and is gone from open orders.
    rest.open = [
        order("a", OrderStatus.PARTIALLY_FILLED, "0.5"),
        live[1],
        order("d", OrderStatus.NEW),
    ]
    rest.orders = {"c": order("c", OrderStatus.CANCELED)}
    got = await drain(orders_across_gaps(rest, script([*live, Gap("closed", 5)])))  # type: ignore[arg-type]
    after = got[len(live) :]
    assert [(o.order_id, o.status) for o in after] == [
        ("a", OrderStatus.PARTIALLY_FILLED),
        ("d", OrderStatus.NEW),
        ("c", OrderStatus.CANCELED),
    ]
    assert rest.traded_symbols == {BTC}


async def test_an_unreachable_exchange_leaves_the_gap_unfilled_but_the_stream_alive() -> None:
    rest = Scripted()
    rest.down = True
    items = [order("a", OrderStatus.NEW), Gap("closed", 5), order("a", OrderStatus.FILLED, "1")]
    got = await drain(orders_across_gaps(rest, script(items)))  # type: ignore[arg-type]
    assert [o.status for o in got] == [OrderStatus.NEW, OrderStatus.FILLED]


async def test_gap_fills_come_from_every_traded_symbol_and_never_twice() -> None:
    rest = Scripted()
    rest.traded_symbols.add(ETH)  # an order was placed there, no fill seen yet
    rest.fills = {BTC: [fill("t1"), fill("t2", at=20)], ETH: [fill("e1", ETH, at=15)]}
    broke = time.time_ns() // 1_000_000 + 60_000  # well after the stream started
    items = [fill("t1"), Gap("closed", broke)]
    got = await drain(fills_across_gaps(rest, script(items)))  # type: ignore[arg-type]
    assert [f.trade_id for f in got] == ["t1", "e1", "t2"]  # t1 not repeated; by time
    assert {s for s, _ in rest.fill_queries} == {BTC, ETH}
    assert {start for _, start in rest.fill_queries} == {broke - FILL_LOOKBACK_MS}


async def test_fills_of_other_market_kinds_are_not_asked_for() -> None:
    rest = Scripted()
    perp = Symbol.parse("BTC/USDT:USDT")
    rest.traded_symbols.update({BTC, perp})
    await drain(fills_across_gaps(rest, script([Gap("closed", 5)]), MarketKind.SPOT))  # type: ignore[arg-type]
    assert [s for s, _ in rest.fill_queries] == [BTC]


async def test_balances_after_a_gap_changed_ones_and_emptied_ones() -> None:
    rest = Scripted()
    before = [Balance("BTC", Decimal(1), Decimal(0)), Balance("ETH", Decimal(2), Decimal(0))]
    now = [Balance("BTC", Decimal("0.5"), Decimal(0)), Balance("USDT", Decimal(50), Decimal(0))]

    rest.balances = now
    stream = balances_across_gaps(rest, script([*before, Gap("closed", 5)]), "spot")  # type: ignore[arg-type]
    after = (await drain(stream))[len(before) :]
    assert after == [
        msgspec.structs.replace(before[1], free=Decimal(0)),  # ETH: not listed any more
        now[0],
        now[1],
    ]
    assert rest.wallets == ["spot"]


async def test_a_position_closed_in_the_gap_is_yielded_flat() -> None:
    perp = Symbol.parse("BTC/USDT:USDT")
    long = Position(
        perp, PositionSide.LONG, Decimal(2), Decimal(100), Decimal(101), Decimal(2), Decimal(5),
        MarginMode.CROSS, Decimal(40), Decimal(80), 1,
    )  # fmt: skip
    rest = Scripted()
    stream = positions_across_gaps(rest, script([long, Gap("closed", 5)]))  # type: ignore[arg-type]
    got = await drain(stream)
    assert got[0] == long
    assert (got[1].symbol, got[1].side, got[1].quantity) == (perp, PositionSide.FLAT, 0)
    assert got[1].liquidation_price is None and len(got) == 2


async def test_a_push_older_than_the_caught_up_state_is_dropped() -> None:
    rest = Scripted()
    filled = msgspec.structs.replace(order("a", OrderStatus.FILLED, "1"), updated_at=9)
    rest.open, rest.orders = [], {"a": filled}
    partly = msgspec.structs.replace(order("a", OrderStatus.PARTIALLY_FILLED, "0.5"), updated_at=5)
    items = [order("a", OrderStatus.NEW), Gap("closed", 5), partly, filled]
    got = await drain(orders_across_gaps(rest, script(items)))  # type: ignore[arg-type]
    # The catch-up read FILLED; the queued PARTIALLY_FILLED push was older: never shown.
    assert [o.status for o in got] == [OrderStatus.NEW, OrderStatus.FILLED, OrderStatus.FILLED]


class FakeSession:
    def __init__(self) -> None:
        self.waited: list[str] = []

    async def wait_subscribed(self, channel: str) -> bool:
        self.waited.append(channel)
        return True


class FakeSubscription:
    """What `private_pushes` uses of a `Subscription`."""

    channel = "orders"

    def __init__(self, items: list[object]) -> None:
        self.items = items
        self.resubscribed = 0
        self.closed = False
        self.session = FakeSession()

    def __aiter__(self) -> "FakeSubscription":
        return self

    async def __anext__(self) -> object:
        if not self.items:
            raise StopAsyncIteration
        return self.items.pop(0)

    async def resubscribe(self) -> None:
        self.resubscribed += 1

    async def resumed(self) -> Reset | None:
        return Reset("resumed")

    async def close(self) -> None:
        self.closed = True


async def test_private_pushes_turn_resets_and_undecodable_pushes_into_gaps() -> None:
    sub = FakeSubscription([b"[1, 2]", b"[3", Reset("closed", 1234), b"[4]"])
    decode = msgspec.json.Decoder(list[int]).decode
    got = await drain(private_pushes(sub, decode, get_logger("t")))  # type: ignore[arg-type]
    assert got[:2] == [1, 2] and got[-1] == 4
    assert isinstance(got[2], Gap) and got[2].reason == "malformed_push"
    assert got[3] == Gap("closed", 1234)  # the reset's own start, once resumed
    assert sub.resubscribed == 1 and sub.closed
    assert sub.session.waited == ["orders"]  # the gap opens once the channel is live again


async def test_a_stream_can_name_the_open_orders_it_covers() -> None:
    rest = Scripted()
    rest.down = True  # get_open_orders would fail: the stream's own reader must be used
    calls: list[str] = []

    async def spot_open_orders() -> list[Order]:
        calls.append("spot")
        return [order("z", OrderStatus.NEW)]

    stream = orders_across_gaps(
        rest,  # type: ignore[arg-type]
        script([Gap("closed", 5)]),
        open_orders=spot_open_orders,
    )
    assert [o.order_id for o in await drain(stream)] == ["z"] and calls == ["spot"]

"""Orders from acknowledgements, the order ledger, the read-back opt-in, transport choice."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotusx.core.connector import Connector, OrderTransport
from lotusx.core.errors import ConfigurationError, NetworkError, OrderNotFound, RequestNotSent
from lotusx.core.observability import ORDER_FALLBACKS
from lotusx.core.orders import OrderLedger, accepted_order, amended_order, canceled_order
from lotusx.core.transport.errors import ErrorTable
from lotusx.core.transport.rest import RestClient
from lotusx.core.types import (
    AmendRequest,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    SymbolLike,
    TimeInForce,
)

BTC = Symbol("BTC", "USDT")
ETH = Symbol("ETH", "USDT")
REQUEST = OrderRequest(
    BTC,
    Side.SELL,
    OrderType.LIMIT,
    Decimal("0.25"),
    Decimal("70000.5"),
    TimeInForce.POST_ONLY,
    "c-1",
    reduce_only=True,
)


def test_accepted_order_is_the_request_as_acknowledged() -> None:
    order = accepted_order(REQUEST, "77", "c-1", 1_700_000_000_123)
    assert (order.symbol, order.order_id, order.client_order_id) == (BTC, "77", "c-1")
    assert (order.side, order.type, order.time_in_force) == (
        Side.SELL,
        OrderType.LIMIT,
        TimeInForce.POST_ONLY,
    )
    assert (order.quantity, order.price, order.reduce_only) == (
        Decimal("0.25"),
        Decimal("70000.5"),
        True,
    )
    assert order.status is OrderStatus.ACCEPTED and order.status.is_open
    assert (order.filled_quantity, order.average_price) == (0, None)
    assert order.created_at == order.updated_at == 1_700_000_000_123


def test_accepted_order_takes_the_state_an_acknowledgement_reports() -> None:
    order = accepted_order(
        REQUEST,
        "77",
        "c-1",
        5,
        status=OrderStatus.FILLED,
        filled_quantity=Decimal("0.25"),
        average_price=Decimal("70001"),
    )
    assert order.status is OrderStatus.FILLED and not order.status.is_open
    assert (order.filled_quantity, order.average_price) == (Decimal("0.25"), Decimal("70001"))


def test_amended_and_canceled_orders_keep_what_was_known() -> None:
    known = accepted_order(REQUEST, "77", "c-1", 5)
    amended = amended_order(known, AmendRequest(BTC, order_id="77", price=Decimal("69999")), 9)
    assert (amended.price, amended.quantity, amended.updated_at) == (
        Decimal("69999"),
        Decimal("0.25"),
        9,
    )
    assert amended.created_at == 5 and amended.status is OrderStatus.ACCEPTED
    resized = amended_order(
        known, AmendRequest(BTC, order_id="77", quantity=Decimal("0.5")), 10, order_id="78"
    )
    assert (resized.quantity, resized.price, resized.order_id) == (
        Decimal("0.5"),
        Decimal("70000.5"),
        "78",
    )
    canceled = canceled_order(amended, 12, filled_quantity=Decimal("0.1"))
    assert canceled.status is OrderStatus.CANCELED and canceled.updated_at == 12
    assert (canceled.filled_quantity, canceled.price) == (Decimal("0.1"), Decimal("69999"))


def _order(symbol: Symbol, order_id: str, client_id: str | None) -> Order:
    return accepted_order(
        OrderRequest(
            symbol, Side.BUY, OrderType.LIMIT, Decimal(1), Decimal(2), client_order_id=client_id
        ),
        order_id,
        client_id,
        1,
    )


def test_ledger_finds_by_either_id_per_symbol() -> None:
    ledger = OrderLedger()
    first = ledger.remember(_order(BTC, "1", "a"))
    assert ledger.find(BTC, order_id="1") is first
    assert ledger.find(BTC, client_order_id="a") is first
    assert ledger.find(ETH, order_id="1") is None
    assert ledger.find(BTC, client_order_id="b") is None
    assert ledger.find(BTC) is None
    newer = ledger.remember(canceled_order(first, 2))
    assert ledger.find(BTC, client_order_id="a") is newer and len(ledger) == 1


@settings(max_examples=80, deadline=None)
@given(capacity=st.integers(1, 8), numbers=st.lists(st.integers(0, 15), max_size=60))
def test_ledger_is_bounded_and_keeps_the_most_recently_touched(
    capacity: int, numbers: list[int]
) -> None:
    """Against a model: the ``capacity`` most recently remembered orders stay findable by order
    id; a client id finds the newest order that carried it while that order is kept."""
    ledger = OrderLedger(capacity)
    recent: list[str] = []
    newest_of: dict[str, str] = {}
    for number in numbers:
        order_id, client_id = str(number), (f"c{number % 4}" if number % 5 else None)
        ledger.remember(_order(BTC, order_id, client_id))
        if order_id in recent:
            recent.remove(order_id)
        recent = [*recent, order_id][-capacity:]
        if client_id is not None:
            newest_of[client_id] = order_id
    assert len(ledger) == len(recent) <= capacity
    for order_id in recent:
        found = ledger.find(BTC, order_id=order_id)
        assert found is not None and found.order_id == order_id
    for client_id, order_id in newest_of.items():
        found = ledger.find(BTC, client_order_id=client_id)
        expected = order_id if order_id in recent else None
        assert (found.order_id if found else None) == expected


class Toy(Connector):
    """A connector whose venue is a dict: enough to drive the base class's order plumbing."""

    name = "toy"
    mainnet_urls: ClassVar[Mapping[str, str]] = {"rest": "http://127.0.0.1:9"}
    order_transports = frozenset({OrderTransport.REST, OrderTransport.WS})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.venue: dict[str, Order] = {}
        self.reads = 0

    def _build_rest(self) -> RestClient:
        return RestClient(self.name, self.urls, errors=ErrorTable(self.name, {}, lambda b: None))

    async def get_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        self.reads += 1
        assert order_id is not None
        return self.venue[order_id]


async def test_acknowledged_orders_are_remembered_and_read_back_only_on_request() -> None:
    toy = Toy()
    ack = _order(BTC, "9", "k")
    toy.venue["9"] = canceled_order(ack, 3)  # the venue already knows more than the ack
    assert await toy._acknowledged(ack) is ack and toy.reads == 0
    assert toy.orders.find(BTC, client_order_id="k") is ack
    assert await toy._known_order(BTC, None, "k") is ack and toy.reads == 0
    reading = Toy(read_back=True)
    reading.venue["9"] = toy.venue["9"]
    read = await reading._acknowledged(ack)
    assert read.status is OrderStatus.CANCELED and reading.reads == 1
    assert reading.orders.find(BTC, order_id="9") is read


async def test_a_failed_read_back_keeps_the_acknowledged_order() -> None:
    reading = Toy(read_back=True)  # the venue has no record: get_order raises
    ack = _order(BTC, "404", "gone")

    async def missing(symbol: SymbolLike, **ids: str | None) -> Order:
        raise OrderNotFound("no such order", exchange="toy", endpoint="order")

    reading.get_order = missing  # type: ignore[method-assign]
    assert await reading._acknowledged(ack) is ack
    assert reading.orders.find(BTC, client_order_id="gone") is ack


async def test_known_order_reads_an_order_never_seen_once() -> None:
    toy = Toy()
    toy.venue["5"] = _order(BTC, "5", None)
    assert (await toy._known_order(BTC, "5", None)).order_id == "5"
    assert (await toy._known_order(BTC, "5", None)).order_id == "5"
    assert toy.reads == 1


def test_order_transport_must_be_offered() -> None:
    assert Toy(order_transport="ws").order_transport is OrderTransport.WS

    class RestOnly(Toy):
        order_transports = frozenset({OrderTransport.REST})

    with pytest.raises(ConfigurationError, match="toy takes orders over rest only, not ws"):
        RestOnly(order_transport="ws")
    with pytest.raises(ValueError, match="fix"):
        Toy(order_transport="fix")


async def test_order_call_falls_back_to_rest_only_when_nothing_was_sent() -> None:
    sent: list[str] = []

    async def rest() -> str:
        sent.append("rest")
        return "rest"

    async def ws_down() -> str:
        raise RequestNotSent("not connected", exchange="toy", endpoint="order.place")

    async def ws_lost() -> str:
        sent.append("ws")
        raise NetworkError("connection lost before the reply", exchange="toy")

    fallbacks = ORDER_FALLBACKS.labels("toy")
    before = fallbacks._value.get()
    assert await Toy()._order_call(ws_down, rest) == "rest"  # REST transport: ws never tried
    assert fallbacks._value.get() == before
    ws = Toy(order_transport="ws")
    assert await ws._order_call(ws_down, rest) == "rest"
    assert fallbacks._value.get() == before + 1
    sent.clear()
    with pytest.raises(NetworkError, match="lost"):
        await ws._order_call(ws_lost, rest)
    assert sent == ["ws"], "a request that may have reached the venue is not sent again"

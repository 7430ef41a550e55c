"""Orders from Coinbase's acknowledgements (create, edit, batch_cancel), and the connector's use
of its order ledger: one request per action, nothing read back (no network)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.coinbase import ClientOrderIdReused, CoinbaseConnector
from lotusx.connectors.coinbase import endpoints as ep
from lotusx.connectors.coinbase import wire as w
from lotusx.core.errors import ExchangeError, OrderNotFound, PostOnlyWouldTake
from lotusx.core.transport.rest import Endpoint
from lotusx.core.types import (
    AmendRequest,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

BTC_USD = Symbol("BTC", "USD")
NOW = 1_700_000_000_123

# The Create Order reference's success reply (ids shortened), for a limit GTC order.
CREATED = b"""{"success":true,"success_response":{"order_id":"11111-00000-000000",
 "product_id":"BTC-USD","side":"BUY","client_order_id":"0000-00000-000000"},
 "order_configuration":{"limit_limit_gtc":{"base_size":"0.001","limit_price":"10000.00",
 "post_only":false}}}"""
EDITED = b"""{"success":true,"errors":[]}"""
CANCELED = b"""{"results":[{"success":true,"failure_reason":"UNKNOWN_CANCEL_FAILURE_REASON",
 "order_id":"11111-00000-000000"}]}"""


def _request(
    price: str | None = "10000",
    quantity: str = "0.001",
    side: Side = Side.BUY,
    kind: OrderType = OrderType.LIMIT,
    tif: TimeInForce = TimeInForce.GTC,
) -> OrderRequest:
    return OrderRequest(
        BTC_USD,
        side,
        kind,
        Decimal(quantity),
        Decimal(price) if price is not None else None,
        tif,
        "0000-00000-000000",
    )


def _created(raw: bytes = CREATED) -> w.CreateReplyWire:
    return msgspec.json.decode(raw, type=w.CreateReplyWire)


def _reply_with(config: str, product: str = "BTC-USD", side: str = "BUY") -> w.CreateReplyWire:
    return _created(
        b'{"success":true,"success_response":{"order_id":"o","product_id":"%s","side":"%s",'
        b'"client_order_id":"0000-00000-000000"},"order_configuration":%s}'
        % (product.encode(), side.encode(), config.encode())
    )


# ----------------------------------------------------------------------------- create


def test_a_create_reply_is_the_request_accepted() -> None:
    reply = _created()
    request = _request()
    assert w.create_refusal(reply) is None
    assert not w.held_instead(reply, request, "BTC-USD")
    order = w.to_accepted(reply, request, "0000-00000-000000", NOW)
    assert (order.order_id, order.client_order_id, order.symbol) == (
        "11111-00000-000000",
        "0000-00000-000000",
        BTC_USD,
    )
    assert (order.side, order.type, order.time_in_force) == (
        Side.BUY,
        OrderType.LIMIT,
        TimeInForce.GTC,
    )
    assert (order.quantity, order.price) == (Decimal("0.001"), Decimal(10000))
    assert (order.status, order.filled_quantity, order.average_price) == (
        OrderStatus.ACCEPTED,
        0,
        None,
    )
    assert order.created_at == order.updated_at == NOW  # the reply carries no time


def test_a_create_reply_without_an_order_id_or_for_another_client_id_is_malformed() -> None:
    request = _request()
    bare = _created(b'{"success":true,"success_response":{"product_id":"BTC-USD"}}')
    assert w.create_refusal(bare) is None  # Coinbase says it placed it: not a refusal
    with pytest.raises(ExchangeError, match="names no order_id"):
        w.to_accepted(bare, request, "0000-00000-000000", NOW)
    with pytest.raises(ExchangeError, match="acknowledged as client_order_id"):
        w.to_accepted(_created(), request, "another", NOW)


def test_create_refusals_name_the_most_specific_reason() -> None:
    refused = _created(
        b"""{"success":false,"error_response":{"error":"UNKNOWN_FAILURE_REASON",
        "message":"Limit price would take liquidity","error_details":"",
        "preview_failure_reason":"PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY",
        "new_order_failure_reason":"UNKNOWN_FAILURE_REASON"},
        "order_configuration":{"limit_limit_gtc":{"base_size":"0.001",
        "limit_price":"10000.00","post_only":true}}}"""
    )
    assert w.create_refusal(refused) == (
        "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY",
        "Limit price would take liquidity",
    )
    # the earlier form: an order id and an unspecific reason did place the order
    legacy = _created(b'{"success":false,"order_id":"o","failure_reason":"UNKNOWN_FAILURE_REASON"}')
    assert w.create_refusal(legacy) is None and w.created_id(legacy) == "o"
    assert w.create_refusal(_created(b'{"success":false}')) == ("", "")


@pytest.mark.parametrize(
    ("reply", "request_", "held"),
    [
        ('{"limit_limit_gtc":{"base_size":"0.001","limit_price":"10000"}}', _request(), False),
        ('{"limit_limit_gtc":{"base_size":"0.001","limit_price":"9999"}}', _request(), True),
        ('{"limit_limit_gtc":{"base_size":"0.002","limit_price":"10000"}}', _request(), True),
        ('{"market_market_ioc":{"base_size":"0.001"}}', _request(), True),
        (
            '{"market_market_ioc":{"base_size":"0.001"}}',
            _request(None, kind=OrderType.MARKET, tif=TimeInForce.IOC),
            False,
        ),
        # sized in quote currency (placed elsewhere): no base size to compare
        ('{"limit_limit_gtc":{"quote_size":"10","limit_price":"10000"}}', _request(), False),
        ('{"stop_limit_stop_limit_gtc":{"base_size":"0.001","limit_price":"1"}}', _request(), True),
    ],
)
def test_a_reused_client_order_id_shows_in_the_configuration(
    reply: str, request_: OrderRequest, held: bool
) -> None:
    assert w.held_instead(_reply_with(reply), request_, "BTC-USD") is held


def test_a_reused_client_order_id_on_another_product_or_side() -> None:
    config = '{"limit_limit_gtc":{"base_size":"0.001","limit_price":"10000"}}'
    assert w.held_instead(_reply_with(config, product="ETH-USD"), _request(), "BTC-USD")
    assert w.held_instead(_reply_with(config, side="SELL"), _request(), "BTC-USD")
    # a reply without a configuration is compared on what it names
    bare = _created(b'{"success":true,"success_response":{"order_id":"o","side":"BUY"}}')
    assert not w.held_instead(bare, _request(), "BTC-USD")


# ----------------------------------------------------------------------------- edit, cancel


def _known(status: OrderStatus = OrderStatus.NEW, filled: str = "0") -> Order:
    return Order(
        symbol=BTC_USD,
        order_id="11111-00000-000000",
        client_order_id="c",
        side=Side.BUY,
        type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        quantity=Decimal("0.002"),
        price=Decimal(10000),
        filled_quantity=Decimal(filled),
        average_price=Decimal(10000) if filled != "0" else None,
        status=status,
        reduce_only=False,
        created_at=5,
        updated_at=5,
    )


def test_an_edit_reply_amends_the_known_order() -> None:
    reply = msgspec.json.decode(EDITED, type=w.EditReplyWire)
    assert w.edit_refusal(reply) is None
    known = _known(OrderStatus.PARTIALLY_FILLED, "0.001")
    order = w.to_amended(reply, known, AmendRequest(BTC_USD, price=Decimal(9990)), NOW)
    assert (order.order_id, order.price, order.quantity) == (
        known.order_id,
        Decimal(9990),
        Decimal("0.002"),
    )
    assert (order.status, order.filled_quantity) == (OrderStatus.PARTIALLY_FILLED, Decimal("0.001"))
    assert (order.created_at, order.updated_at) == (5, NOW)
    resized = w.to_amended(reply, known, AmendRequest(BTC_USD, quantity=Decimal("0.003")), NOW)
    assert (resized.price, resized.quantity) == (Decimal(10000), Decimal("0.003"))


def test_edit_refusals() -> None:
    refused = msgspec.json.decode(
        b"""{"success":false,"errors":[{"edit_failure_reason":"INVALID_EDITED_PRICE",
        "preview_failure_reason":"PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY"}]}""",
        type=w.EditReplyWire,
    )
    assert w.edit_refusal(refused) == "INVALID_EDITED_PRICE"
    assert w.edit_refusal(msgspec.json.decode(b'{"success":false}', type=w.EditReplyWire)) == ""
    with pytest.raises(ExchangeError, match="not accepted"):
        w.to_amended(refused, _known(), AmendRequest(BTC_USD, price=Decimal(1)), NOW)


def test_a_cancel_result_cancels_the_known_order() -> None:
    (result,) = msgspec.json.decode(CANCELED, type=w.CancelReplyWire).results
    known = _known(OrderStatus.PARTIALLY_FILLED, "0.001")
    order = w.to_canceled(result, known, NOW)
    assert (order.status, order.filled_quantity, order.updated_at) == (
        OrderStatus.CANCELED,
        Decimal("0.001"),
        NOW,
    )
    assert (order.order_id, order.client_order_id, order.price) == (
        known.order_id,
        "c",
        known.price,
    )
    other = w.CancelResultWire(success=True, order_id="someone-else")
    with pytest.raises(ExchangeError, match="cancel result for"):
        w.to_canceled(other, known, NOW)
    with pytest.raises(ExchangeError, match="not accepted"):
        w.to_canceled(w.CancelResultWire(order_id=known.order_id), known, NOW)


# ----------------------------------------------------------------------------- the connector


class _Venue:
    """Answers the connector's POSTs with documented bodies; counts every call."""

    def __init__(self, replies: Mapping[str, list[bytes]]) -> None:
        self.replies = {k: list(v) for k, v in replies.items()}
        self.posts: list[tuple[str, object]] = []
        self.gets: list[str] = []

    async def post(self, endpoint: Endpoint, kind: type, body: object) -> object:
        self.posts.append((endpoint.name, body))
        return msgspec.json.decode(self.replies[endpoint.name].pop(0), type=kind)

    async def get(self, endpoint: Endpoint, kind: type, params: object = None) -> object:
        self.gets.append(endpoint.name)
        raise AssertionError(f"nothing is read: {endpoint.name}")


def _connector(monkeypatch: pytest.MonkeyPatch, venue: _Venue) -> CoinbaseConnector:
    ex = CoinbaseConnector()
    inst = Instrument(
        symbol=BTC_USD,
        native_id="BTC-USD",
        tick_size=Decimal("0.01"),
        lot_size=Decimal("0.00000001"),
        min_quantity=Decimal("0.00000001"),
    )

    async def spot(symbol: object) -> Instrument:
        return inst

    monkeypatch.setattr(ex, "_spot", spot)
    monkeypatch.setattr(ex, "_post", venue.post)
    monkeypatch.setattr(ex, "_get", venue.get)
    return ex


async def test_place_amend_cancel_are_one_request_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client order id is resolved through the ledger: the edit and the cancel send the
    order id and the known size/price, with nothing read first."""
    created = CREATED.replace(b'"0.001"', b'"0.002"')
    venue = _Venue(
        {
            ep.CREATE_ORDER.name: [created],
            ep.EDIT_ORDER.name: [EDITED],
            ep.CANCEL_ORDERS.name: [CANCELED],
        }
    )
    ex = _connector(monkeypatch, venue)
    placed = await ex.place_order(_request(quantity="0.002"))
    assert placed.status is OrderStatus.ACCEPTED
    amended = await ex.amend_order(
        AmendRequest(BTC_USD, client_order_id="0000-00000-000000", price=Decimal("9990.5"))
    )
    assert (amended.price, amended.quantity, amended.status) == (
        Decimal("9990.5"),
        Decimal("0.002"),
        OrderStatus.ACCEPTED,
    )
    canceled = await ex.cancel_order(BTC_USD, client_order_id="0000-00000-000000")
    assert (canceled.status, canceled.price) == (OrderStatus.CANCELED, Decimal("9990.5"))
    assert venue.gets == []
    assert [name for name, _ in venue.posts] == [
        ep.CREATE_ORDER.name,
        ep.EDIT_ORDER.name,
        ep.CANCEL_ORDERS.name,
    ]
    assert venue.posts[1][1] == {
        "order_id": "11111-00000-000000",
        "price": "9990.5",
        "size": "0.002",
    }
    assert venue.posts[2][1] == {"order_ids": ["11111-00000-000000"]}
    assert ex.orders.find(BTC_USD, "11111-00000-000000") == canceled


async def test_a_reused_client_order_id_places_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reply names the order that holds the id (another price): ClientOrderIdReused, and
    the ledger does not take that order for this request."""
    venue = _Venue({ep.CREATE_ORDER.name: [CREATED]})
    ex = _connector(monkeypatch, venue)
    with pytest.raises(ClientOrderIdReused, match="11111-00000-000000"):
        await ex.place_order(_request(price="9000"))
    assert len(ex.orders) == 0 and len(venue.posts) == 1


async def test_post_only_that_would_take_is_refused_in_the_reply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = b"""{"success":false,"error_response":{"error":"INVALID_LIMIT_PRICE_POST_ONLY",
     "message":"Limit price would take liquidity",
     "preview_failure_reason":"PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY"}}"""
    venue = _Venue({ep.CREATE_ORDER.name: [refused]})
    ex = _connector(monkeypatch, venue)
    with pytest.raises(PostOnlyWouldTake) as info:
        await ex.place_order(_request(tif=TimeInForce.POST_ONLY))
    assert info.value.code == "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY"
    assert len(ex.orders) == 0


async def test_an_unknown_cancel_fails_on_the_cancel(monkeypatch: pytest.MonkeyPatch) -> None:
    """An order id Coinbase does not know: the cancel's own OrderNotFound, nothing read."""
    unknown = b"""{"results":[{"success":false,"failure_reason":"UNKNOWN_CANCEL_ORDER",
     "order_id":"nope"}]}"""
    venue = _Venue({ep.CANCEL_ORDERS.name: [unknown]})
    ex = _connector(monkeypatch, venue)
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(BTC_USD, order_id="nope")
    assert venue.gets == [] and len(venue.posts) == 1

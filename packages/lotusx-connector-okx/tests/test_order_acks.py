"""Order actions from OKX's documented acknowledgements, with the REST transport scripted: what
one request tells, and what only a read (``read_back=True``, ``get_order``) can."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.okx import OkxConnector
from lotusx.connectors.okx import endpoints as ep
from lotusx.connectors.okx import wire as w
from lotusx.core.errors import ExchangeError, PostOnlyWouldTake
from lotusx.core.transport.rest import Endpoint
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

PERP = Symbol.parse("BTC/USDT:USDT")
INSTRUMENTS = {
    "SPOT": b"[]",
    "SWAP": (
        b'[{"instType":"SWAP","instId":"BTC-USDT-SWAP","instFamily":"BTC-USDT",'
        b'"settleCcy":"USDT","ctVal":"0.01","ctValCcy":"BTC","tickSz":"0.1","lotSz":"1",'
        b'"minSz":"1","ctType":"linear","state":"live","maxLmtSz":"100000"}]'
    ),
}
PLACED = b'[{"clOrdId":"po1","ordId":"501","tag":"","ts":"1695190491421","sCode":"0","sMsg":""}]'
# What a read of that order says a moment later: OKX canceled it for taking (cancelSource 31).
TAKEN = (
    b'[{"instType":"SWAP","instId":"BTC-USDT-SWAP","ordId":"501","clOrdId":"po1","px":"60000",'
    b'"sz":"5","ordType":"post_only","side":"buy","state":"canceled","cancelSource":"31",'
    b'"accFillSz":"0","avgPx":"","reduceOnly":"false","cTime":"1695190491421",'
    b'"uTime":"1695190491422"}]'
)
AMEND_REFUSED = (
    b'{"code":"1","msg":"","data":[{"clOrdId":"","ordId":"501","ts":"1695190491500",'
    b'"reqId":"","sCode":"51511","sMsg":"Operation failed as the order price did not meet the '
    b'requirement for Post Only."}]}'
)


class ScriptedRest:
    """Stands in for `RestClient.request`: answers each endpoint from a script, records calls."""

    def __init__(self) -> None:
        self.replies: dict[str, list[bytes]] = {}
        self.sent: list[str] = []

    def reply(self, endpoint: Endpoint, *envelopes: bytes) -> None:
        self.replies.setdefault(endpoint.name, []).extend(envelopes)

    async def request(
        self,
        endpoint: Endpoint,
        decode: type[w.EnvelopeWire],
        *,
        params: Mapping[str, object] | None = None,
        body: Mapping[str, object] | Sequence[object] | None = None,
        costs: Mapping[str, int] | None = None,
    ) -> w.EnvelopeWire:
        if endpoint.name == "public.instruments":
            assert params is not None
            data = INSTRUMENTS[str(params["instType"])]
            return w.EnvelopeWire("0", "", msgspec.Raw(data))
        self.sent.append(endpoint.name)
        return msgspec.json.decode(self.replies[endpoint.name].pop(0), type=decode)


def _ok(data: bytes) -> bytes:
    return b'{"code":"0","msg":"","data":' + data + b"}"


@pytest.fixture
async def scripted() -> tuple[OkxConnector, ScriptedRest]:
    ex = OkxConnector(api_key="k", secret="s", passphrase="p")
    rest = ScriptedRest()
    ex.rest.request = rest.request  # type: ignore[method-assign,assignment]
    await ex.load_instruments()
    return ex, rest


def _post_only() -> OrderRequest:
    return OrderRequest(
        PERP,
        Side.BUY,
        OrderType.LIMIT,
        Decimal("0.05"),
        Decimal(60000),
        TimeInForce.POST_ONLY,
        "po1",
    )


async def test_a_post_only_order_okx_accepts_then_cancels_is_returned_accepted(
    scripted: tuple[OkxConnector, ScriptedRest],
) -> None:
    ex, rest = scripted
    rest.reply(ep.ORDER, _ok(PLACED))
    order = await ex.place_order(_post_only())
    assert rest.sent == ["trade.order"]
    assert order.status is OrderStatus.ACCEPTED and order.order_id == "501"
    assert (order.quantity, order.created_at) == (Decimal("0.05"), 1695190491421)
    assert ex.orders.find(PERP, "501") == order
    rest.reply(ep.ORDER_GET, _ok(TAKEN))
    final = await ex.get_order(PERP, order_id="501")  # the later state says what happened
    assert final.status is OrderStatus.REJECTED and final.quantity == order.quantity


async def test_with_read_back_the_taken_post_only_order_raises(
    scripted: tuple[OkxConnector, ScriptedRest],
) -> None:
    ex, rest = scripted
    ex.read_back = True
    rest.reply(ep.ORDER, _ok(PLACED))
    rest.reply(ep.ORDER_GET, _ok(TAKEN))
    with pytest.raises(PostOnlyWouldTake) as caught:
        await ex.place_order(_post_only())
    assert rest.sent == ["trade.order", "trade.order.get"]
    assert caught.value.code == w.POST_ONLY_TOOK


async def test_an_amend_okx_refuses_as_post_only_raises_its_code(
    scripted: tuple[OkxConnector, ScriptedRest],
) -> None:
    ex, rest = scripted
    rest.reply(ep.AMEND, AMEND_REFUSED)
    with pytest.raises(PostOnlyWouldTake):
        await ex.amend_order(AmendRequest(PERP, order_id="501", price=Decimal("60010")))
    assert rest.sent == ["trade.amend-order"]


async def test_malformed_batch_acks_are_errors(
    scripted: tuple[OkxConnector, ScriptedRest],
) -> None:
    ex, rest = scripted
    requests = [
        msgspec.structs.replace(_post_only(), client_order_id=f"po{i}") for i in range(1, 3)
    ]
    rest.reply(ep.BATCH_ORDERS, _ok(PLACED))  # one item for two orders sent
    with pytest.raises(ExchangeError, match="1 items for 2 sent"):
        await ex.place_batch_orders(requests)
    rest.reply(ep.CANCEL_BATCH, _ok(b'[{"ordId":"501","clOrdId":""}]'))  # no sCode
    with pytest.raises(ExchangeError, match="malformed"):
        await ex.cancel_batch(PERP, ["501"])


async def test_a_batch_item_acknowledged_under_another_client_id_is_its_error(
    scripted: tuple[OkxConnector, ScriptedRest],
) -> None:
    ex, rest = scripted
    other = msgspec.structs.replace(_post_only(), client_order_id="po2")
    two = PLACED[:-1] + b"," + PLACED[1:-1].replace(b'"po1"', b'"po9"') + b"]"
    rest.reply(ep.BATCH_ORDERS, _ok(two))
    first, second = await ex.place_batch_orders([_post_only(), other])
    assert isinstance(first, Order) and first.status is OrderStatus.ACCEPTED
    assert isinstance(second, ExchangeError) and "po9" in str(second)
    assert rest.sent == ["trade.batch-orders"]

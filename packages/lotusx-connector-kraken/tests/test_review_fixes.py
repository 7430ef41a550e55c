"""Fixes from the review against Kraken's documentation (each test fails without its fix)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from lotusx.connectors.kraken import KrakenConnector
from lotusx.connectors.kraken import endpoints as ep
from lotusx.core.errors import OrderStatusUnknown
from lotusx.core.types import OrderRequest, OrderStatus, OrderType, Side, Symbol, TimeInForce

SPOT = Symbol("BTC", "USD")
PERP = Symbol("BTC", "USD", "USD")


def _record_costs(ex: KrakenConnector) -> list[tuple[str, Mapping[str, int] | None]]:
    seen: list[tuple[str, Mapping[str, int] | None]] = []
    send = ex._send

    async def spy(client: Any, endpoint: Any, params: Any, costs: Any) -> bytes:
        seen.append((endpoint.name, costs if costs is not None else endpoint.costs))
        return await send(client, endpoint, params, costs)

    ex._send = spy  # type: ignore[method-assign]
    return seen


def test_futures_costs_follow_the_rate_limit_guide() -> None:
    assert ep.F_ORDER_STATUS.costs == {"derivatives": 1}
    assert ep.F_WITHDRAWAL.costs == {"derivatives": 100}
    assert ep.F_CANCEL_ALL_AFTER.costs == {"derivatives": 25}
    assert ep.F_LEVERAGE_SET.costs == {"derivatives": 10}
    assert ep.F_TRANSFER.costs == {"derivatives": 10}
    assert ep.F_FILLS_WITH_TIME == 25
    assert ep.batch_cost(10) == {"derivatives": 19}


async def test_futures_batch_is_charged_nine_plus_its_size(ex: KrakenConnector) -> None:
    inst = await ex.instrument(PERP)
    book = await ex.get_orderbook(PERP, 1)
    price = book.bids[0].price * Decimal("0.9")
    price = price - price % inst.tick_size
    requests = [
        OrderRequest(PERP, Side.BUY, OrderType.LIMIT, inst.min_quantity, price) for _ in range(3)
    ]
    seen = _record_costs(ex)
    placed = await ex.place_batch_orders(requests)
    assert ("futures.batchorder", {"derivatives": 12}) in seen
    ids = [o.order_id for o in placed if not isinstance(o, Exception)]
    seen.clear()
    await ex.cancel_batch(PERP, ids)
    assert ("futures.batchorder", {"derivatives": 9 + len(ids)}) in seen


async def test_futures_batch_json_writes_plain_decimal_numbers(ex: KrakenConnector) -> None:
    from lotusx.connectors.kraken.connector import _plain_json

    body = _plain_json({"batchOrder": [{"size": Decimal("1E-8"), "limitPrice": Decimal("6E+4")}]})
    assert body == b'{"batchOrder":[{"size":0.00000001,"limitPrice":60000}]}'
    inst = await ex.instrument(PERP)
    book = await ex.get_orderbook(PERP, 1)
    sent: list[str] = []
    send = ex._send

    async def spy(client: Any, endpoint: Any, params: Any, costs: Any) -> bytes:
        if endpoint.name == "futures.batchorder":
            sent.append(params["json"])
        return await send(client, endpoint, params, costs)

    ex._send = spy  # type: ignore[method-assign]
    price = (book.bids[0].price * Decimal("0.9")).quantize(inst.tick_size)
    price = Decimal(f"{price:E}")  # same value, exponent form (e.g. 6.0000E+4)
    request = OrderRequest(PERP, Side.BUY, OrderType.LIMIT, inst.min_quantity, price)
    await ex.place_batch_orders([request, request])
    assert sent and "E+" not in sent[0] and "E-" not in sent[0]


def test_temporary_lockout_pauses_the_key_for_the_documented_lockout() -> None:
    from lotusx.connectors.kraken.errors import LOCKOUT_SECONDS, check_spot
    from lotusx.core.errors import RateLimitExceeded

    raw = b'{"error":["EGeneral:Temporary lockout"],"result":{}}'
    with pytest.raises(RateLimitExceeded) as caught:
        check_spot(None, ep.BALANCE_EX, raw)
    assert caught.value.retry_after == LOCKOUT_SECONDS == 900.0
    throttled = b'{"error":["EAPI:Rate limit exceeded"],"result":{}}'
    with pytest.raises(RateLimitExceeded) as caught:
        check_spot(None, ep.BALANCE_EX, throttled)
    assert caught.value.retry_after is None


def _status_window_passed(ex: KrakenConnector) -> None:
    """``orders/status`` answers as Kraken does once the order closed over 5 s ago (empty)."""
    fut = ex._fut

    async def spy(endpoint: Any, kind: Any, params: Any = None, **kw: Any) -> Any:
        if endpoint is ep.F_ORDER_STATUS:
            return kind(orders=[])
        return await fut(endpoint, kind, params, **kw)

    ex._fut = spy  # type: ignore[method-assign]


async def test_lost_futures_reply_of_a_filled_order_is_found_in_the_fills(
    ex: KrakenConnector, venue: Any
) -> None:
    inst = await ex.instrument(PERP)
    book = await ex.get_orderbook(PERP, 1)
    _status_window_passed(ex)
    venue.faults.fail_after_accept(1)
    request = OrderRequest(
        PERP, Side.BUY, OrderType.LIMIT, inst.min_quantity, book.asks[0].price, TimeInForce.IOC
    )
    order = await ex.place_order(request)
    assert order.status is OrderStatus.FILLED
    assert order.filled_quantity == inst.min_quantity
    assert order.client_order_id is not None


async def test_lost_futures_reply_not_found_after_the_status_window_is_unknown(
    ex: KrakenConnector, venue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst = await ex.instrument(PERP)
    book = await ex.get_orderbook(PERP, 1)
    _status_window_passed(ex)
    real = ex.clock

    class Later:  # the send took 10 s (a timeout) before the lookups began
        calls = 0

        def now_ms(self) -> int:
            Later.calls += 1
            return real.now_ms() + (0 if Later.calls == 1 else 10_000)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(ex, "clock", Later())
    venue.faults.fail_after_accept(1)
    price = (book.bids[0].price * Decimal("0.9")).quantize(inst.tick_size)
    request = OrderRequest(
        PERP, Side.BUY, OrderType.LIMIT, inst.min_quantity, price, TimeInForce.IOC
    )
    with pytest.raises(OrderStatusUnknown):
        await ex.place_order(request)


def _spot_calls(ex: KrakenConnector) -> list[str]:
    """Records the spot endpoints called."""
    seen: list[str] = []
    spot = ex._spot

    async def spy(endpoint: Any, kind: Any, params: Any = None, **kw: Any) -> Any:
        seen.append(endpoint.name)
        return await spot(endpoint, kind, params, **kw)

    ex._spot = spy  # type: ignore[method-assign]
    return seen


async def _spot_resting(ex: KrakenConnector) -> OrderRequest:
    inst = await ex.instrument(SPOT)
    book = await ex.get_orderbook(SPOT, 1)
    price = (book.bids[0].price * Decimal("0.9")).quantize(inst.tick_size)
    return OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, inst.min_quantity, price)


async def test_spot_placement_is_add_order_alone(ex: KrakenConnector) -> None:
    request = await _spot_resting(ex)
    seen = _spot_calls(ex)
    order = await ex.place_order(request)
    assert seen == ["spot.AddOrder"]  # no QueryOrders read-back
    assert order.status is OrderStatus.ACCEPTED and order.order_id
    assert order.quantity == request.quantity and order.price == request.price
    assert order.client_order_id is not None
    held = await ex.get_order(SPOT, order_id=order.order_id)
    assert held.status is OrderStatus.NEW and held.client_order_id == order.client_order_id


async def test_spot_batch_is_one_add_order_batch(ex: KrakenConnector) -> None:
    request = await _spot_resting(ex)
    requests = [msgspec.structs.replace(request, client_order_id=f"one{n}") for n in range(3)]
    seen = _spot_calls(ex)
    placed = await ex.place_batch_orders(requests)
    assert seen == ["spot.AddOrderBatch"]
    assert [getattr(o, "status", None) for o in placed] == [OrderStatus.ACCEPTED] * 3
    assert [getattr(o, "client_order_id", None) for o in placed] == ["one0", "one1", "one2"]


async def test_futures_ioc_that_would_not_execute_is_expired(ex: KrakenConnector) -> None:
    from lotusx.connectors.kraken import wire as w

    inst = await ex.instrument(PERP)
    fut = ex._fut

    async def spy(endpoint: Any, kind: Any, params: Any = None, **kw: Any) -> Any:
        if endpoint is ep.F_SEND_ORDER:
            status = w.FStatusWire(status="iocWouldNotExecute", order_id="o-1")
            return w.FSendWire(sendStatus=status)
        if endpoint is ep.F_ORDER_STATUS:
            return kind(orders=[])
        return await fut(endpoint, kind, params, **kw)

    ex._fut = spy  # type: ignore[method-assign]
    request = OrderRequest(
        PERP, Side.BUY, OrderType.LIMIT, inst.min_quantity, Decimal(1000), TimeInForce.IOC
    )
    order = await ex.place_order(request)
    assert order.status is OrderStatus.EXPIRED
    assert order.order_id == "o-1" and order.filled_quantity == 0


async def test_futures_stream_ioc_failure_is_expired(ex: KrakenConnector) -> None:
    await ex.load_instruments()
    convert = ex._futures_orders()
    order = (
        b'{"feed":"open_orders","order":{"instrument":"PF_XBTUSD","order_id":"o-2",'
        b'"qty":1,"filled":0,"limit_price":1000,"type":"limit","direction":0},'
    )
    reasons = {
        b"ioc_order_failed_because_it_would_not_be_executed": OrderStatus.EXPIRED,
        b"full_fill": OrderStatus.FILLED,
        b"cancelled_by_user": OrderStatus.CANCELED,
    }
    for reason, expected in reasons.items():
        raw = order + b'"is_cancel":true,"reason":"' + reason + b'"}'
        assert [o.status for o in convert(raw)] == [expected]


def test_spot_ioc_and_fok_orders_ending_canceled_are_expired() -> None:
    from lotusx.connectors.kraken import wire as w

    def wire(tif: str | None) -> w.SpotOrderWire:
        descr = w.OrderDescrWire(pair="XXBTZUSD", type="buy", ordertype="limit", price=Decimal(1))
        return w.SpotOrderWire(
            status="canceled",
            opentm=Decimal(1),
            descr=descr,
            vol=Decimal(1),
            vol_exec=Decimal(0),
            timeinforce=tif,
        )

    assert w.spot_order("T", wire(None), SPOT, TimeInForce.IOC).status is OrderStatus.EXPIRED
    assert w.spot_order("T", wire("FOK"), SPOT).status is OrderStatus.EXPIRED
    assert w.spot_order("T", wire(None), SPOT).status is OrderStatus.CANCELED
    assert w.spot_order("T", wire("GTC"), SPOT).status is OrderStatus.CANCELED


async def test_spot_ioc_that_cannot_fill_is_expired(ex: KrakenConnector) -> None:
    request = await _spot_resting(ex)
    ioc = OrderRequest(
        SPOT, Side.BUY, OrderType.LIMIT, request.quantity, request.price, TimeInForce.IOC
    )
    order = await ex.place_order(ioc)
    assert order.status is OrderStatus.ACCEPTED  # AddOrder's answer tells no outcome
    final = await ex.get_order(SPOT, order_id=order.order_id)
    assert final.status is OrderStatus.EXPIRED


async def test_spot_fills_page_through_trades_history(ex: KrakenConnector) -> None:
    from lotusx.connectors.kraken import wire as w

    await ex.load_instruments()
    total = 120
    rows = {  # newest first, as Kraken answers
        f"T{i}": w.SpotTradeWire(
            ordertxid=f"O{i}",
            pair="XXBTZUSD",
            time=Decimal(1_700_000_000 + total - i),
            type="buy",
            price=Decimal(100),
            vol=Decimal(1),
        )
        for i in range(total)
    }
    offsets: list[int] = []
    spot = ex._spot

    async def spy(endpoint: Any, kind: Any, params: Any = None, **kw: Any) -> Any:
        if endpoint is ep.TRADES_HISTORY:
            offset = (params or {}).get("ofs") or 0
            offsets.append(offset)
            page = dict(list(rows.items())[offset : offset + 50])
            return w.TradesHistoryWire(trades=page, count=total)
        if endpoint is ep.QUERY_ORDERS:
            assert len(params["txid"].split(",")) <= 50
            return {}
        return await spot(endpoint, kind, params, **kw)

    ex._spot = spy  # type: ignore[method-assign]
    fills = await ex.get_fills(SPOT, limit=80)
    assert offsets == [0, 50]
    assert len(fills) == 80 and fills[-1].trade_id == "T0"
    offsets.clear()
    assert len(await ex.get_fills(SPOT, limit=500)) == total
    assert offsets == [0, 50, 100]


async def test_spot_book_depth_is_fixed_while_its_subscription_is_live(ex: KrakenConnector) -> None:
    from lotusx.core.errors import ConfigurationError

    shallow = ex.stream_orderbook(SPOT, 10)
    first = await anext(shallow)
    assert 0 < len(first.bids) <= 10
    deeper = ex.stream_orderbook(SPOT, 100)
    with pytest.raises(ConfigurationError, match="depth 10"):
        await anext(deeper)
    sharing = ex.stream_orderbook(SPOT, 5)
    assert 0 < len((await anext(sharing)).bids) <= 5
    await sharing.aclose()  # type: ignore[attr-defined]
    await shallow.aclose()  # type: ignore[attr-defined]
    deep = ex.stream_orderbook(SPOT, 100)
    book = await anext(deep)
    assert len(book.bids) > 10
    await deep.aclose()  # type: ignore[attr-defined]


async def test_lost_spot_placement_is_not_resolved_to_an_old_order_sharing_its_id(
    ex: KrakenConnector, venue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lotusx.core.errors import ExchangeUnavailable

    resting = await _spot_resting(ex)
    reused = "reused-id"
    old = await ex.place_order(msgspec.structs.replace(resting, client_order_id=reused))
    await ex.cancel_order(SPOT, order_id=old.order_id)
    real = ex.clock

    class Later:  # the old order was opened two minutes before this placement
        def now_ms(self) -> int:
            return real.now_ms() + 120_000

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(ex, "clock", Later())
    venue.faults.rest_5xx(1)  # AddOrder never reaches the engine
    with pytest.raises(ExchangeUnavailable):
        await ex.place_order(msgspec.structs.replace(resting, client_order_id=reused))

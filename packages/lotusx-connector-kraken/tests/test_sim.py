"""Connector behaviour against the simulated Kraken venue (skipped without lotusx-sim's dialect)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from lotusx.connectors.kraken import KrakenConnector
from lotusx.connectors.kraken.signer import NonceSource, SpotSigner
from lotusx.core.errors import ConfigurationError, InvalidOrderError, NotSupportedError
from lotusx.core.transport.signing import Credentials
from lotusx.core.types import (
    MarketKind,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

SPOT = Symbol("BTC", "USD")
PERP = Symbol("BTC", "USD", "USD")


class _StaleFirst(NonceSource):
    """Hands out one nonce far in the past, then behaves."""

    def __init__(self) -> None:
        super().__init__()
        self.stale = True

    def next(self) -> int:
        if self.stale:
            self.stale = False
            return 1
        return super().next()


async def test_instruments_map_both_platforms(ex: KrakenConnector) -> None:
    instruments = await ex.load_instruments()
    spot, perp = instruments[SPOT], instruments[PERP]
    assert spot.native_id == "XXBTZUSD"
    assert perp.native_id == "PF_XBTUSD"
    assert ex.instrument_by_native(MarketKind.SPOT, "XXBTZUSD").symbol == SPOT


async def test_refused_nonce_is_signed_again_and_resent(ex: KrakenConnector, venue: Any) -> None:
    await ex.load_instruments()
    # A nonce the key already used: Kraken refuses it before doing anything.
    await ex.get_balances("spot")
    source = _StaleFirst()
    ex.rest.signer = SpotSigner(Credentials(venue.api_key, venue.secret), source)
    balances = await ex.get_balances("spot")
    assert not source.stale
    assert any(b.asset == "USD" for b in balances)


async def test_fok_is_refused_on_futures_and_passed_on_for_spot(ex: KrakenConnector) -> None:
    inst = await ex.instrument(PERP)
    book = await ex.get_orderbook(PERP, 1)
    with pytest.raises(InvalidOrderError, match="fill-or-kill"):
        await ex.place_order(
            OrderRequest(
                PERP,
                Side.BUY,
                OrderType.LIMIT,
                inst.min_quantity,
                book.bids[0].price,
                TimeInForce.FOK,
            )
        )
    # Spot: Kraken added FOK to AddOrder's timeinforce in May 2026 (changelog); it is sent as is.
    spot = await ex.instrument(SPOT)
    request = OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, Decimal(1), Decimal(1), TimeInForce.FOK)
    assert ex._spot_order_params(request, spot, "c")["timeinforce"] == "FOK"
    top = await ex.get_orderbook(SPOT, 1)
    qty = spot.min_quantity * 2
    sent = await ex.place_order(
        OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, top.bids[0].price, TimeInForce.FOK)
    )
    assert sent.status is OrderStatus.ACCEPTED
    missed = await ex.get_order(SPOT, order_id=sent.order_id)
    assert missed.status in (OrderStatus.EXPIRED, OrderStatus.CANCELED)
    assert missed.filled_quantity == 0 and missed.time_in_force is TimeInForce.FOK
    sent = await ex.place_order(
        OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, top.asks[0].price, TimeInForce.FOK)
    )
    filled = await ex.get_order(SPOT, order_id=sent.order_id)
    assert (filled.status, filled.filled_quantity) == (OrderStatus.FILLED, qty)


async def test_futures_fee_rates_refuse_clearly(ex: KrakenConnector) -> None:
    with pytest.raises(NotSupportedError, match="futures"):
        await ex.get_fee_rates(PERP)
    fee = await ex.get_fee_rates(SPOT)
    assert 0 <= fee.maker <= fee.taker < 1


async def test_spot_cancel_all_only_touches_the_pair(ex: KrakenConnector) -> None:
    await ex.load_instruments()
    inst = await ex.instrument(SPOT)
    book = await ex.get_orderbook(SPOT, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY)
    qty = inst.min_quantity
    if inst.min_notional:
        qty = max(qty, inst.round_quantity(inst.min_notional / price * 2) + inst.lot_size)
    for n in range(2):
        await ex.place_order(
            OrderRequest(SPOT, Side.BUY, OrderType.LIMIT, qty, price, client_order_id=f"cxa{n}")
        )
    assert len(await ex.get_open_orders(SPOT)) == 2
    await ex.cancel_all(SPOT)
    assert await ex.get_open_orders(SPOT) == []
    done = await ex.get_order(SPOT, client_order_id="cxa0")
    assert done.status is OrderStatus.CANCELED


async def test_futures_funding_and_transfer_back(ex: KrakenConnector, venue: Any) -> None:
    funding = await ex.get_funding_rate(PERP)
    assert funding.rate.is_finite()
    assert funding.next_funding_time == funding.funding_time + 3_600_000
    before = venue.view.balances("spot")["USD"].free
    await ex.internal_transfer("USD", Decimal(25), "spot", "futures")
    await ex.internal_transfer("USD", Decimal(10), "futures", "spot")
    assert venue.view.balances("spot")["USD"].free == before - Decimal(15)
    with pytest.raises(ConfigurationError):
        await ex.internal_transfer("USD", Decimal(1), "spot", "margin")


async def test_testnet_has_no_spot() -> None:
    connector = KrakenConnector(testnet=True)
    assert connector.urls["futures_rest"] == "https://demo-futures.kraken.com"
    with pytest.raises(ConfigurationError, match="no sandbox"):
        await connector.get_orderbook(SPOT)


async def _first(stream: Any, accept: Any, timeout: float = 10.0) -> Any:
    async def scan() -> Any:
        async for item in stream:
            if accept(item):
                return item
        raise AssertionError("stream ended")

    try:
        return await asyncio.wait_for(scan(), timeout)
    finally:
        await stream.aclose()


async def test_futures_book_stream_matches_rest(ex: KrakenConnector) -> None:
    streamed = await _first(ex.stream_orderbook(PERP, depth=10), lambda b: True)
    rest = await ex.get_orderbook(PERP, 10)
    assert streamed.bids == rest.bids
    assert streamed.asks == rest.asks
    assert streamed.sequence >= 0  # the feed's seq


async def test_futures_private_streams_follow_a_market_order(ex: KrakenConnector) -> None:
    await ex.load_instruments()
    inst = await ex.instrument(PERP)
    request = OrderRequest(
        PERP, Side.BUY, OrderType.MARKET, inst.min_quantity * 10, client_order_id="fstream1"
    )
    orders = ex.stream_orders(MarketKind.LINEAR)
    fills = ex.stream_fills(MarketKind.LINEAR)
    order_task = asyncio.create_task(
        _first(orders, lambda o: o.client_order_id == "fstream1" and o.status is OrderStatus.FILLED)
    )
    fill_task = asyncio.create_task(_first(fills, lambda f: f.client_order_id == "fstream1"))
    await asyncio.sleep(0.5)
    placed = await ex.place_order(request)
    assert placed.status is OrderStatus.FILLED
    order, fill = await asyncio.gather(order_task, fill_task)
    assert order.filled_quantity == request.quantity
    assert fill.quantity == request.quantity and fill.fee_asset == "USD"
    [position] = await ex.get_positions(PERP)
    assert position.quantity == request.quantity
    assert position.margin_mode.value == "cross"


async def test_spot_batch_place_and_cancel(ex: KrakenConnector) -> None:
    inst = await ex.instrument(SPOT)
    book = await ex.get_orderbook(SPOT, 1)
    price = inst.round_price(book.bids[0].price * Decimal("0.9"), Side.BUY)
    qty = inst.min_quantity
    if inst.min_notional:
        qty = max(qty, inst.round_quantity(inst.min_notional / price * 2) + inst.lot_size)
    requests = [
        OrderRequest(
            SPOT,
            Side.BUY,
            OrderType.LIMIT,
            qty,
            price - inst.tick_size * n,
            client_order_id=f"sb{n}",
        )
        for n in range(3)
    ]
    placed = await ex.place_batch_orders(requests)
    assert [o.client_order_id for o in placed if not isinstance(o, Exception)] == [
        "sb0",
        "sb1",
        "sb2",
    ]
    ids = [o.order_id for o in placed if not isinstance(o, Exception)]
    results = await ex.cancel_batch(SPOT, [*ids[:2], "OABCDE-FGHIJ-KLMNOP"])
    assert [getattr(r, "status", None) for r in results[:2]] == [OrderStatus.CANCELED] * 2
    assert isinstance(results[2], Exception)
    assert [o.client_order_id for o in await ex.get_open_orders(SPOT)] == ["sb2"]


async def test_malformed_answers_are_typed_errors(ex: KrakenConnector) -> None:
    from lotusx.connectors.kraken import endpoints as ep
    from lotusx.connectors.kraken import wire as w
    from lotusx.core.errors import ExchangeError

    # A real answer decoded as the wrong shape: the typed error names the call.
    with pytest.raises(ExchangeError, match="malformed response") as info:
        await ex._spot(ep.TIME, w.DepthWire)
    assert info.value.endpoint == "spot.Time"
    with pytest.raises(ExchangeError, match="malformed response"):
        await ex._fut(ep.F_TICKERS, w.FOrderBookWire)


async def test_futures_candles_follow_a_trade(ex: KrakenConnector) -> None:
    """Futures candles come from the Charts API (trade candles)."""
    inst = await ex.instrument(PERP)
    await ex.place_order(
        OrderRequest(PERP, Side.BUY, OrderType.MARKET, inst.min_quantity, client_order_id="cdl")
    )
    trade = (await ex.get_trades(PERP, limit=5))[-1]
    candles = await ex.get_candles(PERP, "1m", limit=3)
    assert candles, "a trade happened, so the current minute has a candle"
    assert candles[-1].low <= trade.price <= candles[-1].high
    assert all(c.low <= c.open <= c.high and c.low <= c.close <= c.high for c in candles)

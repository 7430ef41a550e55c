"""Live checks against exchange testnets; each runs only when its keys are in the environment.

``LOTUSX_BINANCE_TESTNET_API_KEY`` / ``LOTUSX_BINANCE_TESTNET_SECRET`` enable the Binance ones.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from lotusx.core import OrderRequest, OrderType, Side, Symbol, connect
from lotusx.core.types import OrderStatus

pytestmark = pytest.mark.testnet


def _keys(exchange: str) -> bool:
    prefix = f"LOTUSX_{exchange.upper()}_TESTNET_"
    return bool(os.environ.get(prefix + "API_KEY") and os.environ.get(prefix + "SECRET"))


@pytest.mark.skipif(not _keys("binance"), reason="no Binance testnet keys in the environment")
@pytest.mark.parametrize("unified", ["BTC/USDT", "BTC/USDT:USDT"])
async def test_binance_testnet_order_round_trip(unified: str) -> None:
    symbol = Symbol.parse(unified)
    async with connect("binance", testnet=True) as ex:
        await ex.sync_time()
        instrument = await ex.instrument(symbol)
        book = await ex.get_orderbook(symbol, depth=5)
        assert book.best_bid is not None
        price = instrument.round_price(book.best_bid.price * Decimal("0.8"), Side.BUY)
        quantity = instrument.round_quantity(
            max(instrument.min_quantity, (instrument.min_notional or Decimal(10)) / price * 2)
        )
        request = OrderRequest(
            symbol, Side.BUY, OrderType.LIMIT, quantity + instrument.lot_size, price
        )
        placed = await ex.place_order(instrument.prepare_order(request))
        try:
            fetched = await ex.get_order(symbol, order_id=placed.order_id)
            assert fetched.status is OrderStatus.NEW
        finally:
            canceled = await ex.cancel_order(symbol, order_id=placed.order_id)
        assert canceled.status is OrderStatus.CANCELED

"""Spot `get_fills` with a time window: Kraken's TradesHistory `start` and `end` are whole
UNIX seconds; fractional seconds are refused (`EGeneral:Invalid arguments:start`)."""

from __future__ import annotations

from typing import Any

from lotusx.connectors.kraken import KrakenConnector
from lotusx.core.types import OrderRequest, OrderType, Side, Symbol


async def test_spot_fills_in_a_millisecond_window(venue: Any, ex: KrakenConnector) -> None:
    sym = Symbol("BTC", "USD")
    inst = await ex.instrument(sym)
    order = await ex.place_order(
        OrderRequest(sym, Side.BUY, OrderType.MARKET, inst.min_quantity * 10)
    )
    now = venue.now_ms()
    fills = await ex.get_fills(sym, start=now - 5_123, end=now + 1_001)
    assert fills and all(f.order_id == order.order_id for f in fills)
    assert not await ex.get_fills(sym, start=now + 2_001, end=now + 3_001)

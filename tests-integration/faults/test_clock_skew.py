"""Venue clock moved ±2 s: signed calls fail with `TimestampError` before `sync_time` when the
skew is beyond the receive window, and succeed after it."""

from __future__ import annotations

import pytest
from faultkit import environment

from lotusx.core.errors import TimestampError


@pytest.mark.parametrize("skew_ms", [2000, -2000])
async def test_signed_calls_after_sync_time(exchange: str, skew_ms: int) -> None:
    # A receive window smaller than the skew makes unsynced calls fail. Binance and Bybit let
    # the client choose it; OKX fixes a 30 s expiry, so a 2 s skew is within it either way.
    windowed = exchange in ("binance", "bybit")
    options = {"recv_window": 1000} if windowed else {}
    async with environment(exchange, seed=13, connector_options=options) as env:
        c = env.connector
        env.venue.faults.skew_clock(skew_ms)
        if windowed:
            with pytest.raises(TimestampError):
                await c.get_balances()
        synced = await c.sync_time()
        assert abs(synced.offset_ms - skew_ms) <= 150, synced
        assert abs(c.clock.now_ms() - env.venue.now_ms()) < 150
        await c.get_balances()  # signed calls pass with the skew
        await c.get_open_orders(env.spot)

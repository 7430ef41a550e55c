"""Fixtures: a simulated Coinbase venue (lotusx-sim) and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lotusx.connectors.coinbase import CoinbaseConnector


@pytest.fixture
async def venue() -> AsyncIterator[Any]:
    sim = pytest.importorskip("lotusx.sim")
    if "coinbase" not in sim.Venue.available():
        pytest.skip("lotusx-sim has no coinbase dialect")
    async with sim.Venue.start("coinbase", seed=7, tick_interval=3600) as v:
        yield v


@pytest.fixture
async def ex(venue: Any) -> AsyncIterator[CoinbaseConnector]:
    async with CoinbaseConnector(
        api_key=venue.api_key, secret=venue.secret, urls=venue.urls
    ) as connector:
        yield connector

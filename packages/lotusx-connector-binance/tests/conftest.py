"""Fixtures: a simulated Binance venue (lotusx-sim) and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lotusx.connectors.binance import BinanceConnector


@pytest.fixture
async def venue() -> AsyncIterator[Any]:
    sim = pytest.importorskip("lotusx.sim")
    async with sim.Venue.start("binance", seed=7) as v:
        yield v


@pytest.fixture
async def ex(venue: Any) -> AsyncIterator[BinanceConnector]:
    async with BinanceConnector(
        api_key=venue.api_key, secret=venue.secret, urls=venue.urls
    ) as connector:
        yield connector

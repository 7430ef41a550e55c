"""Fixtures: a simulated Kraken venue (lotusx-sim) and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lotusx.connectors.kraken import KrakenConnector


@pytest.fixture
async def venue() -> AsyncIterator[Any]:
    sim = pytest.importorskip("lotusx.sim")
    if "kraken" not in sim.Venue.available():
        pytest.skip("lotusx-sim has no kraken dialect")
    async with sim.Venue.start("kraken", seed=7, tick_interval=3600) as v:
        yield v


@pytest.fixture
async def ex(venue: Any) -> AsyncIterator[KrakenConnector]:
    async with KrakenConnector(
        api_key=venue.api_key, secret=venue.secret, urls=venue.urls
    ) as connector:
        yield connector

"""Fixtures: a simulated OKX venue (lotusx-sim) and a connector pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lotusx.connectors.okx import OkxConnector


@pytest.fixture
async def venue() -> AsyncIterator[Any]:
    sim = pytest.importorskip("lotusx.sim")
    if "okx" not in sim.Venue.available():
        pytest.skip("lotusx-sim has no OKX dialect")
    async with sim.Venue.start("okx", seed=7) as v:
        yield v


@pytest.fixture
async def ex(venue: Any) -> AsyncIterator[OkxConnector]:
    async with OkxConnector(
        api_key=venue.api_key, secret=venue.secret, passphrase=venue.passphrase, urls=venue.urls
    ) as connector:
        yield connector

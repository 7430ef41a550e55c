"""Fixtures of the fault-injection suite (machinery in `faultkit`).

The suite runs over the exchanges that have both a connector (`lotusx.core.registry`) and a
simulator dialect (`lotusx.sim.Venue.available()`), so a new connector is covered as soon as
both halves land.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from faultkit import EXCHANGES


@pytest.fixture(params=EXCHANGES)
def exchange(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name

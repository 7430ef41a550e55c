"""The LotusX conformance kit against the simulated Bybit venue (lotusx-sim's bybit dialect)."""

from __future__ import annotations

from typing import ClassVar

import pytest

from lotusx.core.testing import ConformanceSuite

pytest.importorskip("lotusx.sim")


class TestBybit(ConformanceSuite):
    exchange = "bybit"
    # A unified account trades spot and derivatives from one wallet; funds leave it for FUND.
    transfer_out: ClassVar[tuple[str, str]] = ("unified", "funding")

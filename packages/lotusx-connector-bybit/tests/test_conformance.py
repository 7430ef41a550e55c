"""The LotusX conformance kit against the simulated Bybit venue (lotusx-sim's bybit dialect)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest

from lotusx.core.registry import connect
from lotusx.core.testing import ConformanceSuite, Target
from lotusx.core.types import Symbol

pytest.importorskip("lotusx.sim")


class TestBybit(ConformanceSuite):
    exchange = "bybit"
    # A unified account trades spot and derivatives from one wallet; funds leave it for FUND.
    transfer_out: ClassVar[tuple[str, str]] = ("unified", "funding")


class TestBybitOverWs(TestBybit):
    """The same kit with every order action on the trade socket (``order_transport="ws"``)."""

    @pytest.fixture
    async def target(self) -> AsyncIterator[Target]:
        from lotusx.sim import Venue

        async with Venue.start(self.exchange, seed=self.seed, tick_interval=3600) as venue:
            connector = connect(
                self.exchange,
                api_key=venue.api_key,
                secret=venue.secret,
                urls=venue.urls,
                order_transport="ws",
            )
            async with connector:
                specs = venue.view.instruments()
                spot = next(s for s in specs if s.kind.value == "spot")
                perp = next(s for s in specs if s.kind.value == "linear_perp")
                yield Target(
                    connector,
                    venue,
                    Symbol(spot.base, spot.quote),
                    Symbol(perp.base, perp.quote, perp.quote),
                )

    async def test_orders_go_over_the_trade_socket(self, target: Target) -> None:
        request = await target.resting_buy(target.spot, "cf-ws-1")
        before = len(target.venue.view.requests)
        await target.connector.place_order(request)
        sent = [(r.method, r.path) for r in target.venue.view.requests[before:]]
        assert sent == [("WS", "order.create")]

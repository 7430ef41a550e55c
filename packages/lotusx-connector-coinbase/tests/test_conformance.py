"""The LotusX conformance kit against the simulated Coinbase venue (lotusx-sim's coinbase
dialect), once that dialect is registered."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import pytest

from lotusx.core.testing import ConformanceSuite

sim = pytest.importorskip("lotusx.sim")

pytestmark = pytest.mark.skipif(
    "coinbase" not in sim.Venue.available(), reason="lotusx-sim has no coinbase dialect yet"
)

# Coinbase names orders and fills by UUID strings; the suite compares them with the venue's
# internal integer ids, which the dialect presents as UUIDs on the wire.
_UUID_IDS = "Coinbase order/trade ids are UUIDs, not the venue's integer ids (suite assumption)"
# sequence_num counts a connection's messages; the suite expects the venue's book update id.
_CONNECTION_SEQUENCE = "Coinbase's sequence_num is per connection, not the book's update id"


class TestCoinbase(ConformanceSuite):
    exchange = "coinbase"
    # /product_book carries no update id.
    rest_book_sequence: ClassVar[bool] = False

    @pytest.mark.xfail(reason=_UUID_IDS, strict=False)
    async def test_order_lifecycle(self, target: Any) -> None:
        await super().test_order_lifecycle(target)

    @pytest.mark.xfail(reason=_UUID_IDS, strict=False)
    async def test_fills_and_balances_follow_a_trade(self, target: Any) -> None:
        await super().test_fills_and_balances_follow_a_trade(target)

    @pytest.mark.xfail(reason=_CONNECTION_SEQUENCE, strict=False)
    async def test_stream_orderbook_tracks_venue(self, target: Any) -> None:
        await super().test_stream_orderbook_tracks_venue(target)

    async def test_internal_transfer_moves_funds(self, target: Any) -> None:
        """Portfolios are named by UUID: move funds from the default one to another one."""
        c = target.connector
        subs = [s for s in await c.get_subaccounts() if not s.frozen]
        if len(subs) < 2:
            pytest.skip("the venue has a single portfolio")
        quote = target.spot.quote
        before = target.venue.view.balances("spot")[quote].free
        destination = f"sub:{subs[-1].account_id}"
        transfer = await c.internal_transfer(quote, Decimal("12.5"), "spot", destination)
        assert transfer.amount == Decimal("12.5")
        assert target.venue.view.balances("spot")[quote].free == before - Decimal("12.5")
        assert any(t.amount == Decimal("12.5") for t in target.venue.view.transfers())

"""The LotusX conformance kit against the simulated OKX venue."""

from __future__ import annotations

from typing import ClassVar

from lotusx.core.testing import ConformanceSuite


class TestOkx(ConformanceSuite):
    exchange = "okx"
    rest_book_sequence = False  # market/books carries no seqId
    trading_wallet = "trading"
    transfer_out: ClassVar[tuple[str, str]] = ("trading", "funding")


async def test_okx_tiers_declare_a_size_basis() -> None:
    from lotusx.core.registry import connect
    from lotusx.core.types import TierBasis
    from lotusx.sim import Venue

    async with Venue.start("okx", seed=3, tick_interval=3600) as venue:
        creds = {"api_key": venue.api_key, "secret": venue.secret, "passphrase": venue.passphrase}
        async with connect("okx", urls=venue.urls, **creds) as ex:
            brackets = await ex.get_leverage_brackets("BTC/USDT:USDT")
    assert brackets
    assert {b.basis for b in brackets} == {TierBasis.SIZE}

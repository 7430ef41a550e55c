"""The LotusX conformance kit against the simulated OKX venue."""

from __future__ import annotations

from typing import ClassVar

from lotusx.core.testing import ConformanceSuite


class TestOkx(ConformanceSuite):
    exchange = "okx"
    rest_book_sequence = False  # market/books carries no seqId
    trading_wallet = "trading"
    transfer_out: ClassVar[tuple[str, str]] = ("trading", "funding")

"""The LotusX conformance kit against the simulated Coinbase venue (lotusx-sim's coinbase
dialect)."""

from __future__ import annotations

from typing import ClassVar

import pytest

from lotusx.core.testing import ConformanceSuite

pytest.importorskip("lotusx.sim")


class TestCoinbase(ConformanceSuite):
    exchange = "coinbase"
    # /product_book carries no update id; sequence_num numbers a connection's messages.
    rest_book_sequence: ClassVar[bool] = False
    stream_book_sequence: ClassVar[bool] = False
    # Portfolios, not wallets: funds leave the default portfolio for another one, by name.
    transfer_out: ClassVar[tuple[str, str]] = ("spot", "sub:Portfolio 3")

"""The LotusX conformance kit against the simulated Kraken venue (lotusx-sim's kraken dialect).

Every check is the kit's, unchanged; the class variables say where Kraken differs by design.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from lotusx.core.testing import ConformanceSuite

sim = pytest.importorskip("lotusx.sim")
if "kraken" not in sim.Venue.available():
    pytest.skip("lotusx-sim has no kraken dialect yet", allow_module_level=True)


class TestKraken(ConformanceSuite):
    exchange = "kraken"
    # Depth answers carry no update id, and the v2 book has none (checksums instead): books
    # are numbered locally.
    rest_book_sequence: ClassVar[bool] = False
    stream_book_sequence: ClassVar[bool] = False
    # Kraken's last margin level has no upper bound.
    last_bracket_unbounded: ClassVar[bool] = True
    # Kraken withdraws only to keys registered on the account: the simulated account's USD key
    # (WithdrawAddresses `usd-bank`), on its own method.
    withdrawal_address: ClassVar[str] = "CH93 0076 2011 6238 5295 7"
    withdrawal_network: ClassVar[str | None] = None

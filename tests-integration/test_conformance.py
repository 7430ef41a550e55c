"""Every connector in this repository through the conformance kit, against its simulated venue."""

from lotusx.core.testing import ConformanceSuite


class TestBinance(ConformanceSuite):
    exchange = "binance"
